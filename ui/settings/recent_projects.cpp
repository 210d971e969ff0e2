#include "ui/settings/recent_projects.h"

#include "ui/settings/workbench_settings.h"

#include <QFileInfo>

namespace hw::ui {

QStringList recentProjects() { return prefs::recentProjects.get(); }

void addRecentProject(const QString& path)
{
    const QString canonical = QFileInfo(path).absoluteFilePath();
    QStringList files = prefs::recentProjects.get();
    files.removeAll(canonical);
    files.prepend(canonical);
    while (files.size() > qMax(1, prefs::maxRecentProjects.get()))
        files.removeLast();
    prefs::recentProjects = files;
}

void removeRecentProject(const QString& path)
{
    QStringList files = prefs::recentProjects.get();
    if (files.removeAll(QFileInfo(path).absoluteFilePath()) > 0)
        prefs::recentProjects = files;
}

} // namespace hw::ui
