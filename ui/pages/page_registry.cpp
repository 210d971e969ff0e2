#include "ui/pages/page_registry.h"

#include "ui/pages/page.h"

namespace hw::ui {

std::vector<Page*> createPages(ProjectSession* session, QWidget* parent)
{
    std::vector<Page*> pages;
    // One line per page, in sidebar order, e.g.:
    // pages.push_back(new DialoguesPage(session, parent));
    (void)session;
    (void)parent;
    return pages;
}

} // namespace hw::ui
