#pragma once
// Accept, reject or reset (to proposed) one suggestion or many at once, undoable as one step.
//   redo: each listed suggestion takes the new status (failed ones are never accepted: they have
//         no turn to replace; suggestions already in that status are left alone);
//   undo: each suggestion that redo changed gets its previous status back.
// A command that changes nothing is obsolete, so QUndoStack::push() drops it.
#include <QUndoCommand>

#include <cstdint>
#include <string>
#include <vector>

namespace hw::ui {

class ProjectSession;

class SuggestionStatusCommand : public QUndoCommand {
public:
    SuggestionStatusCommand(ProjectSession* session, std::vector<int64_t> ids, const std::string& status,
                            QUndoCommand* parent = nullptr);

    void redo() override;
    void undo() override;

    // Suggestions the last redo changed.
    int changedCount() const { return static_cast<int>(m_changed.size()); }
    const std::string& status() const { return m_status; }

private:
    struct Change {
        int64_t id;
        std::string previous;
    };

    ProjectSession* m_session;
    std::vector<int64_t> m_ids;
    std::string m_status;
    std::vector<Change> m_changed;
    bool m_done = false;
};

} // namespace hw::ui
