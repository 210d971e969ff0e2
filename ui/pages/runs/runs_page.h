#pragma once
// Training monitor: every run of the project (agent, set, status, steps, best eval) with
// start / stop / resume, and live charts of the selected runs, one per metric group, overlaid
// for comparison. Progress comes from a MetricsPoller reading the project file on its own thread,
// so a run trained by `hindsight train` in a terminal shows up as it happens, like one started here.
#include "ui/models/run_metric_history.h"
#include "ui/pages/page.h"
#include "ui/workers/metrics_poller.h"

#include <QList>

#include <array>
#include <memory>
#include <set>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QTableView;
class QThread;

namespace hw {
struct RunLaunchRequest;
}

namespace hw::ui {

class EmptyState;

class MetricChart;
class RunDetailsDialog;
class RunTableModel;
class TrainingWorker;

class RunsPage : public Page {
    Q_OBJECT
public:
    explicit RunsPage(ProjectSession* session, QWidget* parent = nullptr);
    ~RunsPage() override;

    QString title() const override { return tr("Runs"); }
    QIcon icon() const override;
    void activated() override;

    // Starts training in this process (the Start and Resume buttons end here).
    bool startTraining(const hw::RunLaunchRequest& request);
    // Stops the run this GUI trains (its worker's stop token).
    void stopTraining();
    // Asks the process training run `runId` (another workbench, `hindsight train` in a terminal)
    // to stop after its current step, through the project file. False when it is not running.
    bool requestStop(qint64 runId);
    // The Stop button: the selected running run, wherever it trains, else this GUI's run.
    void stopSelected();
    bool isTraining() const { return m_trainThread != nullptr; }

    // Which runs the charts show (the table's selection).
    void showRuns(const QList<qint64>& runIds);
    QList<qint64> shownRuns() const { return m_shown; }
    void openDetails(qint64 runId);

    // Tests and screenshots.
    RunTableModel* model() const { return m_model; }
    EmptyState* emptyState() const { return m_empty; }
    QTableView* table() const { return m_table; }
    QPushButton* stopButton() const { return m_stop; }
    QPushButton* resumeButton() const { return m_resume; }
    MetricChart* chart(int group) const;
    const RunMetricHistory& history() const { return m_history; }
    void setPollInterval(int ms);
    void setSmoothing(double weight);
    void setLogScale(bool on);
    void setXAxis(int mode); // MetricChart::XAxis
    RunDetailsDialog* detailsDialog() const { return m_details; }

Q_SIGNALS:
    // A poll brought something new (tests wait on it).
    void metricsUpdated();

private:
    void startPolling();
    void stopPolling();
    void onRuns(const hw::ui::RunList& runs);
    void onMetrics(const hw::ui::MetricBatch& batch);
    void onRunReplaced(qint64 runId, const hw::ui::MetricBatch& all);
    void onSelectionChanged();
    void addRunToCharts(qint64 runId, int runIndex);
    QString seriesLabel(qint64 runId, const QString& metric) const;
    void relabelSeries();
    void updateActions();
    void updateEmptyHints();
    void startDialog();
public:
    // The Resume button: continues the selected stopped, failed or interrupted run here.
    void resumeSelected();

private:
    // A running run of another process that the Stop button would ask to stop (0 = none).
    qint64 remoteStopTarget() const;
    QList<qint64> selectedRuns() const;
    void trainingEnded();

    RunTableModel* m_model;
    QTableView* m_table;
    QPushButton* m_start;
    QPushButton* m_stop;
    QPushButton* m_resume;
    QPushButton* m_detailsButton;
    QLabel* m_status;
    QSlider* m_smoothing;
    QLabel* m_smoothingLabel;
    QCheckBox* m_log;
    QComboBox* m_xAxis;
    std::array<MetricChart*, 5> m_charts{};
    QWidget* m_otherBox = nullptr;
    QWidget* m_chartsPane = nullptr;   // hidden, with the table, while the project has no run
    EmptyState* m_empty = nullptr;
    bool m_runsRead = false;           // the poller answered once for this project
    RunDetailsDialog* m_details = nullptr;

    RunMetricHistory m_history;
    QList<qint64> m_shown;
    bool m_autoSelected = false;

    QThread* m_pollThread = nullptr;
    MetricsPoller* m_poller = nullptr;
    int m_pollMs = 500;

    QThread* m_trainThread = nullptr;
    TrainingWorker* m_trainer = nullptr;
    qint64 m_trainRunId = 0;          // the run this process trains (0 until it appears)
    qint64 m_maxRunIdAtStart = 0;     // runs above it that appear while training are ours
};

} // namespace hw::ui
