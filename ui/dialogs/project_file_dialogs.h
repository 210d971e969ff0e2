#pragma once
// File choosers for projects (.hwb), remembering the last folder.
#include <QString>

class QWidget;

namespace hw::ui {

// Returns "" when cancelled. A missing .hwb suffix is added.
QString askNewProjectPath(QWidget* parent);
QString askOpenProjectPath(QWidget* parent);

} // namespace hw::ui
