// Training monitor: the metric chart grows by appends (no rebuild), smoothing and log scale, the
// runs model updates in place, and the runs page follows a run written by another connection and
// by the real `hindsight train-lm` in another process, live, without resetting its series.
#include "core/store/database.h"
#include "core/store/run_store.h"
#include "core/train/run_launcher.h"
#include "core/train/run_recorder.h"
#include "support/test_paths.h"
#include "support/tiny_chat_checkpoint.h"
#include "ui/charts/metric_chart.h"
#include "ui/charts/metric_groups.h"
#include "ui/models/run_metric_history.h"
#include "ui/models/run_table_model.h"
#include "ui/pages/runs/run_details_dialog.h"
#include "ui/pages/runs/runs_page.h"
#include "ui/pages/runs/start_run_dialog.h"
#include "ui/project_session.h"
#include "ui/settings/settings.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QPushButton>
#include <QSpinBox>
#include <QLineSeries>
#include <QChart>
#include <QProcess>
#include <QSignalSpy>
#include <QTableView>
#include <QTreeWidget>
#include <QtTest>

#include <csignal>
#include <fstream>

using namespace hw::ui;

namespace {

QVector<QPointF> ramp(int from, int to, double scale = 1.0)
{
    QVector<QPointF> p;
    for (int s = from; s <= to; ++s)
        p << QPointF(s, scale / (1 + s));
    return p;
}

QLineSeries* lineOf(MetricChart* chart, const QString& name)
{
    for (auto* s : chart->chart()->series())
        if (auto* l = qobject_cast<QLineSeries*>(s); l && l->name() == name)
            return l;
    return nullptr;
}

} // namespace

class TestUiRuns : public QObject {
    Q_OBJECT
    QTemporaryDir m_settings;

private Q_SLOTS:
    void initTestCase()
    {
        Settings::instance().setFile(m_settings.filePath(QStringLiteral("settings.ini")));
        qputenv("HW_CONFIG_DIR", m_settings.path().toUtf8());
        qputenv("HW_DEVICE", "cpu");
    }

    void metricGroups_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("group");
        QTest::newRow("loss") << "loss" << int(MetricGroup::Losses);
        QTest::newRow("eval_loss") << "eval_loss" << int(MetricGroup::Losses);
        QTest::newRow("q_loss") << "q_loss" << int(MetricGroup::Losses);
        QTest::newRow("eval_ppl") << "eval_ppl" << int(MetricGroup::Losses);
        QTest::newRow("mean_q") << "mean_q" << int(MetricGroup::Values);
        QTest::newRow("v_mean") << "v_mean" << int(MetricGroup::Values);
        QTest::newRow("advantage") << "mean_advantage" << int(MetricGroup::Values);
        QTest::newRow("lr") << "lr" << int(MetricGroup::Optimizer);
        QTest::newRow("grad_norm") << "grad_norm" << int(MetricGroup::Optimizer);
        QTest::newRow("tokens_per_s") << "tokens_per_s" << int(MetricGroup::Throughput);
        QTest::newRow("step_time") << "step_time" << int(MetricGroup::Throughput);
        QTest::newRow("entropy") << "policy_entropy" << int(MetricGroup::Other);
    }
    void metricGroups()
    {
        QFETCH(QString, name);
        QFETCH(int, group);
        QCOMPARE(int(metricGroupOf(name)), group);
    }

    void chartAppendsWithoutRebuild()
    {
        MetricChart chart(QStringLiteral("Losses"));
        const MetricChart::SeriesKey key{1, QStringLiteral("loss")};
        chart.addSeries(key, QStringLiteral("loss"), 0, ramp(0, 9));
        QCOMPARE(chart.seriesCount(), 1);
        QCOMPARE(chart.rawPointCount(key), qsizetype(10));
        QLineSeries* line = lineOf(&chart, QStringLiteral("loss"));
        QVERIFY(line);
        QCOMPARE(line->count(), 10);
        const int rebuilds = chart.rebuildCount();
        QSignalSpy added(line, &QXYSeries::pointAdded);
        QSignalSpy replaced(line, &QXYSeries::pointsReplaced);
        chart.appendPoints(key, ramp(10, 14));
        QCOMPARE(line->count(), 15);
        QCOMPARE(lineOf(&chart, QStringLiteral("loss")), line); // same series object
        QCOMPARE(chart.rebuildCount(), rebuilds);
        QCOMPARE(replaced.count(), 0);
        QVERIFY(added.count() >= 1);

        // A resumed run rewrote steps 12..: the tail is cut, then appended, still no rebuild.
        chart.appendPoints(key, QVector<QPointF>{{12, 5.0}, {13, 6.0}});
        QCOMPARE(chart.rawPointCount(key), qsizetype(14));
        QCOMPARE(line->count(), 14);
        QCOMPARE(line->at(12).y(), 5.0);
        QCOMPARE(chart.rebuildCount(), rebuilds);

        // Hover text names the series and its value at the nearest step.
        const QString hover = chart.valuesAt(12.2);
        QVERIFY2(hover.contains(QStringLiteral("step 12")) && hover.contains(QStringLiteral("loss: 5")), qPrintable(hover));
    }

    void chartSmoothingAndLog()
    {
        MetricChart chart(QStringLiteral("Values"));
        const MetricChart::SeriesKey key{1, QStringLiteral("mean_q")};
        QVector<QPointF> pts;
        for (int s = 0; s < 20; ++s)
            pts << QPointF(s, s % 2 ? 1.0 : -1.0);
        chart.addSeries(key, QStringLiteral("mean_q"), 0, pts);
        QCOMPARE(chart.shownPointCount(key), qsizetype(20));
        chart.setSmoothing(0.9);
        QLineSeries* line = lineOf(&chart, QStringLiteral("mean_q"));
        // Smoothed: the alternating ±1 collapses towards 0 (debiased EMA).
        QVERIFY(std::abs(line->at(19).y()) < 0.3);
        QVERIFY(std::abs(line->at(0).y() - (-1.0)) < 1e-9);
        chart.setSmoothing(0.0);
        QCOMPARE(line->at(19).y(), 1.0);
        chart.setLogScale(true);
        QCOMPARE(chart.shownPointCount(key), qsizetype(10)); // the -1 are left out on a log axis
        chart.appendPoints(key, {{20, 2.0}, {21, -3.0}});
        QCOMPARE(chart.shownPointCount(key), qsizetype(11));
        chart.setLogScale(false);
        QCOMPARE(chart.shownPointCount(key), qsizetype(22));
    }

    void historyAppendAndRewind()
    {
        RunMetricHistory h;
        std::vector<hw::MetricPoint> rows = {{1, 7, 10, "loss", 1.0, 0}, {2, 7, 10, "lr", 0.1, 0}, {3, 7, 20, "loss", 0.5, 0}};
        auto a = h.append(rows);
        QCOMPARE(a.size(), size_t(2));
        QCOMPARE(a[0].points.size(), qsizetype(2));
        QCOMPARE(h.points(7, QStringLiteral("loss")).size(), qsizetype(2));
        h.append({{4, 7, 15, "loss", 0.7, 0}});
        QCOMPARE(h.points(7, QStringLiteral("loss")).size(), qsizetype(2));
        QCOMPARE(h.points(7, QStringLiteral("loss")).back().x(), 15.0);
        QCOMPARE(h.metrics(7), (QStringList{QStringLiteral("loss"), QStringLiteral("lr")}));
        h.removeRun(7);
        QCOMPARE(h.pointCount(), qsizetype(0));
    }

    void runModelUpdatesInPlace()
    {
        RunTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        hw::RunSummary a;
        a.id = 1;
        a.name = "sft";
        a.kind = "lm-policy-sft";
        a.status = "running";
        hw::RunSummary b = a;
        b.id = 3;
        b.kind = "ilql";
        model.setRuns({a, b});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(inserted.count(), 2);
        a.step = 40;
        model.setRuns({a, b});
        QCOMPARE(changed.count(), 1);
        hw::RunSummary c = a;
        c.id = 2;
        model.setRuns({a, c, b});
        QCOMPARE(model.rowOf(2), 1);
        b.status = "stopped";
        b.checkpointDir = "/x";
        model.setRuns({a, b});
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(model.index(1, 0).data(RunTableModel::ResumableRole).toBool());
        QCOMPARE(model.index(1, RunTableModel::KindColumn).data().toString(), QStringLiteral("ILQL"));
        QCOMPARE(resets.count(), 0);
    }

    // A run left 'running' by a process that died is shown as interrupted and is resumable once it
    // has a checkpoint; a stop request waiting for its trainer shows as "stopping…".
    void runModelShowsInterruptedRuns()
    {
        RunTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        hw::RunSummary r;
        r.id = 4;
        r.kind = "ilql";
        r.status = "running";
        r.checkpointDir = "/runs/ilql-4/step-20";
        r.hasCheckpoint = true;
        r.ownerHost = "lab";
        r.ownerPid = 4242;
        model.setRuns({r});
        const QModelIndex status = model.index(0, RunTableModel::StatusColumn);
        QCOMPARE(status.data().toString(), QStringLiteral("running"));
        QVERIFY(!status.data(RunTableModel::ResumableRole).toBool());
        r.stopRequested = true;
        model.setRuns({r});
        QCOMPARE(status.data().toString(), QStringLiteral("stopping…"));
        r.stopRequested = false;
        r.stale = true;
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setRuns({r});
        QCOMPARE(changed.count(), 1);
        QCOMPARE(status.data().toString(), QStringLiteral("interrupted"));
        QVERIFY(status.data(RunTableModel::StaleRole).toBool());
        QVERIFY(status.data(RunTableModel::ResumableRole).toBool());
        QVERIFY(status.data(Qt::ToolTipRole).toString().contains(QStringLiteral("pid 4242 on lab")));
        r.hasCheckpoint = false;   // died before its first checkpoint: nothing to resume
        model.setRuns({r});
        QVERIFY(!status.data(RunTableModel::ResumableRole).toBool());
    }

    // "Optimizer steps" of an ILQL run are whole iterations, rounded up (never fewer steps than
    // asked for), and the dialog says so.
    void startDialogRoundsIlqlStepsUp()
    {
        StartRunDialog dialog(QStringLiteral("/nowhere/p.hwb"), {QStringLiteral("counseling")}, {});
        auto* kind = dialog.findChild<QComboBox*>(QStringLiteral("kind"));
        auto* steps = dialog.findChild<QSpinBox*>(QStringLiteral("maxSteps"));
        QVERIFY(kind && steps);
        kind->setCurrentIndex(kind->findData(QStringLiteral("ilql")));
        QVERIFY(dialog.stepsNote().contains(QStringLiteral("100 × 60 = 6000")));   // the paper's recipe
        steps->setValue(100);
        QCOMPARE(dialog.request().overrides["maxSteps"].get<int>(), 100);
        QCOMPARE(*hw::plannedAgentSteps(dialog.request()), int64_t(120));           // 2 x 60, not 1 x 60
        QVERIFY2(dialog.stepsNote().contains(QStringLiteral("2 × 60 = 120")) && dialog.stepsNote().contains(QStringLiteral("rounded up")),
                 qPrintable(dialog.stepsNote()));
        steps->setValue(120);
        QCOMPARE(*hw::plannedAgentSteps(dialog.request()), int64_t(120));
        QVERIFY(!dialog.stepsNote().contains(QStringLiteral("rounded up")));
        steps->setValue(30);                                                         // under one iteration
        QCOMPARE(*hw::plannedAgentSteps(dialog.request()), int64_t(30));
        kind->setCurrentIndex(kind->findData(QStringLiteral("sft")));
        steps->setValue(100);
        QCOMPARE(*hw::plannedAgentSteps(dialog.request()), int64_t(100));
        QVERIFY(dialog.stepsNote().contains(QStringLiteral("100 behaviour-cloning steps")));
    }

    // Runs trained by another process: the page stops one through the project file (the CLI
    // stops with a checkpoint), shows one whose process was killed as interrupted, and resumes it
    // here in place.
    void pageStopsAndResumesRunsOfOtherProcesses()
    {
        const QString cli = QString::fromStdString(hwtest::cliPath());
        if (!QFileInfo::exists(cli))
            QSKIP("hindsight CLI not built");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("other.hwb"));
        hw::Database::create(path.toStdString());
        hwtest::makeChatProject(path.toStdString());
        const QString cfg = dir.filePath(QStringLiteral("cfg.json"));
        std::ofstream(cfg.toStdString()) << R"({"checkpointEvery": 5, "logEvery": 5, "evalEvery": 0, "device": "cpu"})";
        ProjectSession session;
        QVERIFY(session.open(path));
        RunsPage page(&session);
        page.setPollInterval(50);
        page.resize(1200, 800);
        page.show();

        auto startCli = [&](QProcess& p, const QString& out) {
            p.setProcessChannelMode(QProcess::MergedChannels);
            p.start(cli, {QStringLiteral("train-lm"), path, QStringLiteral("--role"), QStringLiteral("policy-sft"),
                          QStringLiteral("--tiny"), QStringLiteral("--config"), cfg, QStringLiteral("--max-steps"),
                          QStringLiteral("1000000"), QStringLiteral("--max-seconds"), QStringLiteral("240"),
                          QStringLiteral("--out"), out, QStringLiteral("--quiet")});
            return p.waitForStarted();
        };
        auto newest = [&]() -> std::optional<hw::RunSummary> {
            const auto& runs = page.model()->runs();
            return runs.empty() ? std::nullopt : std::optional<hw::RunSummary>(runs.back());
        };

        // 1. Stop from the page a run the CLI trains.
        QProcess first;
        QVERIFY(startCli(first, dir.filePath(QStringLiteral("first"))));
        QTRY_VERIFY_WITH_TIMEOUT((newest() && newest()->step >= 5) || first.state() == QProcess::NotRunning, 120000);
        QVERIFY2(first.state() == QProcess::Running, first.readAll().constData());
        const qint64 firstId = newest()->id;
        page.table()->selectRow(page.model()->rowOf(firstId));
        QTRY_VERIFY_WITH_TIMEOUT(page.stopButton()->isEnabled(), 60000);
        QVERIFY(!page.resumeButton()->isEnabled());
        page.stopButton()->click();
        QVERIFY(first.waitForFinished(60000));
        QVERIFY2(first.exitCode() == 0, first.readAll().constData());
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->run(firstId)->status, std::string("stopped"), 60000);
        QVERIFY(page.model()->run(firstId)->hasCheckpoint);
        QVERIFY(!page.stopButton()->isEnabled());

        // 2. A CLI run killed outright (kill -9: no chance to mark itself) is interrupted...
        QProcess second;
        QVERIFY(startCli(second, dir.filePath(QStringLiteral("second"))));
        QTRY_VERIFY_WITH_TIMEOUT((newest() && newest()->id != firstId && newest()->hasCheckpoint && newest()->step >= 10)
                                     || second.state() == QProcess::NotRunning,
                                 120000);
        QVERIFY2(second.state() == QProcess::Running, second.readAll().constData());
        const qint64 secondId = newest()->id;
        second.kill();   // SIGKILL
        QVERIFY(second.waitForFinished(30000));
        QTRY_VERIFY_WITH_TIMEOUT(page.model()->run(secondId)->stale, 60000);
        QCOMPARE(page.model()->run(secondId)->status, std::string("running"));   // as the dead process left it
        const int row = page.model()->rowOf(secondId);
        QCOMPARE(page.model()->index(row, RunTableModel::StatusColumn).data().toString(), QStringLiteral("interrupted"));
        page.table()->clearSelection();
        page.table()->selectRow(row);
        QTRY_VERIFY_WITH_TIMEOUT(page.resumeButton()->isEnabled(), 60000);
        QVERIFY(!page.stopButton()->isEnabled());
        const int64_t stepAtKill = page.model()->run(secondId)->step;

        // ...and resumed here, in place, from its latest checkpoint.
        page.resumeButton()->click();
        QVERIFY(page.isTraining());
        QTRY_VERIFY_WITH_TIMEOUT(!page.model()->run(secondId)->stale && page.model()->run(secondId)->step > stepAtKill,
                                 120000);
        QCOMPARE(page.model()->run(secondId)->status, std::string("running"));
        QCOMPARE(page.model()->run(secondId)->ownerPid, int64_t(QCoreApplication::applicationPid()));
        page.stopSelected();   // ours now: the worker's stop token
        QTRY_VERIFY_WITH_TIMEOUT(!page.isTraining(), 60000);
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->run(secondId)->status, std::string("stopped"), 60000);
        QCOMPARE(int(page.model()->runs().size()), 2);   // resumed in place, no new run
    }

    void pageFollowsAnotherConnection()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("p.hwb"));
        hw::Database::create(path.toStdString());
        ProjectSession session;
        QVERIFY(session.open(path));
        RunsPage page(&session);
        page.setPollInterval(40);
        page.resize(1200, 800);
        page.show();

        // "Another process": a recorder on its own connection, as a CLI trainer uses.
        hw::RunInfo info;
        info.name = "cli run";
        info.kind = "ilql";
        info.config = {{"tau", 0.8}};
        auto rec = hw::RunRecorder::start(path.toStdString(), info);
        for (int s = 1; s <= 5; ++s)
            rec.log(s, {{"loss", 2.0 / s}, {"mean_q", 0.1 * s}, {"lr", 1e-4}, {"tokens_per_s", 1000.0 + s}});
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 1, 60000);
        QTRY_COMPARE_WITH_TIMEOUT(page.shownRuns(), QList<qint64>{rec.runId()}, 60000);
        MetricChart* losses = page.chart(int(MetricGroup::Losses));
        const MetricChart::SeriesKey key{rec.runId(), QStringLiteral("loss")};
        QTRY_COMPARE_WITH_TIMEOUT(losses->rawPointCount(key), qsizetype(5), 60000);
        QCOMPARE(page.chart(int(MetricGroup::Values))->rawPointCount({rec.runId(), QStringLiteral("mean_q")}), qsizetype(5));
        QCOMPARE(page.chart(int(MetricGroup::Optimizer))->seriesCount(), 1);
        QCOMPARE(page.chart(int(MetricGroup::Throughput))->seriesCount(), 1);
        QLineSeries* line = lineOf(losses, QStringLiteral("loss"));
        QVERIFY(line);
        const int rebuilds = losses->rebuildCount();

        for (int s = 6; s <= 12; ++s)
            rec.log(s, {{"loss", 2.0 / s}});
        QTRY_COMPARE_WITH_TIMEOUT(losses->rawPointCount(key), qsizetype(12), 60000);
        QCOMPARE(lineOf(losses, QStringLiteral("loss")), line);
        QCOMPARE(line->count(), 12);
        QCOMPARE(losses->rebuildCount(), rebuilds);
        QCOMPARE(page.model()->index(0, RunTableModel::StepColumn).data().toLongLong(), qint64(12));

        // A second run overlaid: select both.
        info.name = "second";
        auto rec2 = hw::RunRecorder::start(path.toStdString(), info);
        rec2.log(1, {{"loss", 3.0}});
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 2, 60000);
        page.table()->selectAll();
        QTRY_COMPARE_WITH_TIMEOUT(losses->seriesCount(), 2, 60000);
        QVERIFY(lineOf(losses, QStringLiteral("#%1 loss").arg(rec.runId())));
        rec2.finish("done");
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->run(rec2.runId())->status, std::string("done"), 60000);

        // Details one click away.
        page.openDetails(rec.runId());
        QVERIFY(page.detailsDialog());
        QVERIFY(page.detailsDialog()->jsonText().contains(QStringLiteral("\"tau\": 0.8")));
        QVERIFY(!page.detailsDialog()->tree()->findItems(QStringLiteral("config"), Qt::MatchExactly).isEmpty());
        page.detailsDialog()->close();
        rec.finish("stopped");
    }

    void pageFollowsCliTraining()
    {
        const QString cli = QString::fromStdString(hwtest::cliPath());
        if (!QFileInfo::exists(cli))
            QSKIP("hindsight CLI not built");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("cli.hwb"));
        hw::Database::create(path.toStdString());
        hwtest::makeChatProject(path.toStdString());
        ProjectSession session;
        QVERIFY(session.open(path));
        RunsPage page(&session);
        page.setPollInterval(50);
        page.resize(1200, 800);
        page.show();

        QProcess train;
        train.setProcessChannelMode(QProcess::MergedChannels);
        train.start(cli, {QStringLiteral("train-lm"), path, QStringLiteral("--role"), QStringLiteral("policy-sft"), QStringLiteral("--tiny"),
                          QStringLiteral("--max-steps"), QStringLiteral("60"), QStringLiteral("--quiet")});
        QVERIFY(train.waitForStarted());
        // A CLI that fails at once is reported with its output, not as a 2-minute timeout.
        QTRY_VERIFY_WITH_TIMEOUT(page.model()->rowCount() == 1 || train.state() == QProcess::NotRunning, 120000);
        QVERIFY2(page.model()->rowCount() == 1, train.readAll().constData());
        const qint64 runId = page.model()->runs().front().id;
        MetricChart* losses = page.chart(int(MetricGroup::Losses));
        const MetricChart::SeriesKey key{runId, QStringLiteral("loss")};
        // Points arrive while the other process trains: once its first loss row is in the file,
        // the trainer is frozen (SIGSTOP), so the page must show that point while the run is
        // still running and short of its last row, whatever the machine's speed.
        auto db = hw::Database::open(path.toStdString(), hw::Database::Mode::ReadOnly);
        auto lossRows = [&] {
            return *db.queryInt64("SELECT count(*) FROM metrics WHERE name = 'loss' AND run_id = "
                                  + std::to_string(runId));
        };
        QTRY_VERIFY_WITH_TIMEOUT(lossRows() >= 1 || train.state() == QProcess::NotRunning, 120000);
        QVERIFY2(::kill(static_cast<pid_t>(train.processId()), SIGSTOP) == 0, "the trainer ended before its first row");
        const int64_t rowsWhenFrozen = lossRows();
        QVERIFY2(rowsWhenFrozen < 60 / 5, "the trainer wrote every row before it could be frozen");
        QTRY_VERIFY_WITH_TIMEOUT(losses->rawPointCount(key) >= 1, 120000);
        QCOMPARE(page.model()->run(runId)->status, std::string("running"));
        QVERIFY(losses->rawPointCount(key) <= rowsWhenFrozen);
        QCOMPARE(train.state(), QProcess::Running);
        ::kill(static_cast<pid_t>(train.processId()), SIGCONT);
        QLineSeries* line = lineOf(losses, QStringLiteral("loss"));
        const qsizetype early = losses->rawPointCount(key);
        const int rebuilds = losses->rebuildCount();
        QVERIFY(train.waitForFinished(300000));
        const QByteArray out = train.readAll();
        QVERIFY2(train.exitCode() == 0, out.constData());
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->run(runId)->status, std::string("done"), 60000);
        QTRY_COMPARE_WITH_TIMEOUT(losses->rawPointCount(key), qsizetype(60 / 5), 60000); // tiny: a row every 5 steps
        qInfo("loss points seen while training: %lld, after: %lld", static_cast<long long>(early),
              static_cast<long long>(losses->rawPointCount(key)));
        QCOMPARE(lineOf(losses, QStringLiteral("loss")), line);
        QCOMPARE(losses->rebuildCount(), rebuilds);
        QVERIFY(page.model()->index(0, RunTableModel::StepColumn).data().toLongLong() == 60);
    }

    // The full method from the GUI: start an ILQL agent (π_β by behaviour cloning, then ILQL, on
    // the preset set the launcher creates), stop it mid-run, resume it to the end: one ILQL run,
    // resumed in place, with its π_β run next to it.
    void pageTrainsStopsAndResumesAnIlqlAgent()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("agent.hwb"));
        hw::Database::create(path.toStdString());
        hwtest::makeChatProject(path.toStdString(), 40);
        ProjectSession session;
        QVERIFY(session.open(path));
        RunsPage page(&session);
        page.setPollInterval(50);
        page.resize(1200, 800);
        page.show();

        hw::RunLaunchRequest r;
        r.projectPath = path.toStdString();
        r.kind = "ilql";
        r.tiny = true;
        r.overrides = {{"bcSteps", 20}, {"iterations", 100}, {"updatesPerIteration", 10}, {"evalSamples", 1},
                       {"checkpointEvery", 0}};
        QVERIFY(page.startTraining(r));
        QVERIFY(page.isTraining());
        auto ilqlRun = [&]() -> std::optional<hw::RunSummary> {
            for (const auto& run : page.model()->runs())
                if (run.kind == "ilql")
                    return run;
            return std::nullopt;
        };
        // Stop once the ILQL stage has made progress.
        QTRY_VERIFY_WITH_TIMEOUT(ilqlRun() && ilqlRun()->step >= 10, 120000);
        page.stopTraining();
        QTRY_VERIFY_WITH_TIMEOUT(!page.isTraining(), 60000);
        QTRY_COMPARE_WITH_TIMEOUT(ilqlRun()->status, std::string("stopped"), 60000);
        const auto stopped = *ilqlRun();
        QVERIFY(stopped.step < 1000); // 100 iterations x 10 updates: stopped well before the end
        QVERIFY(!stopped.checkpointDir.empty());
        QCOMPARE(stopped.setName, std::string("hindsight-rl"));

        // π_β's run (behaviour cloning) finished before ILQL started.
        int behaviour = 0;
        for (const auto& run : page.model()->runs())
            if (run.kind == "sft") {
                ++behaviour;
                QCOMPARE(run.status, std::string("done"));
            }
        QCOMPARE(behaviour, 1);

        hw::RunLaunchRequest again;
        again.projectPath = path.toStdString();
        again.kind = stopped.kind;
        again.resumeDir = stopped.checkpointDir;
        QVERIFY(page.startTraining(again));
        QTRY_VERIFY_WITH_TIMEOUT(!page.isTraining(), 180000);
        QTRY_COMPARE_WITH_TIMEOUT(ilqlRun()->status, std::string("done"), 60000);
        QCOMPARE(ilqlRun()->id, stopped.id);          // resumed in place, not a new run
        QCOMPARE(ilqlRun()->step, int64_t(1000));
        QCOMPARE(int(page.model()->runs().size()), 2);
    }
};

QTEST_MAIN(TestUiRuns)
#include "tst_ui_runs.moc"
