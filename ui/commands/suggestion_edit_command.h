#pragma once
// The researcher's edit of a suggestion's proposed text (suggestions.edited_text), undoable.
// Saving text equal to the model's proposal clears the edit; undo restores the previous edit
// (or none).
#include <QUndoCommand>

#include <optional>
#include <string>

namespace hw::ui {

class ProjectSession;

class SuggestionEditCommand : public QUndoCommand {
public:
    SuggestionEditCommand(ProjectSession* session, qint64 suggestionId, const std::string& text,
                          QUndoCommand* parent = nullptr);

    void redo() override;
    void undo() override;

    qint64 suggestionId() const { return m_id; }

private:
    bool apply(const std::optional<std::string>& text);

    ProjectSession* m_session;
    qint64 m_id;
    std::optional<std::string> m_new;
    std::optional<std::string> m_previous;
    bool m_done = false;
};

} // namespace hw::ui
