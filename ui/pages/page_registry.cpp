#include "ui/pages/page_registry.h"

#include "ui/pages/dataset/dataset_page.h"
#include "ui/pages/dialogues/dialogues_page.h"
#include "ui/pages/evaluation/evaluation_page.h"
#include "ui/pages/jobs/jobs_page.h"
#include "ui/pages/page.h"
#include "ui/pages/regenerations/regenerations_page.h"
#include "ui/pages/suggestions/suggestions_page.h"
#include "ui/pages/chat/chat_page.h"
#include "ui/pages/runs/runs_page.h"
#include "ui/pages/tasks/tasks_page.h"

namespace hw::ui {

std::vector<Page*> createPages(ProjectSession* session, QWidget* parent)
{
    std::vector<Page*> pages;
    // One line per page, in sidebar order.
    pages.push_back(new DialoguesPage(session, parent));
    pages.push_back(new DatasetPage(session, parent));
    pages.push_back(new SuggestionsPage(session, parent));
    pages.push_back(new RegenerationsPage(session, parent));
    pages.push_back(new JobsPage(session, parent));
    pages.push_back(new RunsPage(session, parent));
    pages.push_back(new ChatPage(session, parent));
    pages.push_back(new EvaluationPage(session, parent));
    pages.push_back(new TasksPage(session, parent));
    return pages;
}

} // namespace hw::ui
