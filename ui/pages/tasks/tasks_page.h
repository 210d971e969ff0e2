#pragma once
// Tasks: the project's task definitions (core/data/task_json.h). A list of tasks and, for the one
// selected, its definition as JSON in an editor that is checked as you type (the error names the
// field). Save replaces an existing task's definition (undoable) or adds a new task; Import and
// Export read and write definition files; Draft asks an LLM for a whole definition from a
// description (core/pipeline/task_drafter.h) and puts it in the editor for the researcher to edit.
#include "core/llm/endpoint_profile.h"
#include "core/util/progress.h"
#include "ui/pages/page.h"

#include <QString>

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace hw::ui {

class TasksPage : public Page {
    Q_OBJECT
public:
    explicit TasksPage(ProjectSession* session, QWidget* parent = nullptr);
    ~TasksPage() override;

    QString title() const override { return tr("Tasks"); }
    QIcon icon() const override;
    void activated() override;

    void refresh();
    // Shows the named task's definition in the editor ("" = an empty new one).
    void selectTask(const QString& name);
    // The editor's text is checked as it changes; "" when it holds a valid definition.
    QString problem() const { return m_problem; }
    // Stores the editor's definition: a new task, or an edit of the task of that name. Returns
    // false and shows why when it is invalid or cannot be stored.
    bool save();
    bool importFile(const QString& path);
    bool exportFile(const QString& path);
    // Drafts a definition with `profile` in the background; the editor gets it when it arrives
    // (newest request wins). draftFinished(ok, message) follows.
    void startDraft(const hw::EndpointProfile& profile, const QString& description, const QString& name = {});

    QListWidget* taskList() const { return m_list; }
    QPlainTextEdit* editor() const { return m_editor; }
    QLabel* statusLabel() const { return m_status; }

Q_SIGNALS:
    void draftFinished(bool ok, const QString& message);

private:
    void markStale();
    void check();
    void showMessage(const QString& text, bool error);
    void askForDraft();
    void askForImport();
    void askForExport();

    QListWidget* m_list;
    QPlainTextEdit* m_editor;
    QLabel* m_status;
    QPushButton* m_save;
    QPushButton* m_draft;
    QString m_problem;
    bool m_stale = true;
    int m_draftGeneration = 0;
    hw::StopToken m_draftStop;
};

} // namespace hw::ui
