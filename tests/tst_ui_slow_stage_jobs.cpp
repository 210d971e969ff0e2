// Every stage from the Jobs page with local backends only (no endpoint): the start-job dialog
// offers the retrieval controller and the project's trained checkpoints; the whole offline
// pipeline (relabel -> regenerate -> label -> aggregate) is started, cancelled and resumed from
// the page and ends with the same data as `hindsight pipeline` with the same options; a job the
// CLI started with a local forward model (killed with -9) is resumed by the workbench, and a job
// the workbench started (cancelled) is continued by the CLI. Trains two tiny models (CPU).
#include "core/store/job_store.h"
#include "core/store/database.h"
#include "support/cli_run.h"
#include "support/offline_checkpoints.h"
#include "support/test_paths.h"
#include "ui/models/job_table_model.h"
#include "ui/pages/jobs/jobs_page.h"
#include "ui/pages/jobs/start_job_dialog.h"
#include "ui/project_session.h"
#include "ui/settings/settings.h"
#include "ui/workers/pipeline_worker_host.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <memory>

using hw::ui::PipelineWorkerHost;

namespace {

// What the pipeline made, comparable across two project files: regenerations (parent, text,
// reward) and the training sets' sizes.
QStringList outcome(const QString& path)
{
    hw::Database db = hw::Database::open(path.toStdString());
    QStringList out;
    hw::Statement st(db, "SELECT p.uid, d.reward, (SELECT group_concat(t.text, ' / ') FROM (SELECT text FROM turns "
                         "WHERE dialogue_id = d.id ORDER BY idx) t) FROM dialogues d JOIN dialogues p ON p.id = d.parent_id "
                         "WHERE d.source = 'regeneration' ORDER BY 1, 3");
    while (st.step())
        out << QStringLiteral("%1 | %2 | %3").arg(QString::fromStdString(st.text(0))).arg(st.isNull(1) ? -99.0 : st.real(1))
                   .arg(QString::fromStdString(st.text(2)));
    hw::Statement sets(db, "SELECT s.name, count(i.dialogue_id) FROM training_sets s JOIN training_set_items i ON i.set_id = s.id "
                           "GROUP BY s.id ORDER BY s.name");
    while (sets.step())
        out << QStringLiteral("set %1: %2").arg(QString::fromStdString(sets.text(0))).arg(sets.int64(1));
    return out;
}

int64_t itemsOf(const QString& path, const std::string& kind)
{
    hw::Database db = hw::Database::open(path.toStdString());
    hw::Statement st(db, "SELECT count(*) FROM job_items i JOIN jobs j ON j.id = i.job_id WHERE j.kind = ? AND i.status = 'done'");
    st.bind(1, kind);
    return st.step() ? st.int64(0) : 0;
}

} // namespace

class TestUiStageJobs : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup() { m_session.reset(); }
    void offlinePipelineFromTheJobsPage();
    void guiResumesACliJobWithLocalStages();
    void cliContinuesAGuiJobWithLocalStages();
    void evaluationFromTheJobsPage();

private:
    QString copyOfProject(const QString& name);
    std::unique_ptr<hw::ui::ProjectSession> openSession(const QString& path);
    QStringList localArgs() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    hwtest::OfflineProject m_offline;
    QString m_profiles;
    std::unique_ptr<hw::ui::ProjectSession> m_session;
    int m_copies = 0;
};

void TestUiStageJobs::initTestCase()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    qputenv("HW_CONFIG_DIR", m_dir->path().toLocal8Bit());
    hw::ui::Settings::instance().setFile(m_dir->filePath(QStringLiteral("settings.ini")));
    m_offline = hwtest::makeOfflineProject(m_dir->path().toStdString());
    m_profiles = m_dir->filePath(QStringLiteral("no-endpoints.json")); // none: everything runs locally
}

QString TestUiStageJobs::copyOfProject(const QString& name)
{
    const QString path = m_dir->filePath(QStringLiteral("%1-%2.hwb").arg(name).arg(++m_copies));
    {
        // A consistent copy of the WAL file (the trainers wrote through it).
        hw::Database db = hw::Database::open(m_offline.project);
        db.exec("VACUUM INTO '" + path.toStdString() + "'");
    }
    return path;
}

std::unique_ptr<hw::ui::ProjectSession> TestUiStageJobs::openSession(const QString& path)
{
    auto s = std::make_unique<hw::ui::ProjectSession>();
    if (!s->open(path))
        return nullptr;
    PipelineWorkerHost::of(s.get())->setProfilesPath(m_profiles);
    return s;
}

QStringList TestUiStageJobs::localArgs() const
{
    return {"--task", "counseling", "--controller", "retrieval", "--forward-checkpoint",
            QString::fromStdString(m_offline.forward), "--reward-checkpoint", QString::fromStdString(m_offline.reward),
            "--device", "cpu", "--seed", "2", "--quiet"};
}

void TestUiStageJobs::offlinePipelineFromTheJobsPage()
{
    // The CLI's run, for comparison.
    const QString cliPath = copyOfProject(QStringLiteral("cli"));
    const hwtest::CliRun cli = hwtest::hindsight(QStringList{"pipeline", cliPath, "--limit", "4", "--json"} + localArgs());
    QVERIFY2(cli.exitCode == 0, qPrintable(cli.err + cli.out));
    const QStringList expected = outcome(cliPath);
    QVERIFY2(expected.size() > 1, qPrintable(expected.join('\n'))); // regenerations and a training set

    const QString guiPath = copyOfProject(QStringLiteral("gui"));
    m_session = openSession(guiPath);
    QVERIFY(m_session);
    PipelineWorkerHost* host = PipelineWorkerHost::of(m_session.get());
    auto pagePtr = std::make_unique<hw::ui::JobsPage>(m_session.get());
    hw::ui::JobsPage& page = *pagePtr;
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QSignalSpy finished(host, &PipelineWorkerHost::jobFinished);
    QSignalSpy progress(host, &PipelineWorkerHost::progress);

    // Start from the page: the dialog offers local backends for every role, with the project's runs.
    bool filled = false;
    QString dialogError;
    QTimer::singleShot(0, this, [&] {
        auto* dialog = qobject_cast<hw::ui::StartJobDialog*>(QApplication::activeModalWidget());
        if (!dialog) {
            dialogError = QStringLiteral("no start-job dialog");
            return;
        }
        dialog->setKind(hw::ui::StartJobDialog::pipelineKind());
        dialog->taskBox()->setCurrentText(QStringLiteral("counseling"));
        const bool local = dialog->chooseBackend("controller", QStringLiteral("retrieval"))
                           && dialog->chooseBackend("forward", QStringLiteral("checkpoint"))
                           && dialog->chooseBackend("labeler", QStringLiteral("checkpoint"));
        // The runs' own checkpoints are the ones offered.
        const QString forwardData = dialog->backendBox("forward")->currentData().toString();
        const QString rewardData = dialog->backendBox("labeler")->currentData().toString();
        if (!local || !forwardData.contains(QString::fromStdString(m_offline.forward))
            || !rewardData.contains(QString::fromStdString(m_offline.reward))) {
            dialogError = QStringLiteral("local backends not offered: ") + forwardData + QStringLiteral(" / ") + rewardData;
            dialog->reject();
            return;
        }
        dialog->limitBox()->setValue(4);
        dialog->seedBox()->setValue(2);
        QString why;
        if (!dialog->request(&why)) {
            dialogError = why;
            dialog->reject();
            return;
        }
        filled = true;
        dialog->accept();
    });
    // Cancel as soon as the regenerate stage reports (it reports once when it starts; later reports
    // are throttled): from the progress signal itself, so a fast machine cannot finish the
    // pipeline before the test looks.
    qint64 cancelledJob = 0;
    connect(host, &PipelineWorkerHost::progress, this, [&](const hw::ui::PipelineProgress& p) {
        if (cancelledJob == 0 && p.kind == QLatin1String("regenerate") && host->runningJobId() > 0) {
            cancelledJob = host->runningJobId();
            // The whole request: should regenerate have finished meanwhile, the stage running now
            // stops, and no later one starts.
            host->cancelAll();
        }
    });
    page.startButton()->click();
    QVERIFY2(filled, qPrintable(dialogError));
    QVERIFY(host->isBusy());

    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 300000);
    if (finished.at(0).at(1).toString() == QLatin1String("done"))
        QSKIP("the workbench finished every stage before the cancel reached it");
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("cancelled"));
    QVERIFY(cancelledJob > 0);
    const qint64 stopped = finished.at(0).at(0).toLongLong();
    QVERIFY(outcome(guiPath) != expected);

    // Close the project and open it again, as a later workbench session would: the pipeline's
    // later stages were stored with the stopped job.
    pagePtr.reset();
    m_session.reset();
    m_session = openSession(guiPath);
    QVERIFY(m_session);
    host = PipelineWorkerHost::of(m_session.get());
    hw::ui::JobsPage reopened(m_session.get());
    reopened.show();
    QVERIFY(QTest::qWaitForWindowExposed(&reopened));
    QSignalSpy resumed(host, &PipelineWorkerHost::jobFinished);

    // Resume from the page: the stopped stage continues, then the stages after it.
    QTRY_VERIFY_WITH_TIMEOUT(reopened.model()->rowOf(stopped) >= 0, 60000);
    reopened.selectJob(stopped);
    QTRY_VERIFY_WITH_TIMEOUT(reopened.resumeButton()->isEnabled(), 60000);
    reopened.resumeButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(resumed.count(), 1, 300000);
    QCOMPARE(resumed.at(0).at(1).toString(), QStringLiteral("done"));
    QCOMPARE(resumed.at(0).at(0).toLongLong() == stopped, false); // the last job run is the aggregate
    QCOMPARE(outcome(guiPath), expected);
    // Done: the stopped job no longer carries stages to run after it.
    QVERIFY(hw::JobStore(m_session->db()).pipelineThen(stopped).empty());
    // Each stage ran as one job (the stopped one continued, not restarted).
    hw::Database db = hw::Database::open(guiPath.toStdString());
    for (const char* kind : {"relabel", "regenerate", "label", "aggregate"})
        QCOMPARE(hw::JobStore(db).list(kind).size(), size_t(1));
}

void TestUiStageJobs::guiResumesACliJobWithLocalStages()
{
    const QString path = copyOfProject(QStringLiteral("cli-first"));
    const hwtest::CliRun relabel = hwtest::hindsight(QStringList{"relabel", path, "--limit", "12"} + localArgs());
    QVERIFY2(relabel.exitCode == 0, qPrintable(relabel.err));
    // The CLI regenerates with the local forward model and is killed after its first item.
    QProcess cli;
    cli.start(QString::fromStdString(hwtest::cliPath()), QStringList{"regenerate", path} + localArgs());
    QVERIFY2(cli.waitForStarted(), qPrintable(cli.errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(itemsOf(path, "regenerate") >= 1, 120000);
    cli.kill();
    QVERIFY(cli.waitForFinished(30000));
    const int64_t before = itemsOf(path, "regenerate");

    m_session = openSession(path);
    QVERIFY(m_session);
    const auto jobs = hw::JobStore(m_session->db()).list("regenerate");
    QCOMPARE(jobs.size(), size_t(1));
    const auto job = jobs.front();
    if (job.status == "done")
        QSKIP("the CLI finished every item before it was killed");
    PipelineWorkerHost* host = PipelineWorkerHost::of(m_session.get());
    QString why;
    const auto request = host->requestForJob(job.id, &why);
    QVERIFY2(request, qPrintable(why));
    QCOMPARE(request->stages.at(0).backend("forward").checkpoint, m_offline.forward);
    QSignalSpy finished(host, &PipelineWorkerHost::jobFinished);
    QVERIFY2(host->resume(job.id, &why), qPrintable(why));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 300000);
    QCOMPARE(finished.at(0).at(0).toLongLong(), job.id);
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("done"));
    const auto after = hw::JobStore(m_session->db()).get(job.id);
    QCOMPARE(after->done + after->failed, after->total);
    QVERIFY(after->done > before);
    QCOMPARE(hw::JobStore(m_session->db()).list("regenerate").size(), size_t(1));
}

void TestUiStageJobs::cliContinuesAGuiJobWithLocalStages()
{
    const QString path = copyOfProject(QStringLiteral("gui-first"));
    const hwtest::CliRun relabel = hwtest::hindsight(QStringList{"relabel", path, "--limit", "12"} + localArgs());
    QVERIFY2(relabel.exitCode == 0, qPrintable(relabel.err));
    m_session = openSession(path);
    QVERIFY(m_session);
    PipelineWorkerHost* host = PipelineWorkerHost::of(m_session.get());
    hw::ui::StartJobDialog dialog(m_session.get(), m_profiles);
    dialog.setKind(QStringLiteral("regenerate"));
    dialog.taskBox()->setCurrentText(QStringLiteral("counseling"));
    dialog.addCheckpointChoice("forward", QString::fromStdString(m_offline.forward));
    dialog.seedBox()->setValue(2);
    QString why;
    auto request = dialog.request(&why);
    QVERIFY2(request, qPrintable(why));
    QSignalSpy finished(host, &PipelineWorkerHost::jobFinished);
    QSignalSpy progress(host, &PipelineWorkerHost::progress);
    host->start(*request);
    QTRY_VERIFY_WITH_TIMEOUT(itemsOf(path, "regenerate") >= 1, 120000);
    host->cancelAll();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
    const qint64 jobId = finished.at(0).at(0).toLongLong();
    if (finished.at(0).at(1).toString() == QLatin1String("done"))
        QSKIP("the workbench finished every item before it was cancelled");
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("cancelled"));
    const int64_t before = itemsOf(path, "regenerate");
    m_session.reset();

    // The same stage from the command line continues the workbench's job.
    const hwtest::CliRun cli = hwtest::hindsight(QStringList{"regenerate", path, "--json"} + localArgs());
    QVERIFY2(cli.exitCode == 0, qPrintable(cli.err));
    const QJsonObject out = QJsonDocument::fromJson(cli.out.toUtf8()).object();
    QCOMPARE(out.value("job_id").toInteger(), jobId);
    QCOMPARE(out.value("status").toString(), QStringLiteral("done"));
    QCOMPARE(out.value("items").toObject().value("skipped").toInteger(), before);
}

// Evaluation is a registered stage: the start-job dialog asks for its agents, simulator and
// episodes (no limit: it has none), the run finishes from the Jobs page, and the CLI's
// `hindsight evaluate` with the same options finds that run finished (nothing run twice).
void TestUiStageJobs::evaluationFromTheJobsPage()
{
    const QString path = copyOfProject(QStringLiteral("evaluate"));
    m_session = openSession(path);
    QVERIFY(m_session);
    PipelineWorkerHost* host = PipelineWorkerHost::of(m_session.get());
    hw::ui::StartJobDialog dialog(m_session.get(), m_profiles);
    dialog.setKind(QStringLiteral("evaluate"));
    dialog.taskBox()->setCurrentText(QStringLiteral("counseling"));
    QVERIFY(!dialog.limitBox()->isVisibleTo(&dialog));
    auto* agents = qobject_cast<QLineEdit*>(dialog.optionField("evaluate", "agents"));
    auto* simulator = qobject_cast<QLineEdit*>(dialog.optionField("evaluate", "simulator"));
    auto* personas = qobject_cast<QLineEdit*>(dialog.optionField("evaluate", "personas"));
    auto* episodes = qobject_cast<QSpinBox*>(dialog.optionField("evaluate", "episodesPerPersona"));
    auto* turns = qobject_cast<QSpinBox*>(dialog.optionField("evaluate", "maxTurns"));
    QVERIFY(agents && simulator && personas && episodes && turns);
    QVERIFY(agents->isVisibleTo(&dialog));
    const QString forward = QString::fromStdString(m_offline.forward);
    const QString agentA = QStringLiteral("ckpt:%1,name=a").arg(forward);
    const QString agentB = QStringLiteral("ckpt:%1,name=b").arg(forward);
    const QString sim = QStringLiteral("local:%1,reward=%2").arg(forward, QString::fromStdString(m_offline.reward));
    // A bad spec is refused by the dialog, naming it.
    agents->setText(QStringLiteral("ckpt:"));
    simulator->setText(sim);
    QString why;
    QVERIFY(!dialog.request(&why));
    QVERIFY2(why.contains(QStringLiteral("ckpt:")), qPrintable(why));
    agents->setText(agentA + QStringLiteral("; ") + agentB);
    personas->setText(QStringLiteral("grief,breakup"));
    episodes->setValue(1);
    turns->setValue(2);
    dialog.seedBox()->setValue(3);
    auto request = dialog.request(&why);
    QVERIFY2(request, qPrintable(why));
    QSignalSpy finished(host, &PipelineWorkerHost::jobFinished);
    host->start(*request);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 300000);
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("done"));
    const qint64 jobId = finished.at(0).at(0).toLongLong();
    const auto job = hw::JobStore(m_session->db()).get(jobId);
    QCOMPARE(job->kind, std::string("evaluate"));
    QCOMPARE(job->done, int64_t(4)); // 2 agents x 2 personas x 1 episode
    m_session.reset();

    const hwtest::CliRun cli = hwtest::hindsight(
        {"evaluate", path, "--task", "counseling", "--agent", agentA, "--agent", agentB, "--simulator", sim, "--personas",
         "grief,breakup", "--episodes-per-persona", "1", "--max-turns", "2", "--seed", "3", "--json", "--quiet"});
    QVERIFY2(cli.exitCode == 0, qPrintable(cli.err));
    const QJsonObject out = QJsonDocument::fromJson(cli.out.toUtf8()).object();
    const QJsonObject jobJson = out.value("job").toObject();
    QCOMPARE(jobJson.value("job_id").toInteger(), jobId);
    QCOMPARE(jobJson.value("items").toObject().value("processed").toInteger(), 0);
}

QTEST_MAIN(TestUiStageJobs)
#include "tst_ui_slow_stage_jobs.moc"
