#include "ui/commands/suggestion_status_command.h"

#include "core/store/suggestion_store.h"
#include "core/store/database.h"
#include "ui/project_session.h"

#include <QCoreApplication>

namespace hw::ui {
namespace {

QString verb(const std::string& status)
{
    if (status == hw::suggestion_status::kAccepted)
        return QCoreApplication::translate("SuggestionStatusCommand", "Accept");
    if (status == hw::suggestion_status::kRejected)
        return QCoreApplication::translate("SuggestionStatusCommand", "Reject");
    return QCoreApplication::translate("SuggestionStatusCommand", "Reset");
}

} // namespace

SuggestionStatusCommand::SuggestionStatusCommand(ProjectSession* session, std::vector<int64_t> ids,
                                                 const std::string& status, QUndoCommand* parent)
    : QUndoCommand(parent), m_session(session), m_ids(std::move(ids)), m_status(status)
{
    if (m_ids.size() == 1)
        setText(QCoreApplication::translate("SuggestionStatusCommand", "%1 suggestion %2").arg(verb(status)).arg(m_ids.front()));
    else
        setText(QCoreApplication::translate("SuggestionStatusCommand", "%1 %2 suggestions").arg(verb(status)).arg(m_ids.size()));
}

void SuggestionStatusCommand::redo()
{
    if (!m_session || !m_session->isOpen())
        return;
    try {
        hw::Database& db = m_session->db();
        hw::SuggestionStore store(db);
        hw::Transaction tx(db);
        if (!m_done) {
            // First run: decide what changes, remembering what to restore.
            for (int64_t id : m_ids) {
                const auto s = store.get(id);
                if (!s || s->status == m_status)
                    continue;
                if (m_status == hw::suggestion_status::kAccepted
                    && (s->status == hw::suggestion_status::kFailed || !s->turnIndex))
                    continue;
                m_changed.push_back({id, s->status});
            }
        }
        for (const Change& c : m_changed)
            store.setStatus(c.id, m_status);
        tx.commit();
    } catch (const std::exception& e) {
        m_session->showStatus(QCoreApplication::translate("SuggestionStatusCommand", "Suggestions not changed: %1")
                                  .arg(QString::fromUtf8(e.what())),
                              0);
        if (!m_done) {
            m_changed.clear();
            setObsolete(true);
        }
        return;
    }
    if (!m_done && m_changed.empty())
        setObsolete(true);
    if (!m_done && m_ids.size() > 1 && static_cast<size_t>(m_changed.size()) != m_ids.size())
        setText(QCoreApplication::translate("SuggestionStatusCommand", "%1 %2 suggestions")
                    .arg(verb(m_status))
                    .arg(m_changed.size()));
    m_done = true;
    m_session->notifySuggestionsChanged();
}

void SuggestionStatusCommand::undo()
{
    if (!m_session || !m_session->isOpen())
        return;
    try {
        hw::Database& db = m_session->db();
        hw::SuggestionStore store(db);
        hw::Transaction tx(db);
        for (auto it = m_changed.rbegin(); it != m_changed.rend(); ++it)
            store.setStatus(it->id, it->previous);
        tx.commit();
    } catch (const std::exception& e) {
        m_session->showStatus(QCoreApplication::translate("SuggestionStatusCommand", "Undo failed: %1")
                                  .arg(QString::fromUtf8(e.what())),
                              0);
        return;
    }
    m_session->notifySuggestionsChanged();
}

} // namespace hw::ui
