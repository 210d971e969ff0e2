#include "ui/pages/runs/runs_page.h"

#include "core/store/training_set_store.h"
#include "core/store/dialogue_store.h"
#include "core/store/run_store.h"
#include "core/train/run_launcher.h"
#include "ui/charts/metric_chart.h"
#include "ui/charts/metric_groups.h"
#include "ui/models/run_table_model.h"
#include "ui/pages/runs/run_details_dialog.h"
#include "ui/pages/runs/start_run_dialog.h"
#include "ui/project_session.h"
#include "ui/settings/settings.h"
#include "ui/style/ui_style.h"
#include "ui/widgets/empty_state.h"
#include "ui/workers/training_worker.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QTableView>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>

namespace hw::ui {

namespace {

Preference<int> runsSmoothing{"runs/smoothing", 60};   // slider position, weight = value / 100
Preference<bool> runsLogScale{"runs/logScale", false};
Preference<int> runsXAxis{"runs/xAxis", 0}; // MetricChart::XAxis
Preference<QByteArray> runsSplitter{"runs/splitter", {}};

} // namespace

RunsPage::RunsPage(ProjectSession* session, QWidget* parent)
    : Page(session, parent), m_model(new RunTableModel(this))
{
    // --- runs table with its actions
    m_start = new QPushButton(tr("Start…"));
    m_start->setToolTip(tr("Train a new run in the workbench"));
    m_resume = new QPushButton(tr("Resume"));
    m_resume->setToolTip(tr("Continue the selected stopped or interrupted run from its latest checkpoint"));
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setToolTip(tr("Stop the selected run after its current step (it writes a checkpoint), also when it "
                          "trains in another process such as hindsight train"));
    m_detailsButton = new QPushButton(tr("Details…"));
    m_detailsButton->setToolTip(tr("Configuration and lineage of the selected run (or double-click a run)"));
    m_status = new QLabel;
    m_status->setStyleSheet(style::mutedTextCss());
    m_status->setWordWrap(true);
    auto* actions = new QHBoxLayout;
    for (auto* b : {m_start, m_resume, m_stop, m_detailsButton})
        actions->addWidget(b);
    actions->addSpacing(12);
    actions->addWidget(m_status, 1);

    m_table = new QTableView;
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->verticalHeader()->hide();
    m_table->setAlternatingRowColors(true);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(RunTableModel::NameColumn, QHeaderView::Interactive);
    m_table->setColumnWidth(RunTableModel::NameColumn, 260);
    m_table->setColumnWidth(RunTableModel::KindColumn, 130);
    m_table->setColumnWidth(RunTableModel::SetColumn, 210); // "demo-hindsight-rl-counseling" whole
    m_table->setColumnWidth(RunTableModel::StatusColumn, 100);
    m_table->setColumnWidth(RunTableModel::StepColumn, 70);
    m_table->setColumnWidth(RunTableModel::BestEvalColumn, 80);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);

    auto* top = new QWidget;
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addLayout(actions);
    topLayout->addWidget(m_table);
    m_empty = new EmptyState;
    m_empty->setContent(tr("No runs yet"),
                        tr("Train an agent on one of the project's training sets: Start… (choose the task, the set "
                           "and SFT, RFT or ILQL), or <tt>hindsight train project.hwb --set NAME --agent sft</tt> in "
                           "a terminal. Its curves show up here while it trains."),
                        tr("Start…"));
    m_empty->hide();
    topLayout->addWidget(m_empty, 1);
    connect(m_empty, &EmptyState::actionTriggered, this, [this] { startDialog(); });

    // --- chart controls and charts
    m_smoothing = new QSlider(Qt::Horizontal);
    m_smoothing->setRange(0, 99);
    m_smoothing->setFixedWidth(180);
    m_smoothing->setToolTip(tr("Exponential moving average of the curves (the faint line is the raw value)"));
    m_smoothingLabel = new QLabel;
    m_smoothingLabel->setMinimumWidth(36);
    m_log = new QCheckBox(tr("Log scale"));
    m_log->setToolTip(tr("Logarithmic y axes (values at or below zero are left out)"));
    m_xAxis = new QComboBox;
    m_xAxis->setObjectName(QStringLiteral("xAxis"));
    m_xAxis->addItem(tr("Step"), int(MetricChart::XAxis::Step));
    m_xAxis->addItem(tr("Relative time"), int(MetricChart::XAxis::RelativeTime));
    m_xAxis->addItem(tr("Wall clock"), int(MetricChart::XAxis::WallClock));
    m_xAxis->setToolTip(tr("Draw the curves against the optimizer step, the minutes since each run started, or "
                           "the time of day"));
    auto* hint = new QLabel(tr("Select several runs to overlay them · hover for values · drag to zoom"));
    hint->setStyleSheet(style::mutedTextCss());
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Smoothing")));
    controls->addWidget(m_smoothing);
    controls->addWidget(m_smoothingLabel);
    controls->addSpacing(16);
    controls->addWidget(m_log);
    controls->addSpacing(16);
    controls->addWidget(new QLabel(tr("X axis")));
    controls->addWidget(m_xAxis);
    controls->addStretch(1);
    controls->addWidget(hint);

    auto* grid = new QGridLayout;
    grid->setSpacing(6);
    for (int g = 0; g < kMetricGroupCount; ++g)
        m_charts[size_t(g)] = new MetricChart(metricGroupTitle(static_cast<MetricGroup>(g)));
    // The learning rate is orders of magnitude below the gradient norm: its own axis.
    m_charts[size_t(MetricGroup::Optimizer)]->setRightAxisRule(&isLearningRateMetric);
    grid->addWidget(m_charts[0], 0, 0);
    grid->addWidget(m_charts[1], 0, 1);
    grid->addWidget(m_charts[2], 1, 0);
    grid->addWidget(m_charts[3], 1, 1);
    grid->addWidget(m_charts[4], 2, 0, 1, 2);
    m_otherBox = m_charts[4];
    m_otherBox->hide();

    auto* bottom = new QWidget;
    m_chartsPane = bottom;
    auto* bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->addLayout(controls);
    bottomLayout->addLayout(grid, 1);

    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(top);
    splitter->addWidget(bottom);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    splitter->setChildrenCollapsible(false);
    if (!runsSplitter.get().isEmpty())
        splitter->restoreState(runsSplitter.get());
    else
        splitter->setSizes({260, 600}); // about eight runs above the charts
    connect(splitter, &QSplitter::splitterMoved, this, [splitter] { runsSplitter = splitter->saveState(); });

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    // --- wiring
    const int smooth = std::clamp(runsSmoothing.get(), 0, 99);
    m_smoothing->setValue(smooth);
    m_smoothingLabel->setText(QString::number(smooth / 100.0, 'f', 2));
    m_log->setChecked(runsLogScale.get());
    m_xAxis->setCurrentIndex(std::clamp(runsXAxis.get(), 0, 2));
    for (auto* c : m_charts) {
        c->setSmoothing(smooth / 100.0);
        c->setLogScale(m_log->isChecked());
        c->setXAxis(static_cast<MetricChart::XAxis>(m_xAxis->currentData().toInt()));
    }
    connect(m_xAxis, &QComboBox::currentIndexChanged, this, [this] {
        runsXAxis = m_xAxis->currentIndex();
        for (auto* c : m_charts)
            c->setXAxis(static_cast<MetricChart::XAxis>(m_xAxis->currentData().toInt()));
    });
    connect(m_smoothing, &QSlider::valueChanged, this, [this](int v) {
        m_smoothingLabel->setText(QString::number(v / 100.0, 'f', 2));
        runsSmoothing = v;
        for (auto* c : m_charts)
            c->setSmoothing(v / 100.0);
    });
    connect(m_log, &QCheckBox::toggled, this, [this](bool on) {
        runsLogScale = on;
        for (auto* c : m_charts)
            c->setLogScale(on);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunsPage::onSelectionChanged);
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        openDetails(index.data(RunTableModel::RunIdRole).toLongLong());
    });
    connect(m_start, &QPushButton::clicked, this, &RunsPage::startDialog);
    connect(m_resume, &QPushButton::clicked, this, &RunsPage::resumeSelected);
    connect(m_stop, &QPushButton::clicked, this, &RunsPage::stopSelected);
    connect(m_detailsButton, &QPushButton::clicked, this, [this] {
        const auto runs = selectedRuns();
        if (!runs.isEmpty())
            openDetails(runs.front());
    });
    connect(m_model, &QAbstractItemModel::dataChanged, this, &RunsPage::updateActions);

    connect(session, &ProjectSession::opened, this, &RunsPage::startPolling);
    connect(session, &ProjectSession::closed, this, &RunsPage::stopPolling);
    connect(session, &ProjectSession::runsChanged, this, [this] {
        if (m_poller)
            QMetaObject::invokeMethod(m_poller, &MetricsPoller::pollNow, Qt::QueuedConnection);
    });
    if (session->isOpen())
        startPolling();
    updateActions();
    updateEmptyHints();
}

RunsPage::~RunsPage()
{
    if (m_trainer)
        m_trainer->stop();
    if (m_trainThread) {
        m_trainThread->quit();
        m_trainThread->wait();
    }
    stopPolling();
}

QIcon RunsPage::icon() const { return QIcon(QStringLiteral(":/icons/runs.png")); }

void RunsPage::activated()
{
    if (m_poller)
        QMetaObject::invokeMethod(m_poller, &MetricsPoller::pollNow, Qt::QueuedConnection);
}

MetricChart* RunsPage::chart(int group) const
{
    return group >= 0 && group < kMetricGroupCount ? m_charts[size_t(group)] : nullptr;
}

void RunsPage::setPollInterval(int ms)
{
    m_pollMs = ms;
    if (session()->isOpen())
        startPolling();
}

void RunsPage::setSmoothing(double weight) { m_smoothing->setValue(static_cast<int>(std::lround(weight * 100))); }
void RunsPage::setLogScale(bool on) { m_log->setChecked(on); }
void RunsPage::setXAxis(int mode) { m_xAxis->setCurrentIndex(m_xAxis->findData(mode)); }

void RunsPage::updateEmptyHints()
{
    // What to do first, in the chart itself.
    QString hint;
    if (!session()->isOpen())
        hint = tr("Open a project (File ▸ Open)");
    else if (m_model->runs().empty())
        hint = tr("No runs yet: Start… trains one here (or run hindsight train)");
    else if (m_shown.isEmpty())
        hint = tr("Select a run in the table above");
    else
        hint = tr("No metrics of this kind in the selected runs yet");
    for (auto* c : m_charts)
        c->setEmptyHint(hint);
    // Once the project's runs are read (not while the first poll is on its way): none at all.
    if (!m_chartsPane)
        return;
    const bool empty = session()->isOpen() && m_runsRead && m_model->runs().empty();
    m_table->setVisible(!empty);
    m_chartsPane->setVisible(!empty);
    m_empty->setVisible(empty);
}

void RunsPage::startPolling()
{
    stopPolling();
    m_history.clear();
    m_shown.clear();
    m_autoSelected = false;
    for (auto* c : m_charts)
        c->clearSeries();
    m_model->setRuns({});
    m_runsRead = false;
    m_status->clear(); // a message about the previous project's runs
    updateEmptyHints();
    if (!session()->isOpen())
        return;
    m_pollThread = new QThread(this);
    m_pollThread->setObjectName(QStringLiteral("metrics-poller"));
    m_poller = new MetricsPoller;
    m_poller->moveToThread(m_pollThread);
    connect(m_pollThread, &QThread::finished, m_poller, &QObject::deleteLater);
    connect(m_poller, &MetricsPoller::runsChanged, this, &RunsPage::onRuns);
    connect(m_poller, &MetricsPoller::metricsAppended, this, &RunsPage::onMetrics);
    connect(m_poller, &MetricsPoller::runMetricsReplaced, this, &RunsPage::onRunReplaced);
    connect(m_poller, &MetricsPoller::failed, this, [this](const QString& msg) {
        m_status->setText(tr("Cannot read the project's runs: %1").arg(msg));
    });
    m_pollThread->start();
    const QString path = session()->path();
    const int ms = m_pollMs;
    MetricsPoller* poller = m_poller;
    QMetaObject::invokeMethod(poller, [poller, path, ms] { poller->start(path, ms); }, Qt::QueuedConnection);
}

void RunsPage::stopPolling()
{
    if (!m_pollThread)
        return;
    // The poller (its timer and read connection) is deleted on its own thread when it ends.
    m_pollThread->quit();
    m_pollThread->wait();
    delete m_pollThread;
    m_pollThread = nullptr;
    m_poller = nullptr;
}

void RunsPage::onRuns(const RunList& runs)
{
    // Forget runs that were deleted.
    for (const auto& old : m_model->runs()) {
        const bool present = std::any_of(runs.begin(), runs.end(), [&](const auto& r) { return r.id == old.id; });
        if (!present) {
            m_history.removeRun(old.id);
            for (auto* c : m_charts)
                for (const auto& k : c->seriesKeys())
                    if (k.runId == old.id)
                        c->removeSeries(k);
            m_shown.removeAll(old.id);
        }
    }
    qint64 newLocalRun = 0;
    if (m_trainThread && m_trainRunId == 0) {
        for (const auto& r : runs)
            if (r.id > m_maxRunIdAtStart && r.status == "running")
                m_trainRunId = newLocalRun = r.id;
    }
    m_model->setLocalRuns(m_trainThread && m_trainRunId ? QList<qint64>{m_trainRunId} : QList<qint64>{});
    m_model->setRuns(runs);
    m_runsRead = true;
    // The run just started here is what the user wants to watch: select it.
    if (newLocalRun > 0) {
        if (const int row = m_model->rowOf(newLocalRun); row >= 0) {
            m_table->selectRow(row);
            m_table->scrollTo(m_model->index(row, 0));
        }
    }

    // First look at a project: show the newest run (the running one when there is one).
    if (!m_autoSelected && !runs.empty()) {
        m_autoSelected = true;
        qint64 pick = runs.back().id;
        for (const auto& r : runs)
            if (r.status == "running")
                pick = r.id;
        const int row = m_model->rowOf(pick);
        if (row >= 0)
            m_table->selectRow(row);
    }
    updateActions();
    updateEmptyHints();
}

void RunsPage::onMetrics(const MetricBatch& batch)
{
    const auto appended = m_history.append(batch);
    for (const auto& a : appended) {
        const int runIndex = m_shown.indexOf(a.runId);
        if (runIndex < 0)
            continue;
        const auto group = static_cast<int>(metricGroupOf(a.metric));
        MetricChart* chart = m_charts[size_t(group)];
        const MetricChart::SeriesKey key{a.runId, a.metric};
        if (chart->hasSeries(key)) {
            chart->appendPoints(key, a.points, a.wallTimes);
        } else {
            chart->addSeries(key, seriesLabel(a.runId, a.metric), runIndex, m_history.points(a.runId, a.metric),
                             m_history.wallTimes(a.runId, a.metric));
            if (group == static_cast<int>(MetricGroup::Other))
                m_otherBox->show();
        }
    }
    Q_EMIT metricsUpdated();
}

void RunsPage::onRunReplaced(qint64 runId, const MetricBatch& all)
{
    m_history.replaceRun(runId, all);
    const int runIndex = m_shown.indexOf(runId);
    if (runIndex >= 0) {
        for (auto* c : m_charts)
            for (const auto& k : c->seriesKeys())
                if (k.runId == runId)
                    c->removeSeries(k);
        addRunToCharts(runId, runIndex);
    }
    Q_EMIT metricsUpdated();
}

QString RunsPage::seriesLabel(qint64 runId, const QString& metric) const
{
    // Overlaid runs: "#12 loss" (the line style tells runs apart, the colour metrics; the legend
    // wraps, so the label is never cut).
    return m_shown.size() > 1 ? QStringLiteral("#%1 %2").arg(runId).arg(metric) : metric;
}

void RunsPage::addRunToCharts(qint64 runId, int runIndex)
{
    for (const QString& metric : m_history.metrics(runId)) {
        const auto group = static_cast<int>(metricGroupOf(metric));
        m_charts[size_t(group)]->addSeries({runId, metric}, seriesLabel(runId, metric), runIndex,
                                           m_history.points(runId, metric), m_history.wallTimes(runId, metric));
    }
}

QList<qint64> RunsPage::selectedRuns() const
{
    QList<qint64> ids;
    for (const QModelIndex& idx : m_table->selectionModel()->selectedRows())
        ids << idx.data(RunTableModel::RunIdRole).toLongLong();
    std::sort(ids.begin(), ids.end());
    return ids;
}

void RunsPage::onSelectionChanged()
{
    showRuns(selectedRuns());
    updateActions();
}

void RunsPage::showRuns(const QList<qint64>& runIds)
{
    if (runIds == m_shown)
        return;
    // Series of runs still shown stay (no redraw); the others go; new runs are added.
    const QList<qint64> before = m_shown;
    m_shown = runIds;
    const bool labelsChange = (before.size() > 1) != (runIds.size() > 1);
    for (auto* c : m_charts)
        for (const auto& k : c->seriesKeys())
            if (!m_shown.contains(k.runId) || labelsChange || before.indexOf(k.runId) != m_shown.indexOf(k.runId))
                c->removeSeries(k);
    for (int i = 0; i < m_shown.size(); ++i)
        addRunToCharts(m_shown[i], i);
    bool other = false;
    for (int i = 0; i < m_shown.size() && !other; ++i)
        for (const QString& m : m_history.metrics(m_shown[i]))
            other = other || metricGroupOf(m) == MetricGroup::Other;
    m_otherBox->setVisible(other);
    updateEmptyHints();
}

void RunsPage::updateActions()
{
    const bool open = session()->isOpen();
    const auto sel = selectedRuns();
    std::optional<hw::RunSummary> run;
    if (sel.size() == 1)
        run = m_model->run(sel.front());
    const auto kinds = hw::launchableKinds();
    const bool launchable = run && std::find(kinds.begin(), kinds.end(), run->kind) != kinds.end();
    m_start->setEnabled(open && !m_trainThread);
    m_resume->setEnabled(open && !m_trainThread && run && RunTableModel::isResumable(*run) && launchable);
    if (run && RunTableModel::isResumable(*run) && !launchable)
        m_resume->setToolTip(tr("Resume this run from the command line: hindsight train … --resume %1").arg(run->id));
    else if (run && run->stale)
        m_resume->setToolTip(tr("The process training this run is gone: continue it here from its latest checkpoint"));
    else
        m_resume->setToolTip(tr("Continue the selected stopped or interrupted run from its latest checkpoint"));
    const bool localStop = m_trainThread && m_trainer && !m_trainer->stopRequested();
    m_stop->setEnabled(open && (remoteStopTarget() > 0 || localStop));
    m_detailsButton->setEnabled(sel.size() == 1);
}

void RunsPage::startDialog()
{
    if (!session()->isOpen())
        return;
    QStringList tasks;
    QList<StartRunDialog::SetChoice> sets;
    try {
        hw::DialogueStore ds(session()->db());
        for (const auto& t : ds.tasks())
            tasks << QString::fromStdString(t.name);
        for (const auto& set : hw::TrainingSetStore(session()->db()).list())
            sets.append({QString::fromStdString(set.name), QString::fromStdString(set.task)});
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Start a run"), QString::fromUtf8(e.what()));
        return;
    }
    StartRunDialog dialog(session()->path(), tasks, sets, this);
    if (dialog.exec() == QDialog::Accepted)
        startTraining(dialog.request());
}

void RunsPage::resumeSelected()
{
    const auto sel = selectedRuns();
    if (sel.size() != 1)
        return;
    const auto run = m_model->run(sel.front());
    if (!run || !RunTableModel::isResumable(*run))
        return;
    hw::RunLaunchRequest r;
    r.projectPath = session()->path().toStdString();
    r.kind = run->kind;
    r.resumeDir = run->checkpointDir;
    if (startTraining(r))
        m_trainRunId = run->id;
}

bool RunsPage::startTraining(const hw::RunLaunchRequest& request)
{
    if (m_trainThread)
        return false;
    qint64 maxId = 0;
    for (const auto& r : m_model->runs())
        maxId = std::max<qint64>(maxId, r.id);
    m_maxRunIdAtStart = maxId;
    m_trainRunId = 0;
    m_trainThread = new QThread(this);
    m_trainThread->setObjectName(QStringLiteral("training"));
    m_trainer = new TrainingWorker;
    m_trainer->moveToThread(m_trainThread);
    connect(m_trainThread, &QThread::finished, m_trainer, &QObject::deleteLater);
    connect(m_trainer, &TrainingWorker::progress, this, [this](qint64 done, qint64 total, const QString& msg) {
        m_status->setText(total > 0 ? tr("Training: %1 (%2/%3)").arg(msg).arg(done).arg(total)
                                    : tr("Training: %1").arg(msg));
    });
    connect(m_trainer, &TrainingWorker::note, this, [this](const QString& line) { m_status->setText(line); });
    connect(m_trainer, &TrainingWorker::finished, this, [this](qint64 runId, const QString& status, const QString&) {
        m_status->setText(runId > 0 ? tr("Run #%1 %2.").arg(runId).arg(status) : tr("Training %1.").arg(status));
        session()->showStatus(m_status->text());
        trainingEnded();
    });
    connect(m_trainer, &TrainingWorker::failed, this, [this](const QString& msg) {
        m_status->setText(tr("Training failed: %1").arg(msg));
        session()->showStatus(m_status->text(), 30000); // the page keeps it; the bar must not outlive it
        trainingEnded();
    });
    m_trainThread->start();
    TrainingWorker* worker = m_trainer;
    QMetaObject::invokeMethod(worker, [worker, request] { worker->run(request); }, Qt::QueuedConnection);
    m_status->setText(request.resumeDir.empty() ? tr("Starting %1…").arg(QString::fromStdString(request.kind))
                                                : tr("Resuming from %1…").arg(QString::fromStdString(request.resumeDir)));
    updateActions();
    return true;
}

qint64 RunsPage::remoteStopTarget() const
{
    const auto sel = selectedRuns();
    if (sel.size() != 1 || !session()->isOpen())
        return 0;
    const auto run = m_model->run(sel.front());
    if (!run || run->status != "running" || run->stale || run->stopRequested)
        return 0;
    // The run this GUI trains stops through its worker's token at once; any other (another
    // process, or the second stage of our ILQL job) through the project file.
    if (m_trainThread && run->id == m_trainRunId)
        return 0;
    return run->id;
}

void RunsPage::stopSelected()
{
    if (const qint64 id = remoteStopTarget())
        requestStop(id);
    else
        stopTraining();
}

bool RunsPage::requestStop(qint64 runId)
{
    if (!session()->isOpen())
        return false;
    bool asked = false;
    try {
        asked = hw::RunStore(session()->db()).requestStop(runId);
    } catch (const std::exception& e) {
        m_status->setText(tr("Cannot ask run #%1 to stop: %2").arg(runId).arg(QString::fromUtf8(e.what())));
        return false;
    }
    m_status->setText(asked ? tr("Asked run #%1 to stop after its current step (it writes a checkpoint).").arg(runId)
                            : tr("Run #%1 is not running.").arg(runId));
    if (m_poller)
        QMetaObject::invokeMethod(m_poller, &MetricsPoller::pollNow, Qt::QueuedConnection);
    updateActions();
    return asked;
}

void RunsPage::stopTraining()
{
    if (!m_trainer)
        return;
    m_trainer->stop();
    m_status->setText(tr("Stopping after the current step…"));
    updateActions();
}

void RunsPage::trainingEnded()
{
    if (m_trainThread) {
        m_trainThread->quit();
        m_trainThread->wait();
        delete m_trainThread;
    }
    m_trainThread = nullptr;
    m_trainer = nullptr;
    m_trainRunId = 0;
    m_model->setLocalRuns({});
    session()->notifyRunsChanged();
    updateActions();
}

void RunsPage::openDetails(qint64 runId)
{
    if (!session()->isOpen() || runId <= 0)
        return;
    try {
        hw::RunStore store(session()->db());
        const auto details = store.details(runId);
        if (!details)
            return;
        if (!m_details)
            m_details = new RunDetailsDialog(this);
        m_details->setDetails(*details, store.samples(runId));
        m_details->show();
        m_details->raise();
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Run details"), QString::fromUtf8(e.what()));
    }
}

} // namespace hw::ui
