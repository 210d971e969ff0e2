#include "ui/commands/set_reward_command.h"

#include "core/store/dialogue_query.h"
#include "core/store/dialogue_store.h"
#include "ui/project_session.h"

#include <QCoreApplication>
#include <QLocale>

#include <exception>

namespace hw::ui {

SetRewardCommand::SetRewardCommand(ProjectSession* session, qint64 dialogueId,
                                   std::optional<double> value, QUndoCommand* parent)
    : QUndoCommand(parent), m_session(session), m_dialogueId(dialogueId), m_value(value)
{
    if (session && session->isOpen()) {
        try {
            if (const auto row = hw::DialogueQuery(session->db()).row(dialogueId)) {
                m_previous = row->reward;
                m_previousSource = row->rewardSource;
            }
        } catch (const std::exception&) {
            // redo() reports the failure; nothing to restore then.
        }
    }
    setText(value ? QCoreApplication::translate("SetRewardCommand", "Set reward of dialogue %1 to %2")
                        .arg(dialogueId)
                        .arg(QLocale().toString(*value, 'f', 2))
                  : QCoreApplication::translate("SetRewardCommand", "Clear reward of dialogue %1")
                        .arg(dialogueId));
}

bool SetRewardCommand::apply(std::optional<double> value, const std::string& source, bool reverting)
{
    if (!m_session || !m_session->isOpen())
        return false;
    try {
        nlohmann::json provenance = {{"via", "workbench"}};
        const QString user = qEnvironmentVariable("USER");
        if (!user.isEmpty())
            provenance["user"] = user.toStdString();
        if (reverting)
            provenance["undo_of"] = m_lastLabelId;
        const qint64 label = hw::DialogueStore(m_session->db()).setReward(m_dialogueId, value, source, provenance);
        if (!reverting)
            m_lastLabelId = label;
    } catch (const std::exception& e) {
        m_session->showStatus(QCoreApplication::translate("SetRewardCommand", "Reward not saved: %1")
                                  .arg(QString::fromUtf8(e.what())),
                              0);
        return false;
    }
    m_session->notifyDialogueChanged(m_dialogueId);
    return true;
}

void SetRewardCommand::redo()
{
    // A failed first redo makes the command obsolete, so QUndoStack::push() drops it.
    if (!apply(m_value, "human", false) && m_lastLabelId == 0)
        setObsolete(true);
}

void SetRewardCommand::undo()
{
    // A cleared reward is recorded as a label too; its source is irrelevant (the store keeps
    // reward_source empty when the value is none), but it must be a valid one.
    const std::string source = m_previous ? (m_previousSource.empty() ? "dataset" : m_previousSource)
                                          : std::string("human");
    apply(m_previous, source, true);
}

} // namespace hw::ui
