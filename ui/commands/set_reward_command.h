#pragma once
// A manual reward edit (set or clear) on one dialogue, undoable.
//   redo: a reward label with source = human becomes the dialogue's current reward;
//   undo: that label is taken back (hw::revertRewardLabel), so the label before it is current
//         again exactly as it was (value, source, provenance), and the history holds no label
//         that a person's undo made up. Redo records a fresh human label.
#include <QUndoCommand>

#include <optional>

namespace hw::ui {

class ProjectSession;

class SetRewardCommand : public QUndoCommand {
public:
    // value = nullopt clears the reward.
    SetRewardCommand(ProjectSession* session, qint64 dialogueId, std::optional<double> value,
                     QUndoCommand* parent = nullptr);

    void redo() override;
    void undo() override;

    qint64 dialogueId() const { return m_dialogueId; }
    // The reward_labels row the last redo wrote (0 before the first redo or after an undo).
    qint64 labelId() const { return m_labelId; }

private:
    void reportFailure(const char* what, const std::exception& e);

    ProjectSession* m_session;
    qint64 m_dialogueId;
    std::optional<double> m_value;
    qint64 m_labelId = 0;
    bool m_everApplied = false;
};

} // namespace hw::ui
