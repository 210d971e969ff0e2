#pragma once
#include <QString>
#include <QStringList>

namespace hw::ui {

// The recent-projects list (newest first, no duplicates, capped by prefs::maxRecentProjects).
QStringList recentProjects();
void addRecentProject(const QString& path);
void removeRecentProject(const QString& path);

} // namespace hw::ui
