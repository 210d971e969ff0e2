#include "ui/pages/page_registry.h"

#include "ui/pages/dataset/dataset_page.h"
#include "ui/pages/dialogues/dialogues_page.h"
#include "ui/pages/page.h"

namespace hw::ui {

std::vector<Page*> createPages(ProjectSession* session, QWidget* parent)
{
    std::vector<Page*> pages;
    // One line per page, in sidebar order.
    pages.push_back(new DialoguesPage(session, parent));
    pages.push_back(new DatasetPage(session, parent));
    return pages;
}

} // namespace hw::ui
