// RunStore: runs with their training set, metrics since an id (what the live monitor polls) read
// on a second connection while a recorder writes, checkpoints, details with lineage.
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/run_liveness.h"
#include "core/store/run_store.h"
#include "core/store/schema.h"
#include "core/train/run_launcher.h"
#include "core/train/run_recorder.h"
#include "support/generated_dialogues.h"
#include "support/lm_corpus.h"
#include "support/test_paths.h"

#include <filesystem>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace hw;

namespace {

// A pid that certainly belonged to a process that is gone: a child that exited and was reaped.
int64_t deadPid()
{
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return static_cast<int64_t>(child);
}

} // namespace

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
        rg.bind(1, ids[1]).bind(2, ids[0]).bind(3, R"({"model":"forward-7","prompt":"counseling/regenerate.txt","llm_call_id":4})").exec();
        // A second one by the same model and prompt (another call): the same lineage group.
        db.exec("UPDATE dialogues SET source = 'regeneration', parent_id = " + std::to_string(ids[0]) + " WHERE id = "
                + std::to_string(ids[2]));
        rg.reset();
        rg.bind(1, ids[2]).bind(2, ids[0]).bind(3, R"({"model":"forward-7","prompt":"counseling/regenerate.txt","llm_call_id":9,"request_hash":"z"})").exec();
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
        QCOMPARE(d->trainingSet["sources"]["regeneration"].get<int>(), 2);
        QCOMPARE(d->trainingSet["regenerations"].size(), size_t(1));
        QCOMPARE(d->trainingSet["regenerations"][0]["dialogues"].get<int>(), 2);
        QVERIFY(!d->trainingSet["regenerations"][0]["generator"].contains("llm_call_id"));
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

    // Version 3 adds the stop request and liveness columns to runs: a version-2 file with a run in
    // it is migrated forward, the run kept, the new columns at their defaults.
    void migrationAddsRunLiveness()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("v2.hwb").toStdString();
        {
            auto db = Database::create(path);
            // Take the file back to version 2: the runs table as version 2 laid it out.
            for (const char* c : {"stop_requested", "owner_host", "owner_pid", "heartbeat"})
                db.exec(std::string("ALTER TABLE runs DROP COLUMN ") + c);
            db.exec("DROP TABLE eval_episodes"); // version 4
            db.exec("ALTER TABLE tasks DROP COLUMN definition"); // version 5
            db.exec("DROP TABLE study_trial_sessions; DROP TABLE study_trials; DROP TABLE study_participants; "
                    "DROP TABLE studies"); // version 6
            db.exec("PRAGMA user_version = 2");
            db.exec("INSERT INTO runs(name, kind, status, step) VALUES ('old', 'ilql', 'running', 7)");
        }
        auto db = Database::open(path);
        QCOMPARE(db.schemaVersion(), currentSchemaVersion());
        QVERIFY(currentSchemaVersion() >= 3);
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM runs WHERE name = 'old' AND step = 7 AND stop_requested = 0 "
                                "AND owner_pid = 0 AND owner_host = '' AND heartbeat = 0"),
                 int64_t(1));
        RunStore store(db);
        auto run = store.runs().at(0);
        // Never beat: its last update (just now) stands in, so it is not taken for dead yet...
        QVERIFY(!run.stale);
        // ...but an hour without a sign of life is.
        db.exec("UPDATE runs SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hour')");
        QVERIFY(store.runs().at(0).stale);
        QVERIFY(store.requestStop(run.id));
        QVERIFY(store.runs().at(0).stopRequested);
    }

    void runsWhoseProcessDiedAreStale()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        Database::create(path);
        RunInfo info;
        info.name = "r";
        info.kind = "ilql";
        auto rec = RunRecorder::start(path, info);
        auto db = Database::open(path);
        RunStore store(db);
        auto run = *store.run(rec.runId());
        QCOMPARE(run.ownerPid, currentProcessId());
        QCOMPARE(run.ownerHost, currentHostName());
        QVERIFY(!run.stale);                       // this very process trains it

        // Its process died on this host: interrupted at once, whatever the heartbeat says.
        Statement pid(db, "UPDATE runs SET owner_pid = ?, heartbeat = ? WHERE id = ?");
        pid.bind(1, deadPid()).bind(2, unixSeconds()).bind(3, rec.runId()).exec();
        QVERIFY(store.run(rec.runId())->stale);
        QVERIFY(store.runs().at(0).stale);
        // Trained on another machine: only the heartbeat tells.
        Statement other(db, "UPDATE runs SET owner_host = 'elsewhere', heartbeat = ? WHERE id = ?");
        other.bind(1, unixSeconds() - 5).bind(2, rec.runId()).exec();
        QVERIFY(!store.run(rec.runId())->stale);
        other.reset();
        other.bind(1, unixSeconds() - 2 * kRunStaleAfterSeconds).bind(2, rec.runId()).exec();
        QVERIFY(store.run(rec.runId())->stale);
        // Only running runs can be interrupted; a finished one cannot be asked to stop.
        rec.finish("stopped");
        QVERIFY(!store.run(rec.runId())->stale);
        QVERIFY(!store.requestStop(rec.runId()));
        // A resumed run belongs to the process that resumed it.
        auto again = RunRecorder::resume(path, rec.runId(), 0);
        run = *store.run(rec.runId());
        QCOMPARE(run.ownerPid, currentProcessId());
        QVERIFY(!run.stale);
        again.finish("done");

        QVERIFY(!runTrainerGone(currentHostName(), currentProcessId(), 0, unixSeconds()));
        QVERIFY(runTrainerGone(currentHostName(), deadPid(), unixSeconds(), unixSeconds()));
    }

    // The workbench stops a run another process trains: it sets runs.stop_requested on its own
    // connection; the trainer (a real LM training job on its thread, with its own connections)
    // sees it at its next step, writes a checkpoint and marks the run stopped.
    void trainerStopsWhenAskedThroughTheProject()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        hwtest::insertDialogues(path, hwtest::lmDialogues(24));
        RunLaunchRequest request;   // what the workbench's training worker sends, torch-free
        request.projectPath = path;
        request.kind = "lm-policy-sft";
        request.tiny = true;
        request.overrides = {{"maxSteps", 100000}, {"logEvery", 2}, {"evalEvery", 0}, {"device", "cpu"}};
        RunLaunchResult result;
        std::string error;
        std::thread trainer([&] {
            try {
                result = launchRun(request, {}, StopToken{});
            } catch (const std::exception& e) {
                error = e.what();
            }
        });
        auto gui = Database::open(path);
        RunStore store(gui);
        int64_t runId = 0;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 120000 && error.empty()) {
            const auto runs = store.runs();
            if (!runs.empty() && runs[0].status == "running" && runs[0].step >= 4) {
                runId = runs[0].id;
                break;
            }
            QTest::qWait(50);
        }
        if (runId == 0) {
            if (error.empty())
                store.requestStop(store.runs().empty() ? 0 : store.runs()[0].id);
            trainer.join();
            QFAIL(("the trainer made no progress: " + error).c_str());
        }
        QVERIFY(store.requestStop(runId));
        QVERIFY(store.run(runId)->stopRequested);
        trainer.join();
        QVERIFY2(error.empty(), error.c_str());
        QCOMPARE(result.status, std::string("stopped"));
        QCOMPARE(result.runId, runId);
        const auto run = *store.run(runId);
        QCOMPARE(run.status, std::string("stopped"));
        QVERIFY(!run.stopRequested);               // spent: a resume trains again
        QVERIFY(run.hasCheckpoint);
        QVERIFY(run.step >= 4 && run.step < 100000);
        const auto ck = store.latestCheckpoint(runId);
        QVERIFY(ck);
        QCOMPARE(ck->step, run.step);              // the checkpoint is of the step it stopped at
        QVERIFY2(std::filesystem::exists(ck->path + "/hw_checkpoint.json"), ck->path.c_str());
        QCOMPARE(result.checkpointDir, ck->path);
    }
};

QTEST_APPLESS_MAIN(TestRunStore)
#include "tst_core_run_store.moc"
