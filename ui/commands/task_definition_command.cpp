#include "ui/commands/task_definition_command.h"

#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "ui/project_session.h"

#include <QCoreApplication>

#include <exception>

namespace hw::ui {

TaskDefinitionCommand::TaskDefinitionCommand(ProjectSession* session, hw::Task before, hw::Task after,
                                             QUndoCommand* parent)
    : QUndoCommand(parent), m_session(session), m_before(std::move(before)), m_after(std::move(after))
{
    setText(QCoreApplication::translate("TaskDefinitionCommand", "Edit task %1").arg(QString::fromStdString(m_after.name)));
}

bool TaskDefinitionCommand::apply(const hw::Task& task, const char* failure)
{
    if (!m_session || !m_session->isOpen())
        return false;
    try {
        hw::Transaction tx(m_session->db());
        hw::DialogueStore(m_session->db()).replaceTask(task);
        tx.commit();
    } catch (const std::exception& e) {
        m_session->showStatus(QCoreApplication::translate("TaskDefinitionCommand", failure).arg(QString::fromUtf8(e.what())), 0);
        return false;
    }
    // Pages that show tasks (Dataset, Dialogues filters) re-read them on this signal.
    m_session->notifyDialoguesChanged();
    return true;
}

void TaskDefinitionCommand::redo()
{
    if (apply(m_after, QT_TRANSLATE_NOOP("TaskDefinitionCommand", "Task not saved: %1")))
        m_everApplied = true;
    else if (!m_everApplied)
        setObsolete(true); // a failed first redo: QUndoStack::push() drops the command
}

void TaskDefinitionCommand::undo()
{
    apply(m_before, QT_TRANSLATE_NOOP("TaskDefinitionCommand", "Task edit not undone: %1"));
}

} // namespace hw::ui
