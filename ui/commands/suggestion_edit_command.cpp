#include "ui/commands/suggestion_edit_command.h"

#include "core/store/suggestion_store.h"
#include "ui/project_session.h"

#include <QCoreApplication>

namespace hw::ui {

SuggestionEditCommand::SuggestionEditCommand(ProjectSession* session, qint64 suggestionId, const std::string& text,
                                             QUndoCommand* parent)
    : QUndoCommand(parent), m_session(session), m_id(suggestionId), m_new(text)
{
    setText(QCoreApplication::translate("SuggestionEditCommand", "Edit suggestion %1").arg(suggestionId));
    if (session && session->isOpen()) {
        try {
            if (const auto s = hw::SuggestionStore(session->db()).get(suggestionId)) {
                m_previous = s->editedText;
                if (text == s->proposedText)
                    m_new.reset(); // back to the model's text: no edit
            }
        } catch (const std::exception&) {
            // redo() reports it.
        }
    }
}

bool SuggestionEditCommand::apply(const std::optional<std::string>& text)
{
    if (!m_session || !m_session->isOpen())
        return false;
    try {
        hw::SuggestionStore(m_session->db()).setEditedText(m_id, text);
    } catch (const std::exception& e) {
        m_session->showStatus(QCoreApplication::translate("SuggestionEditCommand", "Edit not saved: %1")
                                  .arg(QString::fromUtf8(e.what())),
                              0);
        return false;
    }
    m_session->notifySuggestionsChanged();
    return true;
}

void SuggestionEditCommand::redo()
{
    const bool ok = apply(m_new);
    if (!m_done && (!ok || m_new == m_previous))
        setObsolete(true);
    m_done = true;
}

void SuggestionEditCommand::undo()
{
    apply(m_previous);
}

} // namespace hw::ui
