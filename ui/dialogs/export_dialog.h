#pragma once
// File ▸ Export Dialogues: writes the project's dialogues (all, or one task; optionally only the
// labeled ones) as chat-layout JSON Lines, with turn annotations or as plain OpenAI / TRL
// messages. The core exporter runs in an ExportWorker on its own QThread with a progress bar and
// Cancel; it writes a temporary file and renames it when done, so cancelling or a failure never
// leaves a half-written file (and never touches an existing file at the chosen path).
#include "core/io/jsonl_export.h"
#include "ui/dialogs/dialog_job.h"
#include "ui/workers/export_worker.h" // Q_DECLARE_METATYPE(hw::ExportResult) before moc uses it

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace hw::ui {

class ProjectSession;

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    explicit ExportDialog(ProjectSession* session, QWidget* parent = nullptr);

    // "" = all tasks; a task the project does not have selects all.
    void setTask(const QString& task);
    QString task() const;
    void setOutputPath(const QString& path);
    QString outputPath() const;
    void setLabeledOnly(bool on);
    void setPlainMessages(bool on);
    bool isRunning() const { return m_job.isRunning(); }
    QString errorText() const;
    QString summaryText() const;

public Q_SLOTS:
    void startExport();
    void cancelExport();
    void reject() override;

Q_SIGNALS:
    void exportFinished(const hw::ExportResult& result);
    void exportFailed(const QString& message);
    void exportCancelled();

private:
    void browse();
    void updateUi();
    QString defaultPath() const;

    ProjectSession* m_session;
    QComboBox* m_task;
    QCheckBox* m_labeledOnly;
    QCheckBox* m_plain;
    QLineEdit* m_path;
    QPushButton* m_browse;
    QProgressBar* m_progress;
    QLabel* m_status;
    QPlainTextEdit* m_error;
    QPushButton* m_export;
    QPushButton* m_cancel;
    DialogJob m_job; // after the widgets it drives
    bool m_pathEdited = false; // the user chose a path: task changes no longer rename it
};

} // namespace hw::ui
