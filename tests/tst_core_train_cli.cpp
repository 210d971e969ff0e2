// `hindsight train` as a process: an ILQL agent (π_β by behaviour cloning, then ILQL) trained on a
// saved set with a --config file; Ctrl+C (SIGINT) during the ILQL stage stops it cleanly with a
// checkpoint (exit 130); --resume RUN continues the same run to the end and lands where an
// uninterrupted run with the same configuration lands; a stop asked for through the project file
// (what the workbench's Stop button does) stops a CLI run too; mismatched --agent is refused.
#include "core/store/database.h"
#include "core/store/run_store.h"
#include "core/train/training_set.h"
#include "support/test_paths.h"
#include "support/tiny_chat_checkpoint.h"

#include <QProcess>

#include <csignal>
#include <filesystem>
#include <fstream>

using namespace hw;
using nlohmann::json;

namespace {

struct CliResult {
    int code = -1;
    QByteArray out;
    QByteArray err;
};

CliResult runCli(const QStringList& args, int timeoutMs = 300000)
{
    QProcess p;
    p.start(QString::fromStdString(hwtest::cliPath()), args);
    CliResult r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "timed out: " + p.readAllStandardError();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

// Small enough for seconds on a CPU; ILQL long enough to be interrupted mid-way.
json tinyConfig(int64_t iterations, int64_t updates)
{
    return {{"bcSteps", 10},      {"iterations", iterations}, {"updatesPerIteration", updates},
            {"logEvery", 5},      {"checkpointEvery", 0},     {"evalSamples", 1},
            {"maxNewTokens", 8},  {"device", "cpu"},          {"seed", 3}};
}

QString writeConfig(const QTemporaryDir& dir, const QString& name, const json& config)
{
    const QString path = dir.filePath(name);
    std::ofstream(path.toStdString()) << config.dump(2);
    return path;
}

// Metric value of a run at its last logged step.
std::optional<double> lastMetric(Database& db, int64_t runId, const std::string& name)
{
    Statement st(db, "SELECT value FROM metrics WHERE run_id = ? AND name = ? ORDER BY step DESC, id DESC LIMIT 1");
    st.bind(1, runId).bind(2, name);
    if (!st.step())
        return std::nullopt;
    return st.real(0);
}

int64_t ilqlRunId(Database& db)
{
    return db.queryInt64("SELECT coalesce(max(id), 0) FROM runs WHERE kind = 'ilql'").value_or(0);
}

// Waits until an ILQL run newer than `after` has logged at least `step` (the process is
// training ILQL); returns its id, 0 on timeout or when the process ended.
int64_t waitForIlqlStep(Database& db, QProcess& p, int64_t after, int64_t step, int timeoutMs = 180000)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs && p.state() != QProcess::NotRunning) {
        Statement st(db, "SELECT id FROM runs WHERE kind = 'ilql' AND id > ? AND step >= ? ORDER BY id DESC LIMIT 1");
        st.bind(1, after).bind(2, step);
        if (st.step())
            return st.int64(0);
        QTest::qWait(50);
    }
    return 0;
}

} // namespace

class TestTrainCli : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_project;

    QStringList trainArgs(const QStringList& more) const
    {
        return QStringList{"train", m_project, "--set", "hrl", "--agent", "ilql", "--tiny", "--quiet"} + more;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_project = m_dir.filePath("p.hwb");
        Database::create(m_project.toStdString());
        hwtest::makeChatProject(m_project.toStdString(), 40);
        auto db = Database::open(m_project.toStdString());
        createTrainingSet(db, "hrl", TrainingSetSpec::fromPreset("hindsight-rl"));
    }

    // A whole ILQL job from the CLI with a --config file: the file's step counts are used, both
    // stages are recorded, the result JSON matches the project.
    void trainsWithAConfigFile()
    {
        const QString cfg = writeConfig(m_dir, "short.json", tinyConfig(2, 10));
        const auto r = runCli(trainArgs({"--config", cfg, "--json", "--out", m_dir.filePath("short")}));
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = json::parse(r.out.toStdString());
        QCOMPARE(j["status"].get<std::string>(), std::string("done"));
        QCOMPARE(j["agent"].get<std::string>(), std::string("ilql"));
        QCOMPARE(j["steps"].get<int64_t>(), int64_t(20));          // 2 x 10 from the file, not tiny's 4 x 25
        QCOMPARE(j["total_steps"].get<int64_t>(), int64_t(20));
        QVERIFY(j["behaviour_run_id"].get<int64_t>() > 0);
        const std::string ck = j["checkpoint"].get<std::string>();
        // The default separate layout: π_β, the value trunk with its V/Q heads, the optimizer.
        QVERIFY2(std::filesystem::exists(ck + "/ilql_value_heads.safetensors"), ck.c_str());
        QVERIFY(std::filesystem::exists(ck + "/value_trunk.safetensors"));
        QVERIFY(std::filesystem::exists(ck + "/optimizer.safetensors"));

        auto db = Database::open(m_project.toStdString(), Database::Mode::ReadOnly);
        RunStore store(db);
        const auto ilql = store.run(j["run_id"].get<int64_t>());
        QVERIFY(ilql);
        QCOMPARE(ilql->kind, std::string("ilql"));
        QCOMPARE(ilql->status, std::string("done"));
        QCOMPARE(ilql->step, int64_t(20));
        QCOMPARE(ilql->setName, std::string("hrl"));
        const auto bc = store.run(j["behaviour_run_id"].get<int64_t>());
        QVERIFY(bc);
        QCOMPARE(bc->status, std::string("done"));
        QCOMPARE(bc->step, int64_t(10));                            // bcSteps from the file
        for (const char* m : {"loss", "q_mean", "v_mean", "advantage_mean", "lr", "grad_norm", "tokens_per_s"})
            QVERIFY2(lastMetric(db, ilql->id, m).has_value(), m);
        QCOMPARE(j["last"]["loss"].get<double>(), *lastMetric(db, ilql->id, "loss"));
    }

    // Ctrl+C in the ILQL stage: exit 130, a checkpoint of the step it stopped at, the run
    // 'stopped'. --resume RUN continues the same run to the end, and it ends where a run that was
    // never interrupted ends.
    void ctrlCThenResumeEqualsUninterrupted()
    {
        const json config = tinyConfig(2, 60);
        const QString cfg = writeConfig(m_dir, "long.json", config);
        QProcess p;
        p.start(QString::fromStdString(hwtest::cliPath()), trainArgs({"--config", cfg, "--out", m_dir.filePath("cut")}));
        QVERIFY(p.waitForStarted());
        auto db = Database::open(m_project.toStdString(), Database::Mode::ReadOnly);
        const int64_t before = ilqlRunId(db);
        const int64_t runId = waitForIlqlStep(db, p, before, 10);
        QVERIFY2(runId > 0, p.readAllStandardError().constData());
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(120000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(p.exitCode() == 130, qPrintable(out + p.readAllStandardError()));
        QVERIFY2(out.contains("stopped after") && out.contains("--resume"), qPrintable(out));

        RunStore store(db);
        const auto stopped = *store.run(runId);
        QCOMPARE(stopped.status, std::string("stopped"));
        QVERIFY(stopped.step >= 10 && stopped.step < 120);
        const auto ck = store.latestCheckpoint(runId);
        QVERIFY(ck);
        QCOMPARE(ck->step, stopped.step);
        QVERIFY2(std::filesystem::exists(ck->path + "/hw_checkpoint.json"), ck->path.c_str());
        const int64_t runsBefore = *db.queryInt64("SELECT count(*) FROM runs");

        // Resume by run id: the same run, to the end, no new run rows, no duplicate metric steps.
        const auto r = runCli({"train", m_project, "--agent", "ilql", "--resume", QString::number(runId), "--json", "--quiet"});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = json::parse(r.out.toStdString());
        QCOMPARE(j["run_id"].get<int64_t>(), runId);
        QCOMPARE(j["status"].get<std::string>(), std::string("done"));
        QCOMPARE(j["steps"].get<int64_t>(), int64_t(120));
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM runs"), runsBefore);
        QCOMPARE(store.run(runId)->status, std::string("done"));
        QCOMPARE(store.run(runId)->step, int64_t(120));
        Statement dup(db, "SELECT count(*) FROM (SELECT step FROM metrics WHERE run_id = ? AND name = 'loss' "
                          "GROUP BY step HAVING count(*) > 1)");
        dup.bind(1, runId);
        QVERIFY(dup.step());
        QCOMPARE(dup.int64(0), int64_t(0));
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM metrics WHERE run_id = " + std::to_string(runId)
                                + " AND name = 'loss'"),
                 int64_t(120 / 5));

        // The same job never interrupted: the same final training and held-out values.
        const auto u = runCli(trainArgs({"--config", cfg, "--json", "--out", m_dir.filePath("whole")}));
        QVERIFY2(u.code == 0, u.err.constData());
        const auto w = json::parse(u.out.toStdString());
        QCOMPARE(w["steps"].get<int64_t>(), int64_t(120));
        for (const char* m : {"loss", "q_mean", "v_mean", "advantage_mean"}) {
            const double resumed = *lastMetric(db, runId, m);
            const double whole = *lastMetric(db, w["run_id"].get<int64_t>(), m);
            QVERIFY2(std::abs(resumed - whole) <= 1e-6 * (1.0 + std::abs(whole)),
                     qPrintable(QStringLiteral("%1: resumed %2, uninterrupted %3").arg(m).arg(resumed, 0, 'g', 17).arg(whole, 0, 'g', 17)));
        }
    }

    // The workbench's Stop for a run trained by the CLI: a stop request written into the project
    // from another connection; the CLI stops after its step with a checkpoint and exits normally.
    void stopRequestedThroughTheProject()
    {
        const QString cfg = writeConfig(m_dir, "stop.json", tinyConfig(4, 250));
        QProcess p;
        p.start(QString::fromStdString(hwtest::cliPath()), trainArgs({"--config", cfg, "--out", m_dir.filePath("gui-stop")}));
        QVERIFY(p.waitForStarted());
        auto db = Database::open(m_project.toStdString());
        const int64_t before = ilqlRunId(db);
        const int64_t runId = waitForIlqlStep(db, p, before, 5);
        QVERIFY2(runId > 0, p.readAllStandardError().constData());
        RunStore store(db);
        QVERIFY(!store.run(runId)->stale);
        QVERIFY(store.requestStop(runId));
        QVERIFY(p.waitForFinished(120000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(p.exitCode() == 0, qPrintable(out + p.readAllStandardError()));
        QVERIFY2(out.contains("stopped after"), qPrintable(out));
        const auto run = *store.run(runId);
        QCOMPARE(run.status, std::string("stopped"));
        QVERIFY(!run.stopRequested);
        QVERIFY(run.step < 1000);
        const auto ck = store.latestCheckpoint(runId);
        QVERIFY(ck);
        QCOMPARE(ck->step, run.step);
        QVERIFY(std::filesystem::exists(ck->path + "/hw_checkpoint.json"));

        // Resuming it as another agent is refused with the reason.
        const auto bad = runCli({"train", m_project, "--agent", "sft", "--resume", QString::number(runId)});
        QCOMPARE(bad.code, 1);
        QVERIFY2(bad.err.contains("'ilql' job, not sft"), bad.err.constData());
        // A set that does not exist.
        const auto noSet = runCli({"train", m_project, "--agent", "ilql", "--set", "nope", "--tiny"});
        QCOMPARE(noSet.code, 1);
        QVERIFY2(noSet.err.contains("no training set named 'nope'"), noSet.err.constData());
    }

    // --preset paper: ILQL's CQL weight is the paper's Table 3 alpha = 0.0 (the default stays the
    // reference's 1.0); --cql-weight and a --config file that names the weight win over the
    // preset, which leaves the rest of the configuration as it was. Read back from the trained
    // checkpoint's train_config.json and from the run the project records.
    void paperPresetSetsTheCqlWeight()
    {
        const json shortRun = {{"bcSteps", 2},      {"iterations", 1},   {"updatesPerIteration", 2},
                               {"logEvery", 1},     {"checkpointEvery", 0}, {"evalSamples", 0},
                               {"maxNewTokens", 4}, {"device", "cpu"},   {"seed", 3}};
        const QString cfg = writeConfig(m_dir, "preset.json", shortRun);
        json withWeight = shortRun;
        withWeight["ilql"] = {{"loss_weights", {{"cql_loss_weight", 0.3}}}};
        const QString weighted = writeConfig(m_dir, "weighted.json", withWeight);
        auto trained = [&](const QString& name, const QStringList& more, const QString& config = QString()) -> json {
            const auto r = runCli(trainArgs(QStringList{"--config", config.isEmpty() ? cfg : config, "--json", "--out",
                                                        m_dir.filePath(name)}
                                            + more));
            if (r.code != 0) {
                qWarning("%s", r.err.constData());
                return json();
            }
            const auto j = json::parse(r.out.toStdString());
            std::ifstream in(j["checkpoint"].get<std::string>() + "/train_config.json");
            json written = json::parse(in);
            auto db = Database::open(m_project.toStdString(), Database::Mode::ReadOnly);
            const auto details = RunStore(db).details(j["run_id"].get<int64_t>());
            written["recorded"] = details ? details->config["ilql"]["loss_weights"]["cql_loss_weight"] : json();
            return written;
        };
        auto cql = [](const json& c) { return c["ilql"]["loss_weights"]["cql_loss_weight"].get<double>(); };

        const json plain = trained("preset-none", {});
        QVERIFY(!plain.is_null());
        QCOMPARE(cql(plain), 1.0);
        const json paper = trained("preset-paper", {"--preset", "paper"});
        QVERIFY(!paper.is_null());
        QCOMPARE(cql(paper), 0.0);
        QCOMPARE(paper["recorded"].get<double>(), 0.0);
        // Only the CQL weight moved: every other loss weight and option is the plain run's.
        json a = plain, b = paper;
        a["ilql"]["loss_weights"].erase("cql_loss_weight");
        b["ilql"]["loss_weights"].erase("cql_loss_weight");
        a.erase("recorded");
        b.erase("recorded");
        QCOMPARE(a["ilql"].dump(), b["ilql"].dump());
        QCOMPARE(a["iterations"], b["iterations"]);

        const json flag = trained("preset-flag", {"--preset", "paper", "--cql-weight", "0.5"});
        QVERIFY(!flag.is_null());
        QCOMPARE(cql(flag), 0.5);
        // A --config file is read after the preset.
        const json file = trained("preset-file", {"--preset", "paper"}, weighted);
        QVERIFY(!file.is_null());
        QCOMPARE(cql(file), 0.3);

        const auto bad = runCli(trainArgs({"--preset", "fast"}));
        QCOMPARE(bad.code, 1);
        QVERIFY2(bad.err.contains("unknown preset 'fast' (known: default, paper)"), bad.err.constData());
    }
};

QTEST_APPLESS_MAIN(TestTrainCli)
#include "tst_core_train_cli.moc"
