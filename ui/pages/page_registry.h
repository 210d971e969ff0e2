#pragma once
#include <vector>

class QWidget;

namespace hw::ui {

class Page;
class ProjectSession;

// Every page of the workbench, in sidebar order. To add a page, add one line to
// page_registry.cpp; nothing else in MainWindow changes.
std::vector<Page*> createPages(ProjectSession* session, QWidget* parent);

} // namespace hw::ui
