#include "ui/project_session.h"

#include "core/store/project_file.h"
#include "core/util/error.h"

#include <QFileInfo>

namespace hw::ui {

ProjectSession::ProjectSession(QObject* parent) : QObject(parent) {}
ProjectSession::~ProjectSession() = default;

bool ProjectSession::open(const QString& path)
{
    try {
        auto db = std::make_unique<hw::Database>(hw::Database::open(path.toStdString()));
        close();
        m_db = std::move(db);
        m_path = path;
        m_error.clear();
        Q_EMIT opened(path);
        return true;
    } catch (const std::exception& e) {
        m_error = QString::fromStdString(e.what());
        return false;
    }
}

bool ProjectSession::create(const QString& path)
{
    try {
        // The same project `hindsight init` makes, built-in tasks included.
        { hw::createProject(path.toStdString()); }
    } catch (const std::exception& e) {
        m_error = QString::fromStdString(e.what());
        return false;
    }
    return open(path);
}

void ProjectSession::close()
{
    if (!m_db)
        return;
    m_undo.clear();
    m_db.reset();
    m_path.clear();
    Q_EMIT closed();
}

hw::Database& ProjectSession::db()
{
    Q_ASSERT(m_db);
    return *m_db;
}

void ProjectSession::notifyDialoguesChanged() { Q_EMIT dialoguesChanged(); }
void ProjectSession::notifyDialogueChanged(qint64 id) { Q_EMIT dialogueChanged(id); }
void ProjectSession::notifySuggestionsChanged() { Q_EMIT suggestionsChanged(); }
void ProjectSession::notifyRunsChanged() { Q_EMIT runsChanged(); }
void ProjectSession::showStatus(const QString& message, int timeoutMs)
{
    Q_EMIT statusMessage(message, timeoutMs);
}

QString ProjectSession::displayName() const
{
    return m_path.isEmpty() ? QString() : QFileInfo(m_path).completeBaseName();
}

} // namespace hw::ui
