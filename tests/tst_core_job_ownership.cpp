// Job infrastructure around the runner: a failed LLM call's exchange (request, last status and
// reply, key masked) is kept with the failed item; a running job is owned by one runner at a time
// across connections and processes (refused while the owner lives, taken over once it is gone or
// its heartbeat is stale, a runner that lost its lease stops); the schema migration that adds the
// lease to older project files.
#include "core/pipeline/job_lease.h"
#include "core/pipeline/job_runner.h"
#include "core/store/job_store.h"
#include "core/pipeline/llm_backend.h"
#include "core/pipeline/relabel_job.h"
#include "core/store/database.h"
#include "core/store/schema.h"
#include "core/util/error.h"
#include "support/fake_llm_server.h"
#include "support/pipeline_fixture.h"
#include "support/test_paths.h"

#include <QProcess>
#include <QSysInfo>

#include <sqlite3.h>

#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include <unistd.h>

using namespace hw;
using hwtest::FakeCall;
using hwtest::FakeLlmServer;
using hwtest::FakeReply;

namespace {

int64_t count(Database& db, const std::string& sql) { return db.queryInt64(sql).value_or(-1); }

JobRunner::Options testJob()
{
    JobRunner::Options o;
    o.kind = "relabel";
    o.name = "ownership test";
    o.config = {{"task", "persuasion"}, {"what", "ownership"}};
    o.concurrency = 1;
    o.seed = 1;
    return o;
}

JobItemOutcome ok()
{
    JobItemOutcome out;
    out.ok = true;
    return out;
}

void setOwner(Database& db, int64_t jobId, const std::string& host, int64_t pid, double heartbeat)
{
    Statement st(db, "UPDATE jobs SET owner_token = ?, owner_host = ?, owner_pid = ?, owner_program = 'hindsight', "
                     "owner_heartbeat = ? WHERE id = ?");
    st.bind(1, host + "/" + std::to_string(pid) + "/feedc0de").bind(2, host).bind(3, pid).bind(4, heartbeat).bind(5, jobId);
    st.exec();
}

std::string ownerToken(Database& db, int64_t jobId)
{
    Statement st(db, "SELECT owner_token FROM jobs WHERE id = ?");
    st.bind(1, jobId);
    return st.step() ? st.text(0) : std::string("<no job>");
}

} // namespace

class TestJobOwnership : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_config.isValid());
        qputenv("HW_CONFIG_DIR", m_config.path().toUtf8());
    }

    void failedCallKeepsItsExchange_data()
    {
        QTest::addColumn<QString>("fault");
        QTest::addColumn<long>("status");
        QTest::addColumn<int>("attempts");
        QTest::addColumn<QString>("replyHas");
        QTest::addColumn<bool>("fatal");
        QTest::newRow("400 not retried") << "400" << 400L << 1 << "context length exceeded" << false;
        QTest::newRow("500 retries used up") << "500" << 500L << 3 << "overloaded" << false;
        QTest::newRow("timeout") << "slow" << 0L << 3 << "" << false;
        QTest::newRow("401 stops the job") << "401" << 401L << 1 << "invalid api key" << true;
    }

    void failedCallKeepsItsExchange()
    {
        QFETCH(QString, fault);
        QFETCH(long, status);
        QFETCH(int, attempts);
        QFETCH(QString, replyHas);
        QFETCH(bool, fatal);
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        hwtest::makeProject(path, "persuasion", 3);
        const std::string secret = "sk-jobtest-0123456789abcdef";
        qputenv("HW_TEST_JOB_KEY", QByteArray::fromStdString(secret));
        // Dialogue 1 fails; the fault's body echoes the credentials, as some servers do.
        FakeLlmServer server([&](const FakeCall& call) {
            if (call.prompt().find("dialogue 1 ") == std::string::npos && !fatal)
                return FakeLlmServer::pipelineResponder(call);
            const std::string auth = hw::findHeader(call.headers, "authorization").value_or("");
            if (fault == "slow")
                return FakeReply::slow(1500);
            if (fault == "400")
                return FakeReply::error(400, {}, "{\"error\":{\"message\":\"context length exceeded\",\"auth\":\"" + auth + "\"}}");
            if (fault == "401")
                return FakeReply::error(401, {}, "{\"error\":\"invalid api key " + auth + "\"}");
            return FakeReply::error(500, {}, "{\"error\":\"overloaded\",\"auth\":\"" + auth + "\"}");
        });
        EndpointProfile p;
        p.baseUrl = server.baseUrl();
        p.model = "fake-model";
        p.apiKeyEnv = "HW_TEST_JOB_KEY";
        p.timeoutS = 0.4;
        p.maxAttempts = 3;
        p.maxInFlight = 1;
        LlmBackend::Options o;
        o.retry.baseDelayMs = 5;
        o.retry.maxDelayMs = 20;
        o.prompts = PromptLibrary({PromptLibrary::builtinDir()});
        auto db = Database::open(path);
        SharedProject project(db);
        LlmBackend llm(project, p, "persuasion", std::nullopt, o);
        RelabelConfig cfg;
        cfg.task = "persuasion";
        cfg.concurrency = 1;
        cfg.seed = 1;
        const JobSummary s = runRelabel(project, cfg, llm.controller(), {});
        qunsetenv("HW_TEST_JOB_KEY");
        QCOMPARE(s.status, std::string(fatal ? "failed" : "done"));
        QCOMPARE(s.failed, int64_t(1));

        const auto failed = JobStore(db).failedItems(s.jobId);
        QCOMPARE(failed.size(), size_t(1));
        const nlohmann::json x = failed[0].result.value("exchange", nlohmann::json());
        QVERIFY2(x.is_object(), failed[0].result.dump().c_str());
        QCOMPARE(x["status"].get<long>(), status);
        QCOMPARE(x["attempts"].get<int>(), attempts);
        QCOMPARE(x["model"].get<std::string>(), std::string("fake-model"));
        QCOMPARE(x["endpoint"].get<std::string>(), server.baseUrl() + "/chat/completions");
        // The request is the body that was sent: the controller prompt with the failing dialogue.
        const auto request = nlohmann::json::parse(x["request"].get<std::string>());
        QCOMPARE(request["model"].get<std::string>(), std::string("fake-model"));
        QVERIFY(request["messages"].dump().find(fatal ? "dialogue " : "dialogue 1 ") != std::string::npos);
        const std::string reply = x["reply"].get<std::string>();
        if (replyHas.isEmpty()) {
            QVERIFY(reply.empty());
            QVERIFY2(x["problem"].get<std::string>().find("timed out") != std::string::npos, x.dump().c_str());
        } else {
            QVERIFY2(reply.find(replyHas.toStdString()) != std::string::npos, reply.c_str());
            QVERIFY2(reply.find("***") != std::string::npos, reply.c_str()); // the echoed key, masked
        }
        // The key is nowhere in the project file's job tables.
        QCOMPARE(count(db, "SELECT count(*) FROM job_items WHERE instr(result, '" + secret + "') > 0 OR instr(error, '"
                               + secret + "') > 0"),
                 int64_t(0));
        QCOMPARE(count(db, "SELECT count(*) FROM jobs WHERE instr(error, '" + secret + "') > 0"), int64_t(0));
    }

    void secondRunnerIsRefused()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        hwtest::makeProject(path, "persuasion", 1);
        auto db1 = Database::open(path);
        auto db2 = Database::open(path); // as a second process would
        SharedProject p1(db1), p2(db2);
        const std::vector<std::string> keys = {"a", "b", "c"};

        // Two runs of the same command started together: neither finds a job to resume.
        JobRunner first(p1, testJob(), {});
        JobRunner racing(p2, testJob(), {});
        QCOMPARE(first.jobId(), int64_t(-1));
        QCOMPARE(racing.jobId(), int64_t(-1));

        std::atomic<bool> release{false}, inside{false};
        JobSummary firstSummary;
        std::thread t([&] {
            firstSummary = first.run(keys, [&](const std::string& key, const StageContext&) {
                if (key == "b") {
                    inside = true;
                    while (!release)
                        std::this_thread::sleep_for(std::chrono::milliseconds(5));
                }
                return ok();
            });
        });
        QTRY_VERIFY_WITH_TIMEOUT(inside.load(), 10000);
        const int64_t jobId = *db2.queryInt64("SELECT max(id) FROM jobs");
        const std::string expected = "job " + std::to_string(jobId) + " (ownership test) is already being run by ";
        const std::string who = "(pid " + std::to_string(getpid()) + " on host " + QSysInfo::machineHostName().toStdString() + ")";
        // The error names the job and its owner (this process: its runner is alive).
        auto refused = [&](const std::function<void()>& fn) {
            try {
                fn();
            } catch (const Error& e) {
                const std::string msg = e.what();
                if (msg.find(expected) != std::string::npos && msg.find(who) != std::string::npos)
                    return true;
                qWarning("unexpected error: %s", msg.c_str());
            }
            return false;
        };
        // The racing run may not create a second copy of the job, nor run it.
        QVERIFY(refused([&] { racing.run(keys, [](const std::string&, const StageContext&) { return ok(); }); }));
        // A run started now finds the job, and is refused at once.
        QVERIFY(refused([&] { JobRunner late(p2, testJob(), {}); }));
        QCOMPARE(count(db2, "SELECT count(*) FROM jobs"), int64_t(1));
        QCOMPARE(count(db2, "SELECT count(*) FROM job_items"), int64_t(1)); // "a", by the owner only

        release = true;
        t.join();
        QCOMPARE(firstSummary.status, std::string("done"));
        QCOMPARE(firstSummary.done, int64_t(3));
        QCOMPARE(ownerToken(db2, jobId), std::string()); // given back
    }

    void staleLeaseIsTakenOver()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        hwtest::makeProject(path, "persuasion", 1);
        auto db = Database::open(path);
        SharedProject project(db);
        const std::vector<std::string> keys = {"a", "b", "c"};
        int64_t jobId = 0;
        {
            // "c" fails: the job stays resumable.
            JobRunner r(project, testJob(), {});
            const JobSummary s = r.run(keys, [](const std::string& key, const StageContext&) {
                JobItemOutcome out = ok();
                out.ok = key != "c";
                return out;
            });
            QCOMPARE(s.failed, int64_t(1));
            jobId = s.jobId;
        }
        auto retry = [&] {
            JobRunner r(project, testJob(), {});
            return r.run(keys, [](const std::string&, const StageContext&) { return ok(); });
        };

        // A runner on another machine that beat 5 s ago still holds it.
        setOwner(db, jobId, "other-host.example", 4242, unixSeconds() - 5);
        try {
            retry();
            QFAIL("expected the job to be refused");
        } catch (const Error& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find("job " + std::to_string(jobId) + " (ownership test) is already being run by hindsight "
                              "(pid 4242 on host other-host.example), last heartbeat 5 s ago")
                         != std::string::npos,
                     msg.c_str());
        }
        // An hour without a heartbeat: it is gone, the job is taken over and finished.
        setOwner(db, jobId, "other-host.example", 4242, unixSeconds() - 3600);
        JobSummary s = retry();
        QCOMPARE(s.jobId, jobId);
        QCOMPARE(s.status, std::string("done"));
        QCOMPARE(s.done, int64_t(3));
        QCOMPARE(ownerToken(db, jobId), std::string());

        // On this host a lease whose process is gone (kill -9) is taken over at once, even with a
        // fresh heartbeat.
        QProcess gone;
        gone.start("sleep", {"0.2"});
        QVERIFY(gone.waitForStarted());
        const int64_t deadPid = gone.processId();
        QVERIFY(gone.waitForFinished());
        db.exec("UPDATE jobs SET status = 'running' WHERE id = " + std::to_string(jobId));
        db.exec("UPDATE job_items SET status = 'failed' WHERE item_key = 'b'");
        setOwner(db, jobId, QSysInfo::machineHostName().toStdString(), deadPid, unixSeconds());
        s = retry();
        QCOMPARE(s.jobId, jobId);
        QCOMPARE(s.status, std::string("done"));
        QCOMPARE(s.processed, int64_t(1));
    }

    void runnerThatLostItsLeaseStops()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        hwtest::makeProject(path, "persuasion", 1);
        auto db1 = Database::open(path);
        auto db2 = Database::open(path);
        SharedProject p1(db1);
        JobRunner::Options o = testJob();
        o.leaseHeartbeatMs = 50;
        JobRunner runner(p1, o, {});
        std::atomic<bool> inside{false};
        JobSummary s;
        std::thread t([&] {
            s = runner.run({"a", "b", "c"}, [&](const std::string& key, const StageContext& ctx) {
                if (key == "b") {
                    inside = true;
                    while (!ctx.stop.stopRequested())
                        std::this_thread::sleep_for(std::chrono::milliseconds(5));
                    throw Cancelled();
                }
                return ok();
            });
        });
        QTRY_VERIFY_WITH_TIMEOUT(inside.load(), 10000);
        const int64_t jobId = *db2.queryInt64("SELECT max(id) FROM jobs");
        // Another runner took it over (this one looked dead to it).
        setOwner(db2, jobId, "other-host.example", 77, unixSeconds());
        t.join();
        QCOMPARE(s.status, std::string("failed"));
        QVERIFY2(s.error.find("job " + std::to_string(jobId) + " was taken over by hindsight (pid 77 on host "
                              "other-host.example)")
                     != std::string::npos,
                 s.error.c_str());
        // The row is the new owner's: not marked failed, lease not cleared.
        QCOMPARE(count(db2, "SELECT count(*) FROM jobs WHERE status = 'running' AND owner_pid = 77"), int64_t(1));
    }

    // Two `hindsight relabel` processes on one project: the second is refused while the first
    // runs, naming the job and the first one's pid; once the first is killed with kill -9, the
    // job is taken over at once and finished without a duplicate answered call.
    void secondCliProcessIsRefused()
    {
        QTemporaryDir dir;
        const QString project = dir.filePath("p.hwb");
        hwtest::makeProject(project.toStdString(), "persuasion", 6);
        FakeLlmServer server;
        server.holdAfter(2);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("HW_CONFIG_DIR", m_config.path());
        const QStringList args = {"relabel", project, "--endpoint", QString::fromStdString(server.baseUrl()), "--model",
                                  "fake-model", "--concurrency", "1", "--seed", "5", "--json", "--quiet"};
        QProcess first;
        first.setProcessEnvironment(env);
        first.start(QString::fromStdString(hwtest::cliPath()), args);
        QVERIFY2(first.waitForStarted(), qPrintable(first.errorString()));
        QTRY_COMPARE_WITH_TIMEOUT(server.held(), int64_t(1), 30000);
        const qint64 firstPid = first.processId();

        QProcess second;
        second.setProcessEnvironment(env);
        second.start(QString::fromStdString(hwtest::cliPath()), args);
        QVERIFY(second.waitForFinished(30000));
        QCOMPARE(second.exitCode(), 1);
        const QString err = QString::fromUtf8(second.readAllStandardError());
        QVERIFY2(err.contains(QStringLiteral("job 1 (relabel persuasion) is already being run by hindsight (pid %1 on host ")
                                  .arg(firstPid)),
                 qPrintable(err));
        QCOMPARE(server.received(), int64_t(3)); // the second run sent nothing

        first.kill();
        QVERIFY(first.waitForFinished(10000));
        server.dropHeld();
        QProcess third;
        third.setProcessEnvironment(env);
        third.start(QString::fromStdString(hwtest::cliPath()), args);
        QVERIFY(third.waitForFinished(60000));
        QVERIFY2(third.exitCode() == 0, third.readAllStandardError().constData());
        const auto summary = nlohmann::json::parse(third.readAllStandardOutput().toStdString());
        QCOMPARE(summary["job_id"].get<int>(), 1);
        QCOMPARE(summary["items"]["done"].get<int>(), 6);
        QCOMPARE(summary["items"]["skipped"].get<int>(), 2);
        QCOMPARE(server.duplicateAnswers(), int64_t(0));
        auto db = Database::open(project.toStdString(), Database::Mode::ReadOnly);
        QCOMPARE(count(db, "SELECT count(*) FROM jobs WHERE status = 'done' AND owner_token = ''"), int64_t(1));
    }

    // A project written before the lease existed (schema version 1) gains the owner columns on
    // open, keeps its jobs, and its interrupted job can be resumed.
    void version1ProjectGetsTheLease()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("old.hwb").toStdString();
        hwtest::makeProject(path, "persuasion", 1);
        {
            auto db = Database::open(path);
            // Back to the version 1 layout: only the columns version 1 created.
            const std::map<std::string, std::set<std::string>> v1 = {
                {"jobs", {"id", "kind", "name", "config", "status", "done", "failed", "total", "summary", "error",
                          "created_at", "updated_at"}},
                {"runs", {"id", "name", "kind", "set_id", "config", "lineage", "status", "step", "best_eval",
                          "checkpoint_dir", "error", "created_at", "updated_at"}}};
            for (const auto& [table, keep] : v1) {
                std::vector<std::string> extra;
                Statement st(db, "SELECT name FROM pragma_table_info(?)");
                st.bind(1, table);
                while (st.step())
                    if (!keep.count(st.text(0)))
                        extra.push_back(st.text(0));
                for (const auto& c : extra)
                    db.exec("ALTER TABLE " + table + " DROP COLUMN " + c);
            }
            db.exec("DROP TABLE eval_episodes"); // version 4
            db.exec("ALTER TABLE tasks DROP COLUMN definition"); // version 5
            db.exec("DROP TABLE study_trial_sessions; DROP TABLE study_trials; DROP TABLE study_participants; "
                    "DROP TABLE studies"); // version 6
            db.exec("PRAGMA user_version = 1");
            nlohmann::json cfg = testJob().config;
            cfg["config_hash"] = JobRunner::configHash(cfg);
            Statement ins(db, "INSERT INTO jobs(kind, name, config, status, total, done) VALUES "
                              "('relabel', 'ownership test', ?, 'running', 3, 1)");
            ins.bind(1, cfg.dump());
            ins.exec();
            db.exec("INSERT INTO job_items(job_id, item_key, status) VALUES (1, 'a', 'done')");
        }
        {
            sqlite3* raw = nullptr;
            QCOMPARE(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
            sqlite3_stmt* st = nullptr;
            QCOMPARE(sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, nullptr), SQLITE_OK);
            QCOMPARE(sqlite3_step(st), SQLITE_ROW);
            const int version = sqlite3_column_int(st, 0);
            sqlite3_finalize(st);
            sqlite3_close(raw);
            QCOMPARE(version, 1);
        }
        auto db = Database::open(path); // migrates
        QCOMPARE(db.schemaVersion(), currentSchemaVersion());
        QCOMPARE(count(db, "SELECT count(*) FROM pragma_table_info('jobs') WHERE name IN ('owner_token', 'owner_host', "
                           "'owner_pid', 'owner_program', 'owner_heartbeat')"),
                 int64_t(5));
        QCOMPARE(count(db, "SELECT count(*) FROM jobs WHERE id = 1 AND status = 'running' AND done = 1 AND owner_token = '' "
                           "AND owner_pid = 0 AND owner_heartbeat = 0"),
                 int64_t(1));
        QVERIFY(!jobOwner(db, 1));
        SharedProject project(db);
        JobRunner r(project, testJob(), {});
        QVERIFY(r.resumed());
        QCOMPARE(r.jobId(), int64_t(1));
        QVERIFY(jobOwner(db, 1));
        const JobSummary s = r.run({"a", "b", "c"}, [](const std::string&, const StageContext&) { return ok(); });
        QCOMPARE(s.skipped, int64_t(1));
        QCOMPARE(s.done, int64_t(3));
        QVERIFY(!jobOwner(db, 1));
    }

private:
    QTemporaryDir m_config;
};

QTEST_GUILESS_MAIN(TestJobOwnership)
#include "tst_core_job_ownership.moc"
