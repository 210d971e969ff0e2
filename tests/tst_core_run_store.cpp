// RunStore: runs with their training set, metrics since an id (what the live monitor polls) read
// on a second connection while a recorder writes, checkpoints, details with lineage.
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/run_store.h"
#include "core/train/run_recorder.h"
#include "support/generated_dialogues.h"
#include "support/test_paths.h"

using namespace hw;

class TestRunStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void emptyProject()
    {
        auto db = Database::openInMemory();
        RunStore store(db);
        QVERIFY(store.runs().empty());
        QCOMPARE(store.lastMetricId(), int64_t(0));
        QVERIFY(store.metricsSince(0).empty());
        QVERIFY(!store.run(1));
        QVERIFY(!store.details(1));
    }

    void metricsSinceIsIncrementalAcrossConnections()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        Database::create(path);
        auto reader = Database::open(path, Database::Mode::ReadOnly);
        RunStore store(reader);

        RunInfo info;
        info.name = "ilql on everything";
        info.kind = "ilql";
        info.config = {{"tau", 0.8}};
        auto rec = RunRecorder::start(path, info);
        rec.log(10, {{"loss", 2.0}, {"lr", 1e-4}});
        auto runs = store.runs();
        QCOMPARE(runs.size(), size_t(1));
        QCOMPARE(runs[0].status, std::string("running"));
        QCOMPARE(runs[0].step, int64_t(10));
        QCOMPARE(runs[0].kind, std::string("ilql"));

        auto first = store.metricsSince(0);
        QCOMPARE(first.size(), size_t(2));
        QCOMPARE(first[0].name, std::string("loss"));
        QCOMPARE(first[0].step, int64_t(10));
        const int64_t last = first.back().id;

        rec.log(20, {{"loss", 1.5}, {"lr", 1e-4}});
        rec.log(30, {{"loss", 1.2}});
        auto next = store.metricsSince(last);
        QCOMPARE(next.size(), size_t(3));
        QVERIFY(next.front().id > last);
        QCOMPARE(next.back().value, 1.2);
        QCOMPARE(store.lastMetricId(), next.back().id);
        // Batches: a limit cuts, the next call continues.
        auto two = store.metricsSince(0, 2);
        QCOMPARE(two.size(), size_t(2));
        auto rest = store.metricsSince(two.back().id, 100);
        QCOMPARE(rest.size(), size_t(3));
        // Per run.
        QCOMPARE(store.metricsSince(0, 100, rec.runId()).size(), size_t(5));
        QCOMPARE(store.metricsSince(0, 100, rec.runId() + 1).size(), size_t(0));
        QCOMPARE(store.metricNames(rec.runId()), (std::vector<std::string>{"loss", "lr"}));

        rec.checkpoint(30, "/tmp/ck/step-30", {{"loss", 1.2}});
        rec.bestEval(1.1);
        rec.finish("stopped");
        const auto r = store.run(rec.runId());
        QVERIFY(r);
        QCOMPARE(r->status, std::string("stopped"));
        QCOMPARE(r->checkpointDir, std::string("/tmp/ck/step-30"));
        QCOMPARE(*r->bestEval, 1.1);
        const auto ck = store.latestCheckpoint(rec.runId());
        QVERIFY(ck);
        QCOMPARE(ck->step, int64_t(30));
        QCOMPARE(ck->metrics["loss"].get<double>(), 1.2);
        const auto chat = store.chatCheckpoints();
        QCOMPARE(chat.size(), size_t(1));
        QCOMPARE(chat[0].run.id, rec.runId());
    }

    void detailsCarryTrainingSetLineage()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        auto db = Database::create(path);
        const auto ids = hwtest::insertGenerated(db, 6);
        // A regeneration of dialogue 0 made by some model and prompt.
        db.exec("UPDATE dialogues SET source = 'regeneration', parent_id = " + std::to_string(ids[0]) + " WHERE id = "
                + std::to_string(ids[1]));
        Statement rg(db, "INSERT INTO regenerations(dialogue_id, parent_dialogue_id, prefix_len, generator, hard) "
                         "VALUES (?, ?, 2, ?, 1)");
        rg.bind(1, ids[1]).bind(2, ids[0]).bind(3, R"({"model":"forward-7","prompt":"counseling/regenerate.txt"})").exec();
        db.exec(R"(INSERT INTO training_sets(name, spec, lineage) VALUES ('hindsight', '{"preset":"hindsight_rl"}', '{"regeneration_jobs":[3]}'))");
        const int64_t setId = db.lastInsertId();
        for (int i = 0; i < 3; ++i)
            db.exec("INSERT INTO training_set_items(set_id, dialogue_id) VALUES (" + std::to_string(setId) + ", "
                    + std::to_string(ids[size_t(i)]) + ")");

        RunInfo info;
        info.name = "hindsight rl";
        info.kind = "ilql";
        info.setId = setId;
        info.config = {{"ilql", {{"tau", 0.8}}}, {"batch", 128}};
        info.lineage = {{"init", "runs/sft-1/step-100"}};
        auto rec = RunRecorder::start(path, info);
        rec.log(1, {{"loss", 3.0}});
        rec.finish("done");

        RunStore store(db);
        const auto runs = store.runs();
        QCOMPARE(runs.size(), size_t(1));
        QCOMPARE(runs[0].setName, std::string("hindsight"));
        const auto d = store.details(rec.runId());
        QVERIFY(d);
        QCOMPARE(d->config["batch"].get<int>(), 128);
        QCOMPARE(d->lineage["init"].get<std::string>(), std::string("runs/sft-1/step-100"));
        QCOMPARE(d->trainingSet["name"].get<std::string>(), std::string("hindsight"));
        QCOMPARE(d->trainingSet["items"].get<int>(), 3);
        QCOMPARE(d->trainingSet["spec"]["preset"].get<std::string>(), std::string("hindsight_rl"));
        QCOMPARE(d->trainingSet["sources"]["regeneration"].get<int>(), 1);
        QCOMPARE(d->trainingSet["regenerations"].size(), size_t(1));
        QCOMPARE(d->trainingSet["regenerations"][0]["generator"]["model"].get<std::string>(), std::string("forward-7"));
        QCOMPARE(d->trainingSet["regenerations"][0]["hard"].get<bool>(), true);
        QCOMPARE(d->metricCount, int64_t(1));
        const auto j = d->toJson();
        QVERIFY(j.contains("run") && j.contains("config") && j.contains("lineage") && j.contains("training_set"));
        QCOMPARE(store.trainingSets().size(), size_t(1));

        QVERIFY(store.removeRun(rec.runId()));
        QVERIFY(store.runs().empty());
        QCOMPARE(store.lastMetricId(), int64_t(0));
    }

    void resumeRewindsMetrics()
    {
        // RunRecorder::resume deletes rows past the checkpoint; the run's step goes back. The
        // poller relies on that step decrease to re-read the run.
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        Database::create(path);
        RunInfo info;
        info.name = "r";
        info.kind = "lm-policy-sft";
        int64_t id = 0;
        {
            auto rec = RunRecorder::start(path, info);
            id = rec.runId();
            for (int s = 10; s <= 50; s += 10)
                rec.log(s, {{"loss", 1.0 / s}});
            rec.finish("stopped");
        }
        auto reader = Database::open(path, Database::Mode::ReadOnly);
        RunStore store(reader);
        QCOMPARE(store.run(id)->step, int64_t(50));
        auto rec = RunRecorder::resume(path, id, 30);
        QCOMPARE(store.run(id)->step, int64_t(30));
        QCOMPARE(store.metricsSince(0, 100, id).size(), size_t(3));
        rec.log(40, {{"loss", 0.5}});
        const auto all = store.metricsSince(0, 100, id);
        QCOMPARE(all.size(), size_t(4));
        QCOMPARE(all.back().value, 0.5);
        rec.finish("done");
    }
};

QTEST_APPLESS_MAIN(TestRunStore)
#include "tst_core_run_store.moc"
