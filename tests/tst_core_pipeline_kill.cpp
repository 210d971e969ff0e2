// Resume after the job PROCESS is killed: runs `hindsight relabel` against the in-process fake
// server, SIGKILLs it after a known number of answered calls (the server holds every later
// request, so the cut is exact), then runs it again and checks exact counts: nothing finished is
// lost, and no answered call is ever sent again. Also `hindsight pipeline` as a process: end to
// end, its "paper" preset (5x with enough completions, the hard share), options that win over
// the preset, and a training set short of its target reported with the factor it reached.
#include "core/store/database.h"
#include "support/fake_llm_server.h"
#include "support/pipeline_fixture.h"
#include "support/test_paths.h"

#include <QProcess>

using namespace hw;
using hwtest::FakeLlmServer;

class TestPipelineKill : public QObject {
    Q_OBJECT
private:
    QProcessEnvironment env() const
    {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert("HW_CONFIG_DIR", m_config.path()); // no user profiles or prompt overrides
        return e;
    }
    QStringList relabelArgs(const QString& project, const FakeLlmServer& server) const
    {
        return {"relabel", project, "--endpoint", QString::fromStdString(server.baseUrl()), "--model", "fake-model",
                "--concurrency", "4", "--seed", "5", "--json", "--quiet"};
    }
    static int64_t count(Database& db, const std::string& sql) { return db.queryInt64(sql).value_or(-1); }

private Q_SLOTS:
    void killMidRunThenResume()
    {
        QTemporaryDir dir;
        const QString project = dir.filePath("p.hwb");
        hwtest::makeProject(project.toStdString(), "persuasion", 20);
        FakeLlmServer server;
        server.holdAfter(7);

        QProcess first;
        first.setProcessEnvironment(env());
        first.start(QString::fromStdString(hwtest::cliPath()), relabelArgs(project, server));
        QVERIFY2(first.waitForStarted(), qPrintable(first.errorString()));
        // All 4 workers are waiting on a held request: each committed its previous item first.
        QTRY_COMPARE_WITH_TIMEOUT(server.held(), int64_t(4), 30000);
        QCOMPARE(server.answered(), int64_t(7));
        first.kill(); // SIGKILL
        QVERIFY(first.waitForFinished(10000));
        QCOMPARE(first.exitStatus(), QProcess::CrashExit);
        server.dropHeld();

        {
            auto db = Database::open(project.toStdString(), Database::Mode::ReadOnly);
            QCOMPARE(count(db, "SELECT count(*) FROM jobs"), int64_t(1));
            QCOMPARE(count(db, "SELECT count(*) FROM jobs WHERE status = 'running' AND done = 7"), int64_t(1));
            QCOMPARE(count(db, "SELECT count(*) FROM job_items WHERE status = 'done'"), int64_t(7));
            QCOMPARE(count(db, "SELECT count(*) FROM suggestions"), int64_t(21));
            QCOMPARE(count(db, "SELECT count(*) FROM llm_calls"), int64_t(7));
        }

        QProcess second;
        second.setProcessEnvironment(env());
        second.start(QString::fromStdString(hwtest::cliPath()), relabelArgs(project, server));
        QVERIFY(second.waitForFinished(60000));
        QCOMPARE(second.exitStatus(), QProcess::NormalExit);
        const QByteArray err = second.readAllStandardError();
        QVERIFY2(second.exitCode() == 0, err.constData());
        const auto summary = nlohmann::json::parse(second.readAllStandardOutput().toStdString());
        QCOMPARE(summary["status"].get<std::string>(), std::string("done"));
        QCOMPARE(summary["items"]["total"].get<int>(), 20);
        QCOMPARE(summary["items"]["done"].get<int>(), 20);
        QCOMPARE(summary["items"]["skipped"].get<int>(), 7);
        QCOMPARE(summary["items"]["processed"].get<int>(), 13);
        QCOMPARE(summary["items"]["failed"].get<int>(), 0);
        QCOMPARE(summary["requests"].get<int>(), 13);
        QCOMPARE(summary["cache_hits"].get<int>(), 0);
        QCOMPARE(summary["suggestions"].get<int>(), 60); // the job's running total

        // At the server: every item answered exactly once; the 4 held requests (never answered)
        // were the only ones sent twice.
        QCOMPARE(server.answered(), int64_t(20));
        QCOMPARE(server.duplicateAnswers(), int64_t(0));
        QCOMPARE(server.received(), int64_t(7 + 4 + 13));

        {
            auto db = Database::open(project.toStdString(), Database::Mode::ReadOnly);
            QCOMPARE(count(db, "SELECT count(*) FROM jobs"), int64_t(1));
            QCOMPARE(count(db, "SELECT count(*) FROM jobs WHERE status = 'done' AND done = 20 AND failed = 0"), int64_t(1));
            QCOMPARE(count(db, "SELECT count(*) FROM suggestions WHERE status = 'proposed'"), int64_t(60));
            QCOMPARE(count(db, "SELECT count(*) FROM (SELECT dialogue_id FROM suggestions GROUP BY dialogue_id "
                               "HAVING count(*) = 3)"),
                     int64_t(20));
            QCOMPARE(count(db, "SELECT count(*) FROM llm_calls"), int64_t(20));
        }

        // A third run has nothing to do and sends nothing.
        QProcess third;
        third.setProcessEnvironment(env());
        third.start(QString::fromStdString(hwtest::cliPath()), relabelArgs(project, server));
        QVERIFY(third.waitForFinished(30000));
        QCOMPARE(third.exitCode(), 0);
        const auto again = nlohmann::json::parse(third.readAllStandardOutput().toStdString());
        QCOMPARE(again["items"]["total"].get<int>(), 0);
        QCOMPARE(again["requests"].get<int>(), 0);
        QCOMPARE(server.received(), int64_t(24));
        auto db = Database::open(project.toStdString(), Database::Mode::ReadOnly);
        QCOMPARE(count(db, "SELECT count(*) FROM jobs"), int64_t(1)); // nothing to do leaves no job row
    }

    void cliReportsErrorsAndHelp()
    {
        QTemporaryDir dir;
        const QString project = dir.filePath("p.hwb");
        hwtest::makeProject(project.toStdString(), "persuasion", 10);
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(QString::fromStdString(hwtest::cliPath()), {"relabel", project, "--endpoint", "no-such-profile"});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(p.readAllStandardError().contains("no endpoint profile named 'no-such-profile'"));

        p.start(QString::fromStdString(hwtest::cliPath()), {"relabel", "--help"});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        const QByteArray help = p.readAllStandardOutput();
        for (const char* opt : {"--endpoint", "--model", "--limit", "--seed", "--concurrency", "--json"})
            QVERIFY2(help.contains(opt), opt);

        // endpoint profiles through the CLI; the key never lands in the file.
        p.start(QString::fromStdString(hwtest::cliPath()),
                {"endpoint", "add", "local", "--url", "http://127.0.0.1:1/v1", "--model", "m", "--api-key-env", "MY_KEY"});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        QFile f(m_config.filePath("endpoints.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray saved = f.readAll();
        QVERIFY(saved.contains("\"apiKeyEnv\": \"MY_KEY\""));
        p.start(QString::fromStdString(hwtest::cliPath()), {"endpoint", "list"});
        QVERIFY(p.waitForFinished(30000));
        QVERIFY(p.readAllStandardOutput().contains("local  http://127.0.0.1:1/v1  model m"));
        p.start(QString::fromStdString(hwtest::cliPath()), {"endpoint", "test", "local"});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 1);

        // An unset key variable is an error naming it, before anything is sent (issue 13).
        p.start(QString::fromStdString(hwtest::cliPath()),
                {"relabel", project, "--endpoint", "local", "--max-attempts", "1", "--json", "--quiet"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(p.readAllStandardError().contains("MY_KEY"));

        // A dead endpoint stops the job after a few connection failures instead of failing every item slowly.
        QProcessEnvironment keyed = env();
        keyed.insert("MY_KEY", "sk-test");
        p.setProcessEnvironment(keyed);
        p.start(QString::fromStdString(hwtest::cliPath()),
                {"relabel", project, "--endpoint", "local", "--max-attempts", "1", "--json", "--quiet"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        const auto s = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
        QCOMPARE(s["status"].get<std::string>(), std::string("failed"));
        QVERIFY(s["items"]["processed"].get<int>() < 10);
        QVERIFY(s["error"].get<std::string>().find("connection failed") != std::string::npos);
    }

    void pipelineVerbEndToEnd()
    {
        QTemporaryDir dir;
        const QString project = dir.filePath("p.hwb");
        hwtest::makeProject(project.toStdString(), "persuasion", 4);
        FakeLlmServer server;
        QProcess p;
        p.setProcessEnvironment(env());
        const QString out = dir.filePath("train.jsonl");
        p.start(QString::fromStdString(hwtest::cliPath()),
                {"pipeline", project, "--endpoint", QString::fromStdString(server.baseUrl()), "--model", "fake-model",
                 "--samples", "2", "--k", "2", "-o", out, "--json", "--quiet"});
        QVERIFY(p.waitForFinished(60000));
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(p.exitCode() == 0, err.constData());
        const auto r = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
        QCOMPARE(r["status"].get<std::string>(), std::string("done"));
        QCOMPARE(r["stages"].size(), size_t(4));
        QCOMPARE(r["stages"][3]["size"].get<int>(), 8);
        // Totals over the stages: items, requests (as counted at the server), cache hits, tokens, cost.
        const auto& t = r["totals"];
        int64_t done = 0, failed = 0, requests = 0, hits = 0, tokens = 0;
        double cost = 0;
        for (const auto& st : r["stages"]) {
            done += st["items"]["done"].get<int64_t>();
            failed += st["items"]["failed"].get<int64_t>();
            requests += st["requests"].get<int64_t>();
            hits += st["cache_hits"].get<int64_t>();
            tokens += st["tokens"].get<int64_t>();
            cost += st["cost"].get<double>();
        }
        QCOMPARE(t["items"]["done"].get<int64_t>(), done);
        QCOMPARE(t["items"]["failed"].get<int64_t>(), failed);
        QCOMPARE(t["requests"].get<int64_t>(), requests);
        QCOMPARE(t["requests"].get<int64_t>(), server.answered());
        QCOMPARE(t["cache_hits"].get<int64_t>(), hits);
        QCOMPARE(t["tokens"].get<int64_t>(), tokens);
        QVERIFY(tokens > 0 && done > 0);
        QVERIFY(std::abs(t["cost"].get<double>() - cost) < 1e-9);
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll().count('\n'), 8);
    }

    // --preset paper: k 5, enough completions per dialogue to get there (4 needed + 1 spare),
    // a quarter by the hard forward model (here the endpoint's hard prompt); the set is 5x.
    void pipelinePaperPreset()
    {
        QTemporaryDir dir;
        const QString project = dir.filePath("p.hwb");
        hwtest::makeProject(project.toStdString(), "persuasion", 4);
        FakeLlmServer server;
        const auto run = runPipeline(project, server, {"--preset", "paper", "--seed", "3", "--json"});
        QVERIFY2(run.code == 0, run.err.constData());
        const auto r = nlohmann::json::parse(run.out.toStdString());
        QCOMPARE(r["status"].get<std::string>(), std::string("done"));
        const auto& regenerate = r["stages"][1];
        QCOMPARE(regenerate["description"]["samples"].get<int>(), 5);
        QCOMPARE(regenerate["description"]["hardShare"].get<double>(), 0.25);
        QCOMPARE(regenerate["regenerations"].get<int>(), 4 * 5);
        // Seeded coins: some by the hard model, most by the normal one.
        QVERIFY2(regenerate["hard"].get<int>() > 0 && regenerate["hard"].get<int>() < 20, regenerate.dump().c_str());
        const auto& aggregate = r["stages"][3];
        QCOMPARE(aggregate["description"]["options"]["k"].get<double>(), 5.0);
        QCOMPARE(aggregate["originals"].get<int>(), 4);
        QCOMPARE(aggregate["target"].get<int>(), 20);
        QCOMPARE(aggregate["size"].get<int>(), 20);
        QCOMPARE(aggregate["shortfall"].get<int>(), 0);
        QCOMPARE(aggregate["achieved_k"].get<double>(), 5.0);
        QVERIFY(!aggregate.contains("warning"));
        QVERIFY2(!run.err.contains("warning"), run.err.constData());
        auto db = Database::open(project.toStdString(), Database::Mode::ReadOnly);
        QCOMPARE(count(db, "SELECT count(*) FROM regenerations WHERE hard = 1"), int64_t(regenerate["hard"].get<int>()));
    }

    // Options given win over the preset; a set short of k x is reported (text and JSON) with the
    // factor it reached, and still made (exit 0).
    void pipelineOptionsWinOverThePresetAndTheShortfallIsReported()
    {
        QTemporaryDir dir;
        const QString project = dir.filePath("p.hwb");
        hwtest::makeProject(project.toStdString(), "persuasion", 4);
        FakeLlmServer server;
        const auto run = runPipeline(project, server,
                                     {"--preset", "paper", "--samples", "1", "--hard-share", "0", "--k", "3", "--json"});
        QVERIFY2(run.code == 0, run.err.constData());
        const auto r = nlohmann::json::parse(run.out.toStdString());
        QCOMPARE(r["stages"][1]["description"]["samples"].get<int>(), 1);
        QCOMPARE(r["stages"][1]["description"]["hardShare"].get<double>(), 0.0);
        QCOMPARE(r["stages"][1]["hard"].get<int>(), 0);
        const auto& aggregate = r["stages"][3];
        QCOMPARE(aggregate["description"]["options"]["k"].get<double>(), 3.0);
        QCOMPARE(aggregate["target"].get<int>(), 12);
        QCOMPARE(aggregate["size"].get<int>(), 8);
        QCOMPARE(aggregate["shortfall"].get<int>(), 4);
        QCOMPARE(aggregate["achieved_k"].get<double>(), 2.0);
        const std::string warning = aggregate["warning"].get<std::string>();
        QVERIFY2(warning.find("only 2.00x the originals, not 3x") != std::string::npos, warning.c_str());
        QVERIFY2(run.err.contains("hindsight pipeline: warning: the training set reached only 2.00x"), run.err.constData());
        // The job's stored item result says it too (what the Jobs page shows of the set).
        {
            auto db = Database::open(project.toStdString(), Database::Mode::ReadOnly);
            Statement st(db, "SELECT i.result FROM job_items i JOIN jobs j ON j.id = i.job_id WHERE j.kind = 'aggregate'");
            QVERIFY(st.step());
            const auto stored = nlohmann::json::parse(st.text(0));
            QCOMPARE(stored["shortfall"].get<int>(), 4);
            QCOMPARE(stored["achieved_k"].get<double>(), 2.0);
        }

        // The plain default (k 5, one completion per dialogue) falls short too, and says so in
        // its text output; `hindsight aggregate` on its own as well.
        const QString other = dir.filePath("q.hwb");
        hwtest::makeProject(other.toStdString(), "persuasion", 4);
        const auto text = runPipeline(other, server, {});
        QVERIFY2(text.code == 0, text.err.constData());
        QVERIFY2(text.out.contains("(target 20, 12 short: 2.00x of 5x)"), text.out.constData());
        QVERIFY2(text.err.contains("warning: the training set reached only 2.00x the originals, not 5x"),
                 text.err.constData());
        const auto agg = runCli({"aggregate", other, "--k", "4", "--quiet"});
        QVERIFY2(agg.code == 0, agg.err.constData());
        QVERIFY2(agg.out.contains("8 short: 2.00x of 4x"), agg.out.constData());
        QVERIFY2(agg.err.contains("hindsight aggregate: warning:"), agg.err.constData());

        const auto bad = runPipeline(other, server, {"--preset", "fast"});
        QCOMPARE(bad.code, 1);
        QVERIFY2(bad.err.contains("unknown preset 'fast' (known: default, paper)"), bad.err.constData());
    }

private:
    struct CliResult {
        int code = -1;
        QByteArray out, err;
    };
    CliResult runCli(const QStringList& args) const
    {
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(QString::fromStdString(hwtest::cliPath()), args);
        CliResult r;
        if (!p.waitForFinished(120000)) {
            p.kill();
            p.waitForFinished();
            return r;
        }
        r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }
    CliResult runPipeline(const QString& project, const FakeLlmServer& server, const QStringList& more) const
    {
        return runCli(QStringList{"pipeline", project, "--endpoint", QString::fromStdString(server.baseUrl()), "--model",
                                  "fake-model", "--quiet"}
                      + more);
    }

    QTemporaryDir m_config;
};

QTEST_GUILESS_MAIN(TestPipelineKill)
#include "tst_core_pipeline_kill.moc"
