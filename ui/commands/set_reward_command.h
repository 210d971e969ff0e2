#pragma once
// A manual reward edit (set or clear) on one dialogue, undoable.
//   redo: a reward label with source = human becomes the dialogue's current reward;
//   undo: the previous value and its source become current again (recorded as one more label
//         whose provenance names the label it reverts, so reward_labels stays a full history).
#include <QUndoCommand>

#include <optional>
#include <string>

namespace hw::ui {

class ProjectSession;

class SetRewardCommand : public QUndoCommand {
public:
    // value = nullopt clears the reward. Reads the current reward now, as what undo restores.
    SetRewardCommand(ProjectSession* session, qint64 dialogueId, std::optional<double> value,
                     QUndoCommand* parent = nullptr);

    void redo() override;
    void undo() override;

    qint64 dialogueId() const { return m_dialogueId; }

private:
    bool apply(std::optional<double> value, const std::string& source, bool reverting);

    ProjectSession* m_session;
    qint64 m_dialogueId;
    std::optional<double> m_value;
    std::optional<double> m_previous;
    std::string m_previousSource;
    qint64 m_lastLabelId = 0;
};

} // namespace hw::ui
