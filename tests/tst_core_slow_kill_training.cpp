// kill -9 of training, at seeded random points, not one safe point: an ILQL agent, an RFT agent
// and a reward model are each trained by the CLI, killed three times (mid-stage at a random
// step, during a checkpoint write, at another random step), resumed after each kill, and must end
// exactly where an uninterrupted run with the same configuration ends: the same final metrics,
// the same number of metric rows (no step logged twice), the same step count.
// HW_KILL_SEED=N picks other points (the seed is printed).
#include "core/store/database.h"
#include "core/store/run_store.h"
#include "core/train/training_set.h"
#include "support/kill_points.h"
#include "support/test_paths.h"
#include "support/tiny_chat_checkpoint.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <map>
#include <random>

using namespace hw;
using nlohmann::json;

namespace {

constexpr int64_t kSteps = 60;           // of the stage that is killed
constexpr int64_t kCheckpointEvery = 10;

// The newest run of `kind` (0 when none yet).
int64_t newestRun(Database& db, const std::string& kind)
{
    Statement st(db, "SELECT coalesce(max(id), 0) FROM runs WHERE kind = ?");
    st.bind(1, kind);
    st.step();
    return st.int64(0);
}

int64_t runStep(Database& db, int64_t runId)
{
    Statement st(db, "SELECT step FROM runs WHERE id = ?");
    st.bind(1, runId);
    return st.step() ? st.int64(0) : -1;
}

// Last value of every metric of a run (rates and times left out: they measure the machine).
std::map<std::string, double> lastMetrics(Database& db, int64_t runId)
{
    std::map<std::string, double> out;
    Statement st(db, "SELECT name, value FROM metrics WHERE run_id = ? ORDER BY step, id");
    st.bind(1, runId);
    while (st.step()) {
        const std::string name = st.text(0);
        if (name.find("per_s") != std::string::npos || name.find("second") != std::string::npos
            || name.find("time") != std::string::npos)
            continue;
        out[name] = st.real(1);
    }
    return out;
}

int64_t metricRows(Database& db, int64_t runId, const std::string& name)
{
    Statement st(db, "SELECT count(*) FROM metrics WHERE run_id = ? AND name = ?");
    st.bind(1, runId).bind(2, name);
    st.step();
    return st.int64(0);
}

struct Job {
    std::vector<std::string> start;               // a new run, output in OUT
    std::function<std::vector<std::string>(int64_t runId, const std::string& out)> resume;
    std::string kind;                             // runs.kind of the stage that is killed
};

} // namespace

class TestKillTraining : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::string m_project;
    std::string m_config;   // train (ILQL, RFT)
    std::string m_lmConfig; // train-lm (reward model)

    Job job(const QString& which) const
    {
        Job j;
        if (which == "ilql" || which == "rft") {
            const std::string agent = which.toStdString();
            j.start = {"train", m_project, "--set", agent == "ilql" ? "hrl" : "rft", "--agent", agent, "--tiny",
                       "--config", m_config, "--quiet"};
            if (agent == "rft") // an RFT run is one stage of --bc-steps steps
                j.start.insert(j.start.end(), {"--bc-steps", std::to_string(kSteps)});
            j.resume = [this, agent](int64_t runId, const std::string&) {
                return std::vector<std::string>{"train", m_project, "--agent", agent, "--resume",
                                                std::to_string(runId), "--quiet"};
            };
            j.kind = agent;
        } else {
            j.start = {"train-lm", m_project, "--role", "reward", "--tiny", "--max-steps", std::to_string(kSteps),
                       "--config", m_lmConfig, "--quiet"};
            j.resume = [this](int64_t, const std::string& out) {
                return std::vector<std::string>{"train-lm", m_project, "--role", "reward", "--resume", out, "--quiet"};
            };
            j.kind = "lm-reward";
        }
        return j;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_project = m_dir.filePath("p.hwb").toStdString();
        Database::create(m_project);
        hwtest::makeChatProject(m_project, 40);
        auto db = Database::open(m_project);
        createTrainingSet(db, "hrl", TrainingSetSpec::fromPreset("hindsight-rl"));
        createTrainingSet(db, "rft", TrainingSetSpec::fromPreset("rft"));
        // ILQL: 10 steps of π_β, then 3 x 20 ILQL steps; RFT: 60 steps; checkpoints every 10.
        m_config = m_dir.filePath("kill.json").toStdString();
        std::ofstream(m_config) << json{{"bcSteps", 10},
                                        {"iterations", 3},
                                        {"updatesPerIteration", 20},
                                        {"logEvery", 5},
                                        {"checkpointEvery", kCheckpointEvery},
                                        {"keepCheckpoints", 0},
                                        {"evalSamples", 1},
                                        {"maxNewTokens", 8},
                                        {"device", "cpu"},
                                        {"seed", 3}}
                                       .dump(2);
        m_lmConfig = m_dir.filePath("kill-lm.json").toStdString();
        std::ofstream(m_lmConfig) << json{{"logEvery", 5}, {"checkpointEvery", kCheckpointEvery}, {"keepCheckpoints", 0}}
                                         .dump(2);
        qInfo("kill points from HW_KILL_SEED=%llu", static_cast<unsigned long long>(hwtest::killSeed()));
    }

    void killedThreeTimesEqualsUninterrupted_data()
    {
        QTest::addColumn<QString>("which");
        QTest::newRow("ilql") << "ilql";
        QTest::newRow("rft") << "rft";
        QTest::newRow("reward model") << "reward";
    }
    void killedThreeTimesEqualsUninterrupted()
    {
        QFETCH(QString, which);
        const Job j = job(which);
        auto db = Database::open(m_project, Database::Mode::ReadOnly);
        std::mt19937_64 rng(hwtest::killSeed() + std::hash<std::string>()(which.toStdString()));
        const std::string logs = m_dir.filePath(which).toStdString();

        // The uninterrupted run.
        const std::string whole = logs + "-whole";
        auto wholeArgs = j.start;
        wholeArgs.insert(wholeArgs.end(), {"--out", whole});
        auto ref = hwtest::spawnCli(wholeArgs, whole);
        hwtest::waitExit(ref);
        QVERIFY2(ref.exitCode == 0, ref.err().c_str());
        const int64_t refRun = newestRun(db, j.kind);
        QCOMPARE(runStep(db, refRun), kSteps);

        // Kill 1: at a random step after the first checkpoint of the stage, leaving later ones to write.
        const std::string cut = logs + "-cut";
        auto cutArgs = j.start;
        cutArgs.insert(cutArgs.end(), {"--out", cut});
        const int64_t s1 = kCheckpointEvery + 1 + static_cast<int64_t>(rng() % 20);
        auto p = hwtest::spawnCli(cutArgs, cut + "-1");
        int64_t runId = 0;
        hwtest::killWhen(p, [&] {
            runId = newestRun(db, j.kind);
            return runId > refRun && runStep(db, runId) >= s1;
        });
        QVERIFY2(p.killed, (p.err() + " exit " + std::to_string(p.exitCode)).c_str());
        qInfo("%s: killed at step %lld (point %lld)", qPrintable(which), static_cast<long long>(runStep(db, runId)),
              static_cast<long long>(s1));

        // Kill 2: while a checkpoint is being written (its staging folder exists).
        const auto leftOver = hwtest::checkpointStagingFolders(cut);
        p = hwtest::spawnCli(j.resume(runId, cut), cut + "-2");
        hwtest::killWhen(p, [&] { return hwtest::newCheckpointBeingWritten(cut, leftOver); });
        QVERIFY2(p.killed, (p.err() + " exit " + std::to_string(p.exitCode)).c_str());
        const int64_t afterTwo = runStep(db, runId);
        qInfo("%s: killed during a checkpoint write at step %lld", qPrintable(which), static_cast<long long>(afterTwo));

        // Kill 3: at another random step, when there is room for one.
        if (afterTwo + 3 < kSteps - 2) {
            const int64_t s3 = afterTwo + 3 + static_cast<int64_t>(rng() % static_cast<uint64_t>(kSteps - 2 - afterTwo - 3));
            p = hwtest::spawnCli(j.resume(runId, cut), cut + "-3");
            hwtest::killWhen(p, [&] { return runStep(db, runId) >= s3; });
            QVERIFY2(p.killed || p.exitCode == 0, p.err().c_str());
            qInfo("%s: killed at step %lld (point %lld)", qPrintable(which), static_cast<long long>(runStep(db, runId)),
                  static_cast<long long>(s3));
        }

        // Resumed to the end: the uninterrupted run's result.
        p = hwtest::spawnCli(j.resume(runId, cut), cut + "-4");
        hwtest::waitExit(p);
        QVERIFY2(p.exitCode == 0, p.err().c_str());
        RunStore store(db);
        QCOMPARE(store.run(runId)->status, std::string("done"));
        QCOMPARE(runStep(db, runId), kSteps);
        QCOMPARE(newestRun(db, j.kind), runId); // resumed in place, no new run
        QCOMPARE(metricRows(db, runId, "loss"), metricRows(db, refRun, "loss"));
        const auto want = lastMetrics(db, refRun);
        const auto got = lastMetrics(db, runId);
        QVERIFY(want.count("loss"));
        for (const auto& [name, value] : want) {
            QVERIFY2(got.count(name), name.c_str());
            QVERIFY2(std::abs(got.at(name) - value) <= 1e-6 * (1.0 + std::abs(value)),
                     qPrintable(QStringLiteral("%1: resumed %2, uninterrupted %3")
                                    .arg(QString::fromStdString(name))
                                    .arg(got.at(name), 0, 'g', 17)
                                    .arg(value, 0, 'g', 17)));
        }
    }
};

QTEST_APPLESS_MAIN(TestKillTraining)
#include "tst_core_slow_kill_training.moc"
