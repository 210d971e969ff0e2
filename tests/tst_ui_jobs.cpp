// The jobs panel and the pipeline worker: the jobs table model (under QAbstractItemModelTester)
// and its poll, which shows jobs another process (the CLI) runs; failed items with their request
// and reply (answered calls, and calls that failed with an HTTP error); a relabel job run by
// PipelineWorkerHost against a local fake LLM server, cancelled and resumed without sending a
// finished call again; a job started by the CLI (killed) resumed from the panel on its own
// endpoint, model and key variable; jobs recorded with local stages read as stage descriptions; the retry
// of a failed suggestion; and the endpoint settings dialog's connection test.
#include "core/llm/endpoint_profile.h"
#include "core/store/job_store.h"
#include "core/pipeline/llm_backend.h"
#include "core/pipeline/relabel_job.h"
#include "core/store/suggestion_store.h"
#include "support/curation_fixture.h"
#include "support/fake_llm_server.h"
#include "support/pipeline_fixture.h"
#include "support/test_paths.h"
#include "ui/dialogs/endpoint_settings_dialog.h"
#include "ui/models/job_item_model.h"
#include "ui/models/job_table_model.h"
#include "ui/pages/jobs/job_details_view.h"
#include "ui/pages/jobs/jobs_page.h"
#include "ui/project_session.h"
#include "ui/settings/settings.h"
#include "ui/workers/pipeline_worker_host.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <memory>

using hw::ui::JobTableModel;
using hw::ui::PipelineWorkerHost;

class TestUiJobs : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void modelFollowsAnotherConnection();
    void pagePollsJobsOfOtherProcesses();
    void failedItemsShowTheExchange();
    void failedCallShowsItsRequestAndReply();
    void resumesACliJobOnItsOwnEndpoint();
    void readsOlderJobsWithLocalStages();
    void relabelRunsCancelsAndResumes();
    void retryRequestForFailedSuggestion();
    void endpointDialogTestsConnection();

private:
    QString demoProject();
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<hw::ui::ProjectSession> m_session;
    hwtest::CurationDemo m_demo;
    int m_projects = 0;
};

void TestUiJobs::initTestCase()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    qputenv("HW_CONFIG_DIR", m_dir->path().toLocal8Bit());
    hw::ui::Settings::instance().setFile(m_dir->filePath(QStringLiteral("settings.ini")));
}

void TestUiJobs::cleanup()
{
    m_session.reset();
}

QString TestUiJobs::demoProject()
{
    const QString path = m_dir->filePath(QStringLiteral("demo%1.hwb").arg(++m_projects));
    hw::Database db = hw::Database::create(path.toStdString());
    m_demo = hwtest::fillCurationDemo(db);
    return path;
}

void TestUiJobs::modelFollowsAnotherConnection()
{
    const QString path = demoProject();
    hw::Database gui = hw::Database::open(path.toStdString());
    hw::Database cli = hw::Database::open(path.toStdString()); // as `hindsight relabel` would
    JobTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.refresh(gui);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.job(0)->id, m_demo.labelJob); // newest first
    QCOMPARE(model.index(2, JobTableModel::Tokens).data().toString(), QLocale().toString(2190));
    QCOMPARE(model.index(2, 0).data(JobTableModel::FractionRole).toDouble(), 1.0);
    QCOMPARE(model.index(2, 0).data(JobTableModel::FailedFractionRole).toDouble(), 0.25);

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    hw::JobStore jobs(cli);
    const int64_t id = jobs.create("relabel", "relabel persuasion", {{"task", "persuasion"}});
    jobs.setTotal(id, 10);
    jobs.setStatus(id, "running");
    model.refresh(gui);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.job(0)->id, id);
    model.refresh(gui);
    QCOMPARE(changed.count(), 0); // nothing moved: no signal
    jobs.setProgress(id, 4, 1, {{"usage", {{"prompt_tokens", 100}, {"completion_tokens", 20}, {"cost", 0.5}}}});
    model.refresh(gui);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.job(0)->done, int64_t(4));
    QCOMPARE(model.index(0, JobTableModel::Tokens).data().toString(), QStringLiteral("120"));
    QCOMPARE(model.index(0, 0).data(JobTableModel::FractionRole).toDouble(), 0.5);
    cli.exec("DELETE FROM jobs WHERE id = " + std::to_string(m_demo.regenerateJob));
    model.refresh(gui);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(reset.count(), 0);

    // A "running" job nobody updates is flagged stale, unless it runs here.
    model.setStaleAfter(-1);
    model.refresh(gui);
    QVERIFY(model.index(0, 0).data(JobTableModel::StaleRole).toBool());
    model.setRunningHere(id);
    QVERIFY(!model.index(0, 0).data(JobTableModel::StaleRole).toBool());
    QVERIFY(model.index(0, JobTableModel::Status).data().toString().contains(QStringLiteral("here")));
}

void TestUiJobs::pagePollsJobsOfOtherProcesses()
{
    const QString path = demoProject();
    m_session = std::make_unique<hw::ui::ProjectSession>();
    QVERIFY(m_session->open(path));
    hw::ui::JobsPage page(m_session.get());
    page.resize(1200, 800);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.pollTimer()->setInterval(30);
    QVERIFY(page.pollTimer()->isActive());
    QCOMPARE(page.model()->rowCount(), 3);

    hw::Database cli = hw::Database::open(path.toStdString());
    hw::JobStore jobs(cli);
    const int64_t id = jobs.create("label", "label from the CLI", {{"task", "counseling"}});
    jobs.setTotal(id, 20);
    jobs.setStatus(id, "running");
    QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 4, 60000);
    for (int done = 1; done <= 3; ++done) {
        jobs.setProgress(id, done * 5, 0, {});
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->job(page.model()->rowOf(id))->done, int64_t(done * 5), 60000);
    }
    // A job of another process cannot be cancelled from here, nor resumed while it runs.
    page.selectJob(id);
    QCOMPARE(page.currentJobId(), id);
    QVERIFY(!page.cancelButton()->isEnabled());
    QVERIFY(!page.resumeButton()->isEnabled());
    jobs.setStatus(id, "cancelled");
    QTRY_VERIFY_WITH_TIMEOUT(page.resumeButton()->isEnabled(), 60000);
    page.hide();
    QVERIFY(!page.pollTimer()->isActive());
}

void TestUiJobs::failedItemsShowTheExchange()
{
    const QString path = demoProject();
    m_session = std::make_unique<hw::ui::ProjectSession>();
    QVERIFY(m_session->open(path));
    hw::ui::JobsPage page(m_session.get());
    page.resize(1200, 800);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    hw::ui::JobDetailsView* details = page.details();
    QAbstractItemModelTester tester(details->itemModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);

    page.selectJob(m_demo.relabelJob);
    QCOMPARE(details->jobId(), m_demo.relabelJob);
    QCOMPARE(details->itemModel()->rowCount(), 1);
    QCOMPARE(details->itemModel()->index(0, 0).data().toString(), QStringLiteral("d:%1").arg(m_demo.dialogues[3]));
    QTRY_VERIFY_WITH_TIMEOUT(details->requestView()->toPlainText().contains(QStringLiteral("hindsight controller")), 60000);
    QVERIFY(details->requestView()->toPlainText().contains(QStringLiteral("── system ──")));
    QVERIFY(details->replyView()->toPlainText().contains(QStringLiteral("Here are some thoughts")));
    QVERIFY(details->errorLabel()->isHidden());

    page.selectJob(m_demo.labelJob);
    QVERIFY(!details->errorLabel()->isHidden());
    QVERIFY(details->errorLabel()->text().contains(QStringLiteral("401")));
    QCOMPARE(details->itemModel()->rowCount(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(details->requestView()->toPlainText().contains(QStringLiteral("Not recorded")), 60000);
    QCOMPARE(details->itemModel()->index(0, hw::ui::JobItemModel::Attempts).data().toInt(), 2);
}

void TestUiJobs::failedCallShowsItsRequestAndReply()
{
    // A relabel whose call for dialogue 1 gets HTTP 500 until the retries are used up.
    hwtest::FakeLlmServer server([](const hwtest::FakeCall& call) {
        if (call.prompt().find("dialogue 1 ") != std::string::npos)
            return hwtest::FakeReply::error(500, {}, "{\"error\":{\"message\":\"the model is overloaded\"}}");
        return hwtest::FakeLlmServer::pipelineResponder(call);
    });
    const QString path = m_dir->filePath(QStringLiteral("failed-call.hwb"));
    hwtest::makeProject(path.toStdString(), "persuasion", 3);
    qint64 jobId = 0;
    {
        hw::Database db = hw::Database::open(path.toStdString());
        hw::SharedProject project(db);
        hw::EndpointProfile p;
        p.baseUrl = server.baseUrl();
        p.model = "fake-model";
        p.maxAttempts = 2;
        hw::LlmBackend::Options o;
        o.retry.baseDelayMs = 5;
        o.retry.maxDelayMs = 10;
        o.prompts = hw::PromptLibrary({hw::PromptLibrary::builtinDir()});
        hw::LlmBackend llm(project, p, "persuasion", std::nullopt, o);
        hw::RelabelConfig cfg;
        cfg.task = "persuasion";
        cfg.concurrency = 1;
        const hw::JobSummary s = hw::runRelabel(project, cfg, llm.controller(), {});
        QCOMPARE(s.failed, int64_t(1));
        jobId = s.jobId;
    }
    m_session = std::make_unique<hw::ui::ProjectSession>();
    QVERIFY(m_session->open(path));
    hw::ui::JobsPage page(m_session.get());
    page.resize(1200, 800);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.selectJob(jobId);
    hw::ui::JobDetailsView* details = page.details();
    QCOMPARE(details->itemModel()->rowCount(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(!details->requestView()->toPlainText().isEmpty(), 60000);
    const QString request = details->requestView()->toPlainText();
    const QString reply = details->replyView()->toPlainText();
    QVERIFY2(!request.contains(QStringLiteral("Not recorded")), qPrintable(request));
    QVERIFY2(request.contains(QStringLiteral("failed call · fake-model · %1/chat/completions")
                                  .arg(QString::fromStdString(server.baseUrl()))),
             qPrintable(request));
    QVERIFY2(request.contains(QStringLiteral("── system ──")), qPrintable(request));
    QVERIFY2(request.contains(QStringLiteral("(dialogue 1 turn 0)")), qPrintable(request));
    QVERIFY2(reply.contains(QStringLiteral("HTTP 500 on attempt 2 (the last)")), qPrintable(reply));
    QVERIFY2(reply.contains(QStringLiteral("the model is overloaded")), qPrintable(reply));
}

void TestUiJobs::resumesACliJobOnItsOwnEndpoint()
{
    // The CLI runs a relabel on an ad-hoc endpoint (URL, model, key variable) and is killed.
    hwtest::FakeLlmServer server;
    server.holdAfter(2);
    const QString path = m_dir->filePath(QStringLiteral("cli-job.hwb"));
    hwtest::makeProject(path.toStdString(), "persuasion", 5);
    qputenv("HW_TEST_CLI_KEY", "cli-secret-key-1234");
    QProcess cli;
    cli.start(QString::fromStdString(hwtest::cliPath()),
              {"relabel", path, "--endpoint", QString::fromStdString(server.baseUrl()), "--model", "cli-model",
               "--api-key-env", "HW_TEST_CLI_KEY", "--temperature", "0.3", "--concurrency", "1", "--quiet"});
    QVERIFY2(cli.waitForStarted(), qPrintable(cli.errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(server.held(), int64_t(1), 30000);
    cli.kill();
    QVERIFY(cli.waitForFinished(10000));
    server.dropHeld();
    const size_t before = server.calls().size();

    // The workbench's default endpoint is another one: it must not be used.
    hw::EndpointProfile other;
    other.name = "other";
    other.baseUrl = "http://127.0.0.1:1/v1";
    other.model = "other-model";
    hw::EndpointProfiles profiles;
    profiles.upsert(other);
    const QString profilesPath = m_dir->filePath(QStringLiteral("endpoints-cli.json"));
    profiles.save(profilesPath.toStdString());

    m_session = std::make_unique<hw::ui::ProjectSession>();
    QVERIFY(m_session->open(path));
    const auto job = hw::JobStore(m_session->db()).list("relabel").front();
    QCOMPARE(job.status, std::string("running"));
    QCOMPARE(job.done, int64_t(2));
    QVERIFY(job.config.at("backends").contains("controller")); // the CLI's stage description, verbatim
    PipelineWorkerHost* host = PipelineWorkerHost::of(m_session.get());
    host->setProfilesPath(profilesPath);
    QString why;
    const auto r = host->requestForJob(job.id, &why);
    QVERIFY2(r, qPrintable(why));
    QCOMPARE(r->stages.size(), size_t(1));
    const hw::EndpointProfile endpoint = r->stages[0].backend("controller").endpointProfile(profiles);
    QCOMPARE(endpoint.model, std::string("cli-model"));
    QCOMPARE(endpoint.chatCompletionsUrl(), server.baseUrl() + "/chat/completions");
    QCOMPARE(endpoint.apiKeyEnv, std::string("HW_TEST_CLI_KEY"));
    QCOMPARE(endpoint.temperature, 0.3);

    QSignalSpy finished(host, &PipelineWorkerHost::jobFinished);
    QVERIFY2(host->resume(job.id, &why), qPrintable(why));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QCOMPARE(finished.at(0).at(0).toLongLong(), job.id);
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("done"));
    const auto after = hw::JobStore(m_session->db()).get(job.id);
    QCOMPARE(after->done, int64_t(5));
    QCOMPARE(hw::JobStore(m_session->db()).list("relabel").size(), size_t(1)); // the same job, continued
    // Every call went to the job's own endpoint, model and key; none answered twice.
    const auto all = server.calls();
    QCOMPARE(all.size() - before, size_t(3));
    for (size_t i = before; i < all.size(); ++i) {
        const auto& c = all[i];
        QCOMPARE(c.model, std::string("cli-model"));
        QCOMPARE(c.json.value("temperature", 0.0), 0.3);
        QCOMPARE(hw::findHeader(c.headers, "authorization").value_or(""), std::string("Bearer cli-secret-key-1234"));
    }
    QCOMPARE(server.duplicateAnswers(), int64_t(0));
    qunsetenv("HW_TEST_CLI_KEY");
}

void TestUiJobs::readsOlderJobsWithLocalStages()
{
    const QString path = demoProject();
    m_session = std::make_unique<hw::ui::ProjectSession>();
    QVERIFY(m_session->open(path));
    PipelineWorkerHost* host = PipelineWorkerHost::of(m_session.get());
    hw::EndpointProfile fallback;
    fallback.name = "fallback";
    fallback.baseUrl = "http://127.0.0.1:1/v1";
    fallback.model = "fallback-model";
    hw::EndpointProfiles profiles;
    profiles.upsert(fallback);
    const QString profilesPath = m_dir->filePath(QStringLiteral("endpoints-local.json"));
    profiles.save(profilesPath.toStdString());
    host->setProfilesPath(profilesPath);
    hw::JobStore jobs(m_session->db());
    const nlohmann::json llm = {{"endpoint", "http://127.0.0.1:8000/v1/chat/completions"}, {"model", "m"}};

    // As `hindsight relabel --controller retrieval` and `regenerate --forward-checkpoint` record them.
    const int64_t retrieval = jobs.create("relabel", "relabel counseling",
                                          {{"task", "counseling"}, {"stage", {{"controller", {{"kind", "retrieval"}}}}}});
    const int64_t local = jobs.create("regenerate", "regenerate counseling",
                                      {{"task", "counseling"},
                                       {"stage", {{"forward", {{"kind", "local"}, {"checkpoint", "/runs/fwd/ckpt"}}},
                                                  {"few_shots", 3}}}});
    const int64_t hardLocal = jobs.create(
        "regenerate", "regenerate counseling",
        {{"task", "counseling"}, {"hardShare", 0.5}, {"stage", {{"forward", {{"endpoint", llm["endpoint"]}, {"model", "m"},
                                                                              {"hard_checkpoint", "/runs/hard"}}}}}});
    const int64_t labelled = jobs.create("label", "label counseling",
                                         {{"task", "counseling"}, {"stage", {{"labeler", llm}, {"few_shots", 7}}}});
    // Jobs the CLI recorded before stage descriptions existed are read as descriptions, local
    // backends included: the workbench runs them too.
    QString why;
    const auto r1 = host->requestForJob(retrieval, &why);
    QVERIFY2(r1, qPrintable(why));
    QCOMPARE(r1->stages.at(0).backend("controller").kind, std::string("retrieval"));
    const auto r2 = host->requestForJob(local, &why);
    QVERIFY2(r2, qPrintable(why));
    QCOMPARE(r2->stages.at(0).backend("forward").kind, std::string("checkpoint"));
    QCOMPARE(r2->stages.at(0).backend("forward").checkpoint, std::string("/runs/fwd/ckpt"));
    QVERIFY(!r2->stages.at(0).has("forward_hard")); // hard share 0: not part of the job
    const auto r3 = host->requestForJob(hardLocal, &why);
    QVERIFY2(r3, qPrintable(why));
    QCOMPARE(r3->stages.at(0).backend("forward").kind, std::string("llm"));
    QCOMPARE(r3->stages.at(0).backend("forward_hard").checkpoint, std::string("/runs/hard"));
    QVERIFY(!host->isBusy());

    // An LLM labeler nested the CLI way: its endpoint, and its few-shot count, not the default's.
    const auto r = host->requestForJob(labelled, &why);
    QVERIFY2(r, qPrintable(why));
    const hw::StageBackend& labeler = r->stages.at(0).backend("labeler");
    QCOMPARE(labeler.model, std::string("m"));
    QCOMPARE(labeler.endpoint, std::string("http://127.0.0.1:8000/v1/chat/completions"));
    QCOMPARE(labeler.fewShots, 7);

    // A description naming a checkpoint that does not exist fails when run, with the folder named.
    QSignalSpy failed(host, &PipelineWorkerHost::jobFailed);
    QSignalSpy finished(host, &PipelineWorkerHost::jobFinished);
    QVERIFY2(host->resume(local, &why), qPrintable(why));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("failed"));
    QVERIFY(failed.count() >= 1);
    QVERIFY2(failed.at(0).at(1).toString().contains(QStringLiteral("/runs/fwd/ckpt")),
             qPrintable(failed.at(0).at(1).toString()));
}

void TestUiJobs::relabelRunsCancelsAndResumes()
{
    hwtest::FakeLlmServer server;
    const QString path = m_dir->filePath(QStringLiteral("pipeline.hwb"));
    hwtest::makeProject(path.toStdString(), "persuasion", 6);
    m_session = std::make_unique<hw::ui::ProjectSession>();
    QVERIFY(m_session->open(path));

    hw::EndpointProfile profile;
    profile.name = "fake";
    profile.baseUrl = server.baseUrl();
    profile.model = "fake-model";
    profile.maxInFlight = 1;
    profile.timeoutS = 10;
    hw::EndpointProfiles profiles;
    profiles.upsert(profile);
    const QString profilesPath = m_dir->filePath(QStringLiteral("endpoints-test.json"));
    profiles.save(profilesPath.toStdString());

    PipelineWorkerHost* host = PipelineWorkerHost::of(m_session.get());
    QCOMPARE(PipelineWorkerHost::of(m_session.get()), host); // one per session
    host->setProfilesPath(profilesPath);
    hw::ui::JobsPage page(m_session.get());
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));

    QSignalSpy finished(host, &PipelineWorkerHost::jobFinished);
    QSignalSpy progress(host, &PipelineWorkerHost::progress);
    QSignalSpy suggestionsChanged(m_session.get(), &hw::ui::ProjectSession::suggestionsChanged);
    // The server holds every request after the second answer, so the job is midway (two
    // dialogues saved, the third in flight) when Cancel is clicked, whatever the machine's speed.
    server.holdAfter(2);
    hw::ui::PipelineRequest r;
    hw::StageDescription relabel;
    relabel.kind = "relabel";
    relabel.task = "persuasion";
    relabel.seed = 3;
    relabel.concurrency = 1;
    relabel.backends["controller"] = hw::StageBackend::llm(profile);
    r.stages = {relabel};
    host->start(r);
    QVERIFY(host->isBusy());
    QTRY_VERIFY_WITH_TIMEOUT(server.held() >= 1, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(host->runningJobId() > 0, 60000);
    const qint64 jobId = host->runningJobId();
    QTRY_VERIFY_WITH_TIMEOUT(page.model()->rowOf(jobId) >= 0, 60000);
    QVERIFY(page.model()->index(page.model()->rowOf(jobId), 0).data(JobTableModel::RunningHereRole).toBool());
    page.selectJob(jobId);
    QVERIFY(page.cancelButton()->isEnabled());
    page.cancelButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
    QCOMPARE(finished.at(0).at(0).toLongLong(), jobId);
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("cancelled"));
    QVERIFY(!host->isBusy());
    QVERIFY(progress.count() > 0);
    QVERIFY(suggestionsChanged.count() > 0);
    const auto partial = hw::JobStore(m_session->db()).get(jobId);
    QCOMPARE(partial->status, std::string("cancelled"));
    QVERIFY(partial->done > 0 && partial->done < 6);
    const int64_t sentBefore = server.answered();

    // Resume from the panel: the same job continues; nothing finished is asked again.
    server.dropHeld(); // the cancelled request, if the server still holds it; no more holding
    QTRY_VERIFY_WITH_TIMEOUT(page.resumeButton()->isEnabled(), 60000);
    page.resumeButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 30000);
    QCOMPARE(finished.at(1).at(0).toLongLong(), jobId);
    QCOMPARE(finished.at(1).at(1).toString(), QStringLiteral("done"));
    const auto job = hw::JobStore(m_session->db()).get(jobId);
    QCOMPARE(job->status, std::string("done"));
    QCOMPARE(job->done, int64_t(6));
    QCOMPARE(server.duplicateAnswers(), int64_t(0));
    QVERIFY(server.answered() - sentBefore <= 6 - partial->done + 1); // at most the item in flight again
    QCOMPARE(*m_session->db().queryInt64("SELECT count(DISTINCT dialogue_id) FROM suggestions"), int64_t(6));
    QTRY_COMPARE_WITH_TIMEOUT(page.model()->job(page.model()->rowOf(jobId))->status, std::string("done"), 60000);

    // A job the workbench cannot run (unknown endpoint in its record) explains why.
    QString why;
    QVERIFY(!host->resume(987654, &why));
    QVERIFY(why.contains(QStringLiteral("987654")));
}

void TestUiJobs::retryRequestForFailedSuggestion()
{
    const QString path = demoProject();
    m_session = std::make_unique<hw::ui::ProjectSession>();
    QVERIFY(m_session->open(path));
    PipelineWorkerHost* host = PipelineWorkerHost::of(m_session.get());
    host->setProfilesPath(m_dir->filePath(QStringLiteral("none.json")));
    const auto s = hw::SuggestionStore(m_session->db()).get(m_demo.failedSuggestion);
    QString why;
    const auto r = host->retryRequest(*s, &why);
    QVERIFY2(r, qPrintable(why));
    QCOMPARE(r->kind(), QStringLiteral("relabel"));
    QCOMPARE(r->stages.at(0).dialogueIds, std::vector<int64_t>{m_demo.dialogues[3]});
    QCOMPARE(r->stages.at(0).task, std::string("counseling"));
    // The endpoint the failed job used, from its record.
    QCOMPARE(r->stages.at(0).backend("controller").model, std::string("llama-3.1-8b-instruct"));
    QCOMPARE(r->stages.at(0).backend("controller").endpoint, std::string("http://127.0.0.1:8000/v1/chat/completions"));
    // And resuming that job rebuilds the same endpoint.
    const auto again = host->requestForJob(m_demo.relabelJob, &why);
    QVERIFY(again);
    QCOMPARE(again->resumeJobId, m_demo.relabelJob);
    QCOMPARE(again->stages.at(0).backend("controller").model, std::string("llama-3.1-8b-instruct"));
}

void TestUiJobs::endpointDialogTestsConnection()
{
    hwtest::FakeLlmServer server;
    const QString file = m_dir->filePath(QStringLiteral("endpoints-dialog.json"));
    hw::ui::EndpointSettingsDialog dialog(file);
    QCOMPARE(dialog.list()->count(), 0);
    dialog.addProfile();
    QCOMPARE(dialog.list()->count(), 1);
    dialog.nameEdit()->setText(QStringLiteral("fake"));
    dialog.urlEdit()->setText(QString::fromStdString(server.baseUrl()));
    dialog.modelEdit()->setText(QStringLiteral("fake-model"));
    dialog.keyEnvEdit()->setText(QStringLiteral("HW_TEST_NO_SUCH_KEY"));
    for (QLineEdit* e : {dialog.nameEdit(), dialog.urlEdit(), dialog.modelEdit(), dialog.keyEnvEdit()})
        Q_EMIT e->textEdited(e->text());
    QSignalSpy tested(&dialog, &hw::ui::EndpointSettingsDialog::testFinished);
    // The key variable is not set: an error naming it, and nothing is sent (issue 13).
    qunsetenv("HW_TEST_NO_SUCH_KEY");
    dialog.testButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 1, 15000);
    QVERIFY(!tested.at(0).at(0).toBool());
    QVERIFY2(tested.at(0).at(1).toString().contains(QStringLiteral("$HW_TEST_NO_SUCH_KEY is not set")),
             qPrintable(tested.at(0).at(1).toString()));
    QCOMPARE(server.received(), int64_t(0));
    qputenv("HW_TEST_NO_SUCH_KEY", "sk-dialog-test");
    dialog.testButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 2, 15000);
    QVERIFY2(tested.at(1).at(0).toBool(), qPrintable(tested.at(1).at(1).toString()));
    QVERIFY(dialog.testResult()->text().startsWith(QStringLiteral("✓")));
    QCOMPARE(server.received(), int64_t(1));

    // A dead endpoint: a readable failure, off the GUI thread.
    dialog.urlEdit()->setText(QStringLiteral("http://127.0.0.1:1/v1"));
    Q_EMIT dialog.urlEdit()->textEdited(dialog.urlEdit()->text());
    dialog.testButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 3, 60000);
    QVERIFY(!tested.at(2).at(0).toBool());
    QVERIFY(dialog.testResult()->text().startsWith(QStringLiteral("✗")));
    qunsetenv("HW_TEST_NO_SUCH_KEY");

    // Replicas: each server is tried on its own, and a dead one is named.
    hwtest::FakeLlmServer replica;
    qputenv("HW_TEST_NO_SUCH_KEY", "sk-dialog-test");
    dialog.urlEdit()->setText(QString::fromStdString(server.baseUrl()));
    dialog.replicasEdit()->setText(QString::fromStdString(replica.baseUrl()) + QStringLiteral("  http://127.0.0.1:1/v1"));
    for (QLineEdit* e : {dialog.urlEdit(), dialog.replicasEdit()})
        Q_EMIT e->textEdited(e->text());
    dialog.testButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 4, 60000);
    QVERIFY(!tested.at(3).at(0).toBool());
    QVERIFY2(tested.at(3).at(1).toString().startsWith(QStringLiteral("2 of 3 servers answered")),
             qPrintable(tested.at(3).at(1).toString()));
    QVERIFY2(tested.at(3).at(1).toString().contains(QStringLiteral("127.0.0.1:1")), qPrintable(tested.at(3).at(1).toString()));
    QCOMPARE(replica.received(), int64_t(1));
    qunsetenv("HW_TEST_NO_SUCH_KEY");

    QVERIFY(dialog.save());
    const auto saved = hw::EndpointProfiles::load(file.toStdString());
    QCOMPARE(saved.all().size(), size_t(1));
    QCOMPARE(saved.all()[0].apiKeyEnv, std::string("HW_TEST_NO_SUCH_KEY"));
    QCOMPARE(saved.all()[0].replicas,
             (std::vector<std::string>{replica.baseUrl(), "http://127.0.0.1:1/v1"}));
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(!f.readAll().contains("Bearer"));
}

QTEST_MAIN(TestUiJobs)
#include "tst_ui_jobs.moc"
