// kill -9 of `hindsight pipeline` at seeded random points, not one safe point: after the n-th
// answer of the (fake) LLM, or at the first database commit after it, in any of the stages
// (relabel, regenerate, label, aggregate); the pipeline is run again after each kill, and the
// project ends with the same counts as an uninterrupted run of the same command: suggestions,
// regenerations, labels, the training set, one job per stage, every job done.
// tst_core_pipeline_kill covers the exact cut of one stage; HW_KILL_SEED=N picks other points.
#include "core/store/database.h"
#include "support/fake_llm_server.h"
#include "support/kill_points.h"
#include "support/pipeline_fixture.h"
#include "support/test_paths.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>

using namespace hw;
using hwtest::FakeLlmServer;

namespace {

// What an uninterrupted run and a killed-and-resumed one must agree on.
std::map<std::string, int64_t> projectCounts(const std::string& path)
{
    auto db = Database::open(path, Database::Mode::ReadOnly);
    std::map<std::string, int64_t> c;
    auto q = [&](const char* name, const std::string& sql) { c[name] = db.queryInt64(sql).value_or(-1); };
    q("suggestions", "SELECT count(*) FROM suggestions");
    q("dialogues with suggestions", "SELECT count(DISTINCT dialogue_id) FROM suggestions");
    q("regenerations", "SELECT count(*) FROM regenerations");
    q("regenerated dialogues", "SELECT count(*) FROM dialogues WHERE source = 'regeneration'");
    q("turns", "SELECT count(*) FROM turns");
    q("labelled", "SELECT count(*) FROM dialogues WHERE reward IS NOT NULL");
    q("training sets", "SELECT count(*) FROM training_sets");
    q("training set items", "SELECT count(*) FROM training_set_items");
    q("jobs", "SELECT count(*) FROM jobs");
    q("jobs not done", "SELECT count(*) FROM jobs WHERE status <> 'done'");
    q("job items failed", "SELECT count(*) FROM job_items WHERE status <> 'done'");
    q("llm calls", "SELECT count(*) FROM llm_calls");
    Statement perJob(db, "SELECT j.kind, count(i.item_key) FROM jobs j LEFT JOIN job_items i ON i.job_id = j.id "
                         "AND i.status = 'done' GROUP BY j.kind");
    while (perJob.step())
        c["job items done: " + perJob.text(0)] = perJob.int64(1);
    return c;
}

int64_t fileSize(const std::string& path)
{
    std::error_code ec;
    const auto n = std::filesystem::file_size(path, ec);
    return ec ? -1 : static_cast<int64_t>(n);
}

} // namespace

class TestKillPipeline : public QObject {
    Q_OBJECT
    QTemporaryDir m_config;

    std::vector<std::string> pipelineArgs(const std::string& project, const FakeLlmServer& server,
                                          const std::string& out) const
    {
        return {"pipeline", project, "--endpoint", server.baseUrl(), "--model", "fake-model", "--samples", "2",
                "--hard-share", "0.5", "--k", "2", "--seed", "5", "--concurrency", "2", "-o", out, "--json", "--quiet"};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_config.isValid());
        // No user profiles or prompt overrides in the CLI processes this test starts.
        qputenv("HW_CONFIG_DIR", m_config.path().toUtf8());
        qInfo("kill points from HW_KILL_SEED=%llu", static_cast<unsigned long long>(hwtest::killSeed()));
    }

    void killedAnywhereEqualsUninterrupted()
    {
        QTemporaryDir dir;
        const std::string whole = dir.filePath("whole.hwb").toStdString();
        const std::string cut = dir.filePath("cut.hwb").toStdString();
        hwtest::makeProject(whole, "persuasion", 8);
        std::filesystem::copy_file(whole, cut);

        // The uninterrupted run: how many answers the whole pipeline takes.
        FakeLlmServer server;
        auto ref = hwtest::spawnCli(pipelineArgs(whole, server, dir.filePath("whole.jsonl").toStdString()),
                                    dir.filePath("whole").toStdString());
        hwtest::waitExit(ref);
        QVERIFY2(ref.exitCode == 0, ref.err().c_str());
        const int64_t answers = server.answered();
        QVERIFY(answers > 8);
        const auto want = projectCounts(whole);
        QCOMPARE(want.at("jobs"), int64_t(4));
        QCOMPARE(want.at("jobs not done"), int64_t(0));
        QVERIFY(want.at("training set items") > 0);

        // One kill in each stage, at a random point of it: after a random answer of relabel, at
        // the first commit after a random answer of regenerate, after a random answer of label,
        // and while aggregate runs (it asks nothing). Answers are counted per run: a
        // resumed run does not ask again what was saved.
        const auto refSummary = nlohmann::json::parse(ref.out());
        std::vector<int64_t> perStage;
        for (const auto& st : refSummary["stages"])
            perStage.push_back(st["requests"].get<int64_t>());
        QCOMPARE(perStage.size(), size_t(4));
        for (int i = 0; i < 3; ++i)
            QVERIFY2(perStage[static_cast<size_t>(i)] >= 2, qPrintable(QString::number(i)));
        std::mt19937_64 rng(hwtest::killSeed());
        auto inside = [&](int64_t n) { return 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(n - 1)); };
        const int64_t k0 = inside(perStage[0]);
        const int64_t k1 = perStage[0] + inside(perStage[1]);
        const int64_t k2 = perStage[0] + perStage[1] + inside(perStage[2]);
        struct Point {
            int64_t afterAnswers; // answers of this run before the kill may happen
            bool atCommit;        // then wait for the next commit (the write-ahead log changes)
            bool aggregate;       // instead: as soon as the aggregate job exists and is not done
        };
        const std::vector<Point> points = {{k0, false, false}, {k1 - k0, true, false}, {k2 - k1, false, false},
                                           {0, false, true}};
        server.resetCounters();
        const std::string wal = cut + "-wal";
        int kills = 0;
        bool killedInAggregate = false;
        hwtest::KillRun finished;
        for (size_t i = 0; i < points.size(); ++i) {
            const Point& pt = points[i];
            int64_t walAtPoint = -1;
            auto p = hwtest::spawnCli(pipelineArgs(cut, server, dir.filePath("cut.jsonl").toStdString()),
                                      dir.filePath("cut-" + QString::number(i)).toStdString());
            const int64_t base = server.answered();
            hwtest::killWhen(p, [&] {
                if (server.answered() - base < pt.afterAnswers)
                    return false;
                if (pt.aggregate) {
                    // While aggregate runs: its job is there and not done yet.
                    auto db = Database::open(cut, Database::Mode::ReadOnly);
                    return db.queryInt64("SELECT count(*) FROM jobs WHERE kind = 'aggregate' AND status <> 'done'")
                               .value_or(0)
                           > 0;
                }
                if (!pt.atCommit)
                    return true;
                const int64_t now = fileSize(wal);
                if (walAtPoint < 0) {
                    walAtPoint = now;
                    return false;
                }
                return now != walAtPoint;
            });
            qInfo("run %zu: %s (%lld answers in%s%s)", i, p.killed ? "killed" : "ended by itself",
                  static_cast<long long>(server.answered() - base), pt.atCommit ? ", at a commit" : "",
                  pt.aggregate ? ", in aggregate" : "");
            if (!p.killed) {
                // It got to the end before the point (the resumed work needs fewer answers).
                QVERIFY2(p.exitCode == 0, p.err().c_str());
                finished = std::move(p);
                break;
            }
            ++kills;
            killedInAggregate = killedInAggregate || pt.aggregate;
        }
        QVERIFY(kills >= 1);

        // Run again to the end: the uninterrupted run's counts.
        if (finished.pid < 0) {
            finished = hwtest::spawnCli(pipelineArgs(cut, server, dir.filePath("cut.jsonl").toStdString()),
                                        dir.filePath("cut-last").toStdString());
            hwtest::waitExit(finished);
            QVERIFY2(finished.exitCode == 0, finished.err().c_str());
        }
        const auto summary = nlohmann::json::parse(finished.out());
        QCOMPARE(summary["status"].get<std::string>(), std::string("done"));
        const auto got = projectCounts(cut);
        // Every count, aggregate's jobs and training sets included (a kill while aggregate ran
        // resumes that job instead of starting a second one).
        QString differences;
        for (const auto& [name, value] : want) {
            const int64_t after = got.count(name) ? got.at(name) : -1;
            if (after != value)
                differences += QStringLiteral("%1: %2 after kills, %3 uninterrupted; ")
                                   .arg(QString::fromStdString(name))
                                   .arg(after)
                                   .arg(value);
        }
        if (!differences.isEmpty() && killedInAggregate)
            differences += QStringLiteral("(one kill was while aggregate ran)");
        QVERIFY2(differences.isEmpty(), qPrintable(differences));
        auto db = Database::open(cut, Database::Mode::ReadOnly);
        Statement check(db, "PRAGMA quick_check");
        QVERIFY(check.step());
        QCOMPARE(check.text(0), std::string("ok"));
    }
};

QTEST_APPLESS_MAIN(TestKillPipeline)
#include "tst_core_slow_kill_pipeline.moc"
