#pragma once
// File ▸ Import Dialogues: choose a format and files or a folder, then the core importer runs in
// an ImportWorker on its own QThread with a progress bar and Cancel. Errors are shown as the
// importer reports them ("FILE:LINE: reason"); the project is then unchanged. On success the
// session's dialoguesChanged() refreshes every page.
#include "core/io/import.h"
#include "ui/dialogs/dialog_job.h"
#include "ui/workers/import_worker.h" // Q_DECLARE_METATYPE(hw::ImportResult) before moc uses it

#include <QDialog>
#include <QStringList>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace hw::ui {

class ProjectSession;

class ImportDialog : public QDialog {
    Q_OBJECT
public:
    explicit ImportDialog(ProjectSession* session, QWidget* parent = nullptr);

    void setFormat(hw::ImportFormat format);
    hw::ImportFormat format() const;
    void setPaths(const QStringList& paths);
    QStringList paths() const;
    bool isRunning() const { return m_job.isRunning(); }
    QString errorText() const;
    QString summaryText() const;

public Q_SLOTS:
    void startImport();
    void cancelImport();
    void reject() override;

Q_SIGNALS:
    void importFinished(const hw::ImportResult& result);
    void importFailed(const QString& message);
    void importCancelled();

private:
    void addFiles();
    void addFolder();
    void updateUi();
    QString formatHint() const;

    ProjectSession* m_session;
    QComboBox* m_format;
    QLabel* m_hint;
    QListWidget* m_paths;
    QPushButton* m_addFiles;
    QPushButton* m_addFolder;
    QPushButton* m_remove;
    QComboBox* m_defaultTask;
    QLabel* m_defaultTaskLabel;
    QProgressBar* m_progress;
    QLabel* m_status;
    QPlainTextEdit* m_error;
    QPushButton* m_import;
    QPushButton* m_cancel;
    DialogJob m_job; // after the widgets it drives
};

} // namespace hw::ui
