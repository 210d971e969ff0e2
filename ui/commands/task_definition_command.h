#pragma once
// Replacing the definition of an existing task (Tasks page ▸ Save), undoable: redo stores the new
// definition, undo the one it replaced. Creating a task is not a command: tasks are never deleted
// (dialogues and training sets refer to them), so there is nothing an undo could do.
#include "core/data/task.h"

#include <QUndoCommand>

namespace hw::ui {

class ProjectSession;

class TaskDefinitionCommand : public QUndoCommand {
public:
    TaskDefinitionCommand(ProjectSession* session, hw::Task before, hw::Task after, QUndoCommand* parent = nullptr);

    void redo() override;
    void undo() override;

private:
    bool apply(const hw::Task& task, const char* failure);

    ProjectSession* m_session;
    hw::Task m_before;
    hw::Task m_after;
    bool m_everApplied = false;
};

} // namespace hw::ui
