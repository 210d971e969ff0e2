#include "ui/commands/set_reward_command.h"

#include "core/store/dialogue_store.h"
#include "core/store/reward_revert.h"
#include "ui/project_session.h"

#include <QCoreApplication>
#include <QLocale>

#include <exception>

namespace hw::ui {

SetRewardCommand::SetRewardCommand(ProjectSession* session, qint64 dialogueId,
                                   std::optional<double> value, QUndoCommand* parent)
    : QUndoCommand(parent), m_session(session), m_dialogueId(dialogueId), m_value(value)
{
    setText(value ? QCoreApplication::translate("SetRewardCommand", "Set reward of dialogue %1 to %2")
                        .arg(dialogueId)
                        .arg(QLocale().toString(*value, 'f', 2))
                  : QCoreApplication::translate("SetRewardCommand", "Clear reward of dialogue %1")
                        .arg(dialogueId));
}

void SetRewardCommand::reportFailure(const char* what, const std::exception& e)
{
    m_session->showStatus(QCoreApplication::translate("SetRewardCommand", what).arg(QString::fromUtf8(e.what())), 0);
}

void SetRewardCommand::redo()
{
    if (!m_session || !m_session->isOpen())
        return;
    try {
        nlohmann::json provenance = {{"via", "workbench"}};
        const QString user = qEnvironmentVariable("USER");
        if (!user.isEmpty())
            provenance["user"] = user.toStdString();
        m_labelId = hw::DialogueStore(m_session->db()).setReward(m_dialogueId, m_value, "human", provenance);
        m_everApplied = true;
    } catch (const std::exception& e) {
        reportFailure(QT_TRANSLATE_NOOP("SetRewardCommand", "Reward not saved: %1"), e);
        // A failed first redo makes the command obsolete, so QUndoStack::push() drops it.
        if (!m_everApplied)
            setObsolete(true);
        return;
    }
    m_session->notifyDialogueChanged(m_dialogueId);
}

void SetRewardCommand::undo()
{
    if (!m_session || !m_session->isOpen() || m_labelId == 0)
        return;
    try {
        hw::revertRewardLabel(m_session->db(), m_labelId);
        m_labelId = 0;
    } catch (const std::exception& e) {
        reportFailure(QT_TRANSLATE_NOOP("SetRewardCommand", "Reward edit not undone: %1"), e);
        return;
    }
    m_session->notifyDialogueChanged(m_dialogueId);
}

} // namespace hw::ui
