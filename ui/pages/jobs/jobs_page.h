#pragma once
// The jobs panel: every pipeline job of the project (the jobs table, polled, so jobs the CLI
// runs in another process show up and move too) with progress, done/failed/total, tokens and
// cost; cancel and resume; and the selected job's failed items with the request and reply
// behind each failure.
#include "ui/pages/page.h"

class QLabel;
class QPushButton;
class QSplitter;
class QTableView;
class QTimer;

namespace hw::ui {

class EmptyState;
class JobDetailsView;
class JobTableModel;
class PipelineWorkerHost;
struct PipelineProgress;

class JobsPage : public Page {
    Q_OBJECT
public:
    explicit JobsPage(ProjectSession* session, QWidget* parent = nullptr);
    ~JobsPage() override;

    QString title() const override { return tr("Jobs"); }
    QIcon icon() const override;
    void activated() override;

    JobTableModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    JobDetailsView* details() const { return m_details; }
    QPushButton* startButton() const { return m_start; }
    EmptyState* emptyState() const { return m_empty; }
    QPushButton* resumeButton() const { return m_resume; }
    QPushButton* cancelButton() const { return m_cancel; }
    QTimer* pollTimer() const { return m_poll; }
    PipelineWorkerHost* host() const { return m_host; }
    qint64 currentJobId() const;

public Q_SLOTS:
    // Re-reads the jobs table (the poll timer calls this).
    void refresh();
    void selectJob(qint64 jobId);
    void startJob();
    void resumeSelected();
    void cancelSelected();
    void editEndpoints();

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    void onOpened();
    void onClosed();
    void onProgress(const PipelineProgress& p);
    void updateButtons();
    void updateBanner();
    void showCurrent();
    void updateEmptyState(bool noJobs);

    PipelineWorkerHost* m_host;
    JobTableModel* m_model;
    QTableView* m_table;
    JobDetailsView* m_details;
    QSplitter* m_splitter;
    QLabel* m_banner;
    EmptyState* m_empty;
    bool m_emptyNeedsDialogues = false;
    QPushButton* m_start;
    QPushButton* m_resume;
    QPushButton* m_cancel;
    QPushButton* m_endpoints;
    QTimer* m_poll;
    QString m_lastError;
    double m_etaS = -1.0;           // of the job running here, from its last progress report
};

} // namespace hw::ui
