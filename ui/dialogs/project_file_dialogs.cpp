#include "ui/dialogs/project_file_dialogs.h"

#include "ui/settings/workbench_settings.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>

namespace hw::ui {

namespace {
QString tr(const char* s) { return QCoreApplication::translate("ProjectFileDialogs", s); }
const char* kFilter = QT_TRANSLATE_NOOP("ProjectFileDialogs", "Hindsight projects (*.hwb);;All files (*)");

QString startDir()
{
    const QString dir = prefs::lastProjectDir;
    return dir.isEmpty() || !QDir(dir).exists() ? QDir::homePath() : dir;
}
} // namespace

QString askNewProjectPath(QWidget* parent)
{
    // The store refuses to overwrite an existing project, so the dialog must not offer to.
    QString path = QFileDialog::getSaveFileName(parent, tr("New Project"), startDir() + "/untitled.hwb",
                                                tr(kFilter), nullptr, QFileDialog::DontConfirmOverwrite);
    if (path.isEmpty())
        return {};
    if (QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".hwb");
    prefs::lastProjectDir = QFileInfo(path).absolutePath();
    return path;
}

QString askOpenProjectPath(QWidget* parent)
{
    const QString path = QFileDialog::getOpenFileName(parent, tr("Open Project"), startDir(), tr(kFilter));
    if (!path.isEmpty())
        prefs::lastProjectDir = QFileInfo(path).absolutePath();
    return path;
}

} // namespace hw::ui
