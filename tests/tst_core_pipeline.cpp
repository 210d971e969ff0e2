// The pipeline jobs end to end against the fake LLM server: relabel, regenerate, label,
// aggregate, imagine, the whole pipeline; caching across runs, retries, failed items and their
// retry, cost sums, cancellation and resume, fatal endpoint errors, progress.
#include "core/llm/call_cache.h"
#include "core/pipeline/imagine_job.h"
#include "core/store/job_store.h"
#include "core/pipeline/llm_backend.h"
#include "core/pipeline/llm_reward_labeler.h"
#include "core/pipeline/personas.h"
#include "core/pipeline/pipeline.h"
#include "core/store/regeneration_store.h"
#include "core/store/suggestion_store.h"
#include "core/store/training_set_store.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "support/fake_llm_server.h"
#include "support/pipeline_fixture.h"
#include "support/test_paths.h"

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

using namespace hw;
using hwtest::FakeCall;
using hwtest::FakeLlmServer;
using hwtest::FakeReply;

namespace {

EndpointProfile profileFor(const FakeLlmServer& server)
{
    EndpointProfile p;
    p.baseUrl = server.baseUrl();
    p.model = "fake-model";
    p.timeoutS = 5;
    p.maxInFlight = 4;
    p.pricePromptPer1k = 0.25;
    p.priceCompletionPer1k = 1.0;
    return p;
}

LlmBackend::Options backendOptions()
{
    LlmBackend::Options o;
    o.retry.baseDelayMs = 5;
    o.retry.maxDelayMs = 20;
    o.prompts = PromptLibrary({PromptLibrary::builtinDir()});
    return o;
}

int64_t count(Database& db, const std::string& sql)
{
    return db.queryInt64(sql).value_or(-1);
}

RelabelConfig relabelConfig(const std::string& task = "persuasion")
{
    RelabelConfig c;
    c.task = task;
    c.concurrency = 4;
    c.seed = 1;
    return c;
}

} // namespace

class TestPipeline : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_config.isValid());
        qputenv("HW_CONFIG_DIR", m_config.path().toUtf8());
    }

    void relabelStoresSuggestionsWithProvenance()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        hwtest::makeProject(path, "persuasion", 6);
        FakeLlmServer server;
        auto db = Database::open(path);
        SharedProject project(db);
        LlmBackend llm(project, profileFor(server), "persuasion", std::nullopt, backendOptions());
        std::vector<JobProgress> seen;
        std::mutex seenMutex;
        JobHooks hooks;
        hooks.onProgress = [&](const JobProgress& p) {
            std::lock_guard<std::mutex> lock(seenMutex);
            seen.push_back(p);
        };
        const JobSummary s = runRelabel(project, relabelConfig(), llm.controller(), hooks);
        QVERIFY2(s.status == "done", (s.status + ": " + s.error + " " + s.toJson().dump()).c_str());
        qInfo("%s", s.toJson().dump().c_str());
        QCOMPARE(s.total, int64_t(6));
        QCOMPARE(s.done, int64_t(6));
        QCOMPARE(s.failed, int64_t(0));
        QCOMPARE(s.usage.requests, int64_t(6));
        QCOMPARE(server.answered(), int64_t(6));
        QCOMPARE(s.extra.value("suggestions", 0), 18);
        QCOMPARE(count(db, "SELECT count(*) FROM suggestions WHERE status = 'proposed' AND turn_idx IS NOT NULL"), int64_t(18));

        // Each suggestion points at the agent turn it quotes, and carries its provenance.
        SuggestionStore store(db);
        const auto all = store.list({});
        QCOMPARE(all.size(), size_t(18));
        DialogueStore dialogues(db);
        for (const auto& sug : all) {
            const auto d = dialogues.get(sug.dialogueId);
            QVERIFY(d && sug.turnIndex);
            const Turn& t = d->turns[static_cast<size_t>(*sug.turnIndex)];
            QVERIFY(t.role == Role::Agent);
            QCOMPARE(sug.originalText, t.text);
            QCOMPARE(sug.proposedText, "I hear you. " + t.text);
            QVERIFY(!sug.critique.empty());
            QCOMPARE(sug.provenance["kind"].get<std::string>(), std::string("llm"));
            QCOMPARE(sug.provenance["model"].get<std::string>(), std::string("fake-model"));
            QCOMPARE(sug.provenance["prompt"].get<std::string>(), std::string("persuasion/controller.txt"));
            QCOMPARE(sug.provenance["prompt_sha256"].get<std::string>().size(), size_t(64));
            QVERIFY(sug.provenance["llm_call_id"].get<int64_t>() > 0);
            QCOMPARE(sug.jobId, s.jobId);
            QVERIFY(!sug.rawReply.empty());
        }
        QCOMPARE(store.countsByStatus("persuasion")["proposed"], int64_t(18));

        // Costs: the job's sum equals the calls' sum; tokens likewise.
        Statement sums(db, "SELECT sum(cost), sum(prompt_tokens + completion_tokens) FROM llm_calls WHERE job_id = ?");
        sums.bind(1, s.jobId);
        QVERIFY(sums.step());
        const double callCost = sums.real(0);
        QCOMPARE(sums.int64(1), s.usage.promptTokens + s.usage.completionTokens);
        QVERIFY(s.usage.cost > 0);
        QVERIFY(std::abs(callCost - s.usage.cost) < 1e-9);
        const auto job = JobStore(db).get(s.jobId);
        QCOMPARE(job->status, std::string("done"));
        QCOMPARE(job->done, int64_t(6));
        QVERIFY(std::abs(job->summary["usage"]["cost"].get<double>() - s.usage.cost) < 1e-9);
        QCOMPARE(count(db, "SELECT count(*) FROM job_items WHERE status = 'done'"), int64_t(6));

        // Progress: monotone, ends at 6/6.
        QVERIFY(!seen.empty());
        QCOMPARE(seen.back().done, int64_t(6));
        QCOMPARE(seen.back().total, int64_t(6));
        for (size_t i = 1; i < seen.size(); ++i)
            QVERIFY(seen[i].done >= seen[i - 1].done || seen[i].done == seen.back().done);
    }

    void rerunReplaysFromCacheAndSendsNothing()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        hwtest::makeProject(path, "persuasion", 5);
        FakeLlmServer server;
        {
            auto db = Database::open(path);
            SharedProject project(db);
            LlmBackend llm(project, profileFor(server), "persuasion", std::nullopt, backendOptions());
            QCOMPARE(runRelabel(project, relabelConfig(), llm.controller(), {}).usage.requests, int64_t(5));
            // Same command again: nothing left to do, nothing sent.
            const JobSummary again = runRelabel(project, relabelConfig(), llm.controller(), {});
            QCOMPARE(again.total, int64_t(0));
            QCOMPARE(again.usage.requests, int64_t(0));
            // Throw the results away (keep the call log): a new run replays every call.
            db.exec("DELETE FROM suggestions; DELETE FROM job_items; DELETE FROM jobs;");
        }
        server.resetCounters();
        auto db = Database::open(path);
        SharedProject project(db);
        LlmBackend llm(project, profileFor(server), "persuasion", std::nullopt, backendOptions());
        const JobSummary replay = runRelabel(project, relabelConfig(), llm.controller(), {});
        QCOMPARE(replay.done, int64_t(5));
        QCOMPARE(replay.usage.requests, int64_t(0));
        QCOMPARE(replay.usage.cacheHits, int64_t(5));
        QCOMPARE(replay.usage.cost, 0.0);
        QCOMPARE(server.received(), int64_t(0));
        QCOMPARE(count(db, "SELECT count(*) FROM suggestions WHERE status = 'proposed'"), int64_t(15));
        QCOMPARE(count(db, "SELECT count(*) FROM llm_calls"), int64_t(5));
    }

    void unparseableRepliesFailAndAreRetried()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        hwtest::makeProject(path, "persuasion", 4);
        std::atomic<bool> broken{true};
        FakeLlmServer server([&](const FakeCall& call) {
            if (broken && call.prompt().find("dialogue 1 ") != std::string::npos)
                return FakeReply::text("I'd rather not do that.");
            if (broken && call.prompt().find("dialogue 2 ") != std::string::npos)
                return FakeReply::text("1. \"Something nobody said at all in this chat\";x;\"y\"/");
            return FakeLlmServer::pipelineResponder(call);
        });
        auto db = Database::open(path);
        SharedProject project(db);
        LlmBackend llm(project, profileFor(server), "persuasion", std::nullopt, backendOptions());
        const JobSummary first = runRelabel(project, relabelConfig(), llm.controller(), {});
        QCOMPARE(first.status, std::string("done"));
        QCOMPARE(first.done, int64_t(2));
        QCOMPARE(first.failed, int64_t(2));

        // The raw replies are kept with the failure reason.
        Statement st(db, "SELECT s.raw_reply, s.error, s.rank FROM suggestions s JOIN dialogues d ON d.id = s.dialogue_id "
                         "WHERE d.uid = 'persuasion-1'");
        QVERIFY(st.step());
        QCOMPARE(st.text(0), std::string("I'd rather not do that."));
        QVERIFY2(st.text(1).find("no numbered suggestions") != std::string::npos, st.text(1).c_str());
        QCOMPARE(st.int64(2), int64_t(0));
        Statement st2(db, "SELECT s.status, s.error, s.turn_idx FROM suggestions s JOIN dialogues d ON d.id = s.dialogue_id "
                          "WHERE d.uid = 'persuasion-2'");
        QVERIFY(st2.step());
        QCOMPARE(st2.text(0), std::string("failed"));
        QVERIFY2(st2.text(1).find("matches no agent turn") != std::string::npos, st2.text(1).c_str());
        QVERIFY(st2.isNull(2));
        QCOMPARE(JobStore(db).failedItems(first.jobId).size(), size_t(2));

        // Retry: same command; the two failed dialogues are asked again with a new seed (so the
        // cached bad replies are not replayed), the rest is left alone.
        broken = false;
        const int64_t before = server.received();
        const JobSummary second = runRelabel(project, relabelConfig(), llm.controller(), {});
        QCOMPARE(second.jobId, first.jobId); // a job with failed items is resumed
        QCOMPARE(second.skipped, int64_t(2));
        QCOMPARE(second.done, int64_t(4));
        QCOMPARE(second.failed, int64_t(0));
        QCOMPARE(server.received() - before, int64_t(2));
        QCOMPARE(second.usage.cacheHits, int64_t(0));
        QCOMPARE(count(db, "SELECT count(*) FROM suggestions WHERE status = 'proposed'"), int64_t(12));
    }

    void retriesInsideAJob()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        hwtest::makeProject(path, "persuasion", 3);
        FakeLlmServer server;
        server.enqueue(FakeReply::error(429, {{"Retry-After", "0.1"}}));
        server.enqueue(FakeReply::error(500));
        server.enqueue(FakeReply::malformed());
        auto db = Database::open(path);
        SharedProject project(db);
        LlmBackend llm(project, profileFor(server), "persuasion", std::nullopt, backendOptions());
        RelabelConfig cfg = relabelConfig();
        cfg.concurrency = 1;
        const JobSummary s = runRelabel(project, cfg, llm.controller(), {});
        QCOMPARE(s.done, int64_t(3));
        QCOMPARE(s.usage.retries, int64_t(3));
        QCOMPARE(s.usage.requests, int64_t(3));
        QCOMPARE(server.received(), int64_t(6));
    }

    void fatalEndpointErrorStopsTheJob()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        hwtest::makeProject(path, "persuasion", 20);
        FakeLlmServer server([](const FakeCall&) { return FakeReply::error(401, {}, "{\"error\":\"invalid api key\"}"); });
        auto db = Database::open(path);
        SharedProject project(db);
        LlmBackend llm(project, profileFor(server), "persuasion", std::nullopt, backendOptions());
        RelabelConfig cfg = relabelConfig();
        cfg.concurrency = 2;
        const JobSummary s = runRelabel(project, cfg, llm.controller(), {});
        QCOMPARE(s.status, std::string("failed"));
        QVERIFY2(s.error.find("HTTP 401") != std::string::npos, s.error.c_str());
        QVERIFY(server.received() <= 2);
        QCOMPARE(JobStore(db).get(s.jobId)->status, std::string("failed"));
        QCOMPARE(count(db, "SELECT count(*) FROM suggestions"), int64_t(0));
    }

    void cancelThenResume()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        hwtest::makeProject(path, "persuasion", 12);
        FakeLlmServer server;
        server.setLatencyMs(100);
        auto db = Database::open(path);
        SharedProject project(db);
        LlmBackend llm(project, profileFor(server), "persuasion", std::nullopt, backendOptions());
        RelabelConfig cfg = relabelConfig();
        cfg.concurrency = 2;
        JobHooks hooks;
        // Stop once three dialogues are saved (an event, not a time): the two in flight may
        // still finish within the grace period; nothing after them starts.
        hooks.onProgress = [stop = hooks.stop](const JobProgress& p) {
            if (p.done >= 3)
                stop.requestStop();
        };
        const JobSummary first = runRelabel(project, cfg, llm.controller(), hooks);
        QCOMPARE(first.status, std::string("cancelled"));
        QVERIFY2(first.done >= 3 && first.done < 12, qPrintable(QString::number(first.done)));
        // Only items already in flight at the stop may have been sent beyond those saved.
        QVERIFY(server.received() <= first.done + cfg.concurrency);
        QCOMPARE(JobStore(db).get(first.jobId)->status, std::string("cancelled"));

        const JobSummary second = runRelabel(project, cfg, llm.controller(), {});
        QCOMPARE(second.jobId, first.jobId);
        QCOMPARE(second.status, std::string("done"));
        QCOMPARE(second.skipped, first.done);
        QCOMPARE(second.done, int64_t(12));
        QCOMPARE(server.answered() - server.duplicateAnswers(), int64_t(12));
        QCOMPARE(server.duplicateAnswers(), int64_t(0));
        QCOMPARE(count(db, "SELECT count(*) FROM suggestions"), int64_t(36));
        QCOMPARE(count(db, "SELECT count(DISTINCT dialogue_id) FROM suggestions"), int64_t(12));
    }

    void hardStopAfterTheGracePeriod()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        hwtest::makeProject(path, "persuasion", 4);
        FakeLlmServer server;
        auto db = Database::open(path);
        SharedProject project(db);
        LlmBackend llm(project, profileFor(server), "persuasion", std::nullopt, backendOptions());
        JobHooks hooks;
        hooks.stopGraceMs = 100;
        // The server holds every request until told otherwise: the job can only return if it
        // cancels its requests after the grace period. Stop once a request is held (an event).
        // The watchdog answers them after a minute so a broken hard stop fails instead of hanging.
        server.holdAfter(0);
        std::atomic<bool> returned{false}, watchdogFired{false};
        std::thread stopper([&, stop = hooks.stop] {
            for (int i = 0; i < 6000 && server.held() == 0; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            stop.requestStop();
            for (int i = 0; i < 6000 && !returned; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            if (!returned) {
                watchdogFired = true;
                server.release();
            }
        });
        const JobSummary s = runRelabel(project, relabelConfig(), llm.controller(), hooks);
        returned = true;
        stopper.join();
        QVERIFY2(!watchdogFired, "the job waited for held requests instead of cancelling them");
        QCOMPARE(s.status, std::string("cancelled"));
        QCOMPARE(s.done, int64_t(0));
        QCOMPARE(count(db, "SELECT count(*) FROM job_items"), int64_t(0));
    }

    void regenerateLabelAggregate()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        hwtest::makeProject(path, "persuasion", 8);
        std::atomic<int> hardPrompts{0};
        FakeLlmServer server([&](const FakeCall& call) {
            if (call.prompt().find("hard to persuade") != std::string::npos)
                ++hardPrompts;
            // Dialogue 3's continuations never reach a decision.
            if (call.prompt().find("Unfinished: <yes or no>") != std::string::npos
                && call.prompt().find("dialogue 3 ") != std::string::npos)
                return FakeReply::text("Unfinished: yes");
            return FakeLlmServer::pipelineResponder(call);
        });
        auto db = Database::open(path);
        SharedProject project(db);
        LlmBackend llm(project, profileFor(server), "persuasion", std::nullopt, backendOptions());
        QCOMPARE(runRelabel(project, relabelConfig(), llm.controller(), {}).done, int64_t(8));

        // The researcher edits one suggestion: its text must win.
        SuggestionStore sugs(db);
        const auto firstDialogue = sugs.list({}).front().dialogueId;
        for (const auto& s : sugs.forDialogue(firstDialogue))
            sugs.setEditedText(s.id, std::string("EDITED utterance"));

        RegenerateConfig rc;
        rc.task = "persuasion";
        rc.samples = 2;
        rc.hardShare = 0.5;
        rc.seed = 3;
        rc.concurrency = 4;
        const JobSummary regen = runRegenerate(project, rc, llm.forward(), &llm.forwardHard(), {});
        QCOMPARE(regen.status, std::string("done"));
        QCOMPARE(regen.done, int64_t(16));
        QCOMPARE(count(db, "SELECT count(*) FROM dialogues WHERE source = 'regeneration'"), int64_t(16));
        QCOMPARE(count(db, "SELECT count(*) FROM regenerations"), int64_t(16));
        const int64_t hard = count(db, "SELECT count(*) FROM regenerations WHERE hard = 1");
        QCOMPARE(regen.extra.value("hard", int64_t(-1)), hard);
        QVERIFY(hard > 0 && hard < 16);
        QCOMPARE(static_cast<int64_t>(hardPrompts.load()), hard);
        // One suggestion per dialogue (random mode), two samples each.
        QCOMPARE(count(db, "SELECT count(DISTINCT suggestion_id) FROM regenerations"), int64_t(8));

        // Lineage and content of a regeneration.
        DialogueStore dialogues(db);
        RegenerationStore regens(db);
        const auto lineage = regens.forParent(firstDialogue);
        QCOMPARE(lineage.size(), size_t(2)); // rc.samples regenerations of its one suggestion
        for (const auto& r : lineage) {
            const auto d = dialogues.get(r.dialogueId);
            const auto parent = dialogues.get(firstDialogue);
            QCOMPARE(d->source, std::string("regeneration"));
            QCOMPARE(*d->parentId, firstDialogue);
            QCOMPARE(d->turns.size(), static_cast<size_t>(r.prefixLen) + 1 + 3);
            for (int i = 0; i < r.prefixLen; ++i)
                QCOMPARE(d->turns[static_cast<size_t>(i)].text, parent->turns[static_cast<size_t>(i)].text);
            QCOMPARE(d->turns[static_cast<size_t>(r.prefixLen)].text, std::string("EDITED utterance"));
            QVERIFY(d->turns[static_cast<size_t>(r.prefixLen) + 1].role == Role::User);
            QVERIFY(r.suggestionId.has_value());
            QCOMPARE(r.generator["prompt"].get<std::string>(),
                     std::string(r.hard ? "persuasion/forward_hard.txt" : "persuasion/forward.txt"));
            QVERIFY(!d->reward.has_value());
        }
        // Again: nothing to do.
        QCOMPARE(runRegenerate(project, rc, llm.forward(), &llm.forwardHard(), {}).total, int64_t(0));

        // Label: every regeneration gets an llm reward, except dialogue 3's, which are discarded.
        LabelConfig lc;
        lc.task = "persuasion";
        lc.seed = 3;
        lc.concurrency = 4;
        const JobSummary label = runLabel(project, lc, llm.labeler(), {});
        QCOMPARE(label.status, std::string("done"));
        QCOMPARE(label.done, int64_t(16));
        QCOMPARE(label.extra.value("discarded", int64_t(-1)), int64_t(2));
        QCOMPARE(label.extra.value("labeled", int64_t(-1)), int64_t(14));
        QCOMPARE(count(db, "SELECT count(*) FROM dialogues WHERE source = 'regeneration' AND reward IS NOT NULL "
                           "AND reward_source = 'llm'"),
                 int64_t(14));
        QCOMPARE(count(db, "SELECT count(*) FROM dialogues WHERE source = 'regeneration' AND (flags & 4) != 0"), int64_t(2));
        Statement prov(db, "SELECT provenance FROM reward_labels WHERE source = 'llm' AND value IS NOT NULL LIMIT 1");
        QVERIFY(prov.step());
        const auto p = nlohmann::json::parse(prov.text(0));
        QCOMPARE(p["prompt"].get<std::string>(), std::string("persuasion/reward.txt"));
        QCOMPARE(p["unfinished_prompt"].get<std::string>(), std::string("persuasion/reward_unfinished.txt"));
        QCOMPARE(p["job_id"].get<int64_t>(), label.jobId);
        QCOMPARE(p["llm_call_ids"].size(), size_t(2));
        // 14 finished ones take two calls, the 2 unfinished one.
        QCOMPARE(label.usage.requests, int64_t(30));
        QCOMPARE(runLabel(project, lc, llm.labeler(), {}).total, int64_t(0));

        // Aggregate: 8 originals, k = 2 -> 16, from 14 labelled regenerations pick 8.
        AggregateConfig ac;
        ac.task = "persuasion";
        ac.k = 2;
        ac.outputJsonl = dir.filePath("set.jsonl").toStdString();
        const AggregateResult agg = runAggregate(project, ac, {});
        QCOMPARE(agg.originals, int64_t(8));
        QCOMPARE(agg.available, int64_t(14));
        QCOMPARE(agg.regenerations, int64_t(8));
        QCOMPARE(agg.size, int64_t(16));
        QCOMPARE(agg.shortfall, int64_t(0));
        QCOMPARE(agg.name, std::string("persuasion-hindsight-k2"));
        TrainingSetStore sets(db);
        QCOMPARE(sets.items(agg.setId).size(), size_t(16));
        std::ifstream in(ac.outputJsonl);
        std::string line;
        int lines = 0, regenLines = 0;
        while (std::getline(in, line)) {
            const auto j = nlohmann::json::parse(line);
            QVERIFY(j.contains("messages") && j.contains("reward"));
            regenLines += j.value("source", "") == "regeneration";
            ++lines;
        }
        QCOMPARE(lines, 16);
        QCOMPARE(regenLines, 8);
        // k = 5 wants 40: all 14 are used, 18 short; names stay unique.
        ac.k = 5;
        ac.outputJsonl.clear();
        const AggregateResult big = runAggregate(project, ac, {});
        QCOMPARE(big.size, int64_t(22));
        QCOMPARE(big.shortfall, int64_t(18));
        QCOMPARE(big.name, std::string("persuasion-hindsight-k5"));
        // Again with nothing changed: the same set, not a copy; other settings make a new, unique name.
        const AggregateResult same = runAggregate(project, ac, {});
        QVERIFY(same.reused && !big.reused);
        QCOMPARE(same.setId, big.setId);
        QCOMPARE(same.name, std::string("persuasion-hindsight-k5"));
        ac.seed = 1;
        const AggregateResult other = runAggregate(project, ac, {});
        QCOMPARE(other.name, std::string("persuasion-hindsight-k5-2"));
        // Killed after the set's commit but before its job was marked done: the next run finishes
        // that job and names that set; it starts no second job and makes no second set.
        const int64_t jobsBefore = count(db, "SELECT count(*) FROM jobs WHERE kind = 'aggregate'");
        const int64_t setsBefore = count(db, "SELECT count(*) FROM training_sets");
        Statement interrupt(db, "UPDATE jobs SET status = 'running' WHERE id = ?");
        interrupt.bind(1, other.summary.jobId);
        interrupt.step();
        const AggregateResult resumed = runAggregate(project, ac, {});
        QCOMPARE(resumed.summary.jobId, other.summary.jobId);
        QCOMPARE(resumed.setId, other.setId);
        QCOMPARE(resumed.name, other.name);
        QCOMPARE(resumed.summary.skipped, int64_t(1));
        QCOMPARE(count(db, "SELECT count(*) FROM jobs WHERE kind = 'aggregate'"), jobsBefore);
        QCOMPARE(count(db, "SELECT count(*) FROM training_sets"), setsBefore);
        QCOMPARE(count(db, "SELECT count(*) FROM jobs WHERE kind = 'aggregate' AND status <> 'done'"), int64_t(0));
    }

    void counselingLabelUsesInitialIntensity()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("c.hwb").toStdString();
        hwtest::makeProject(path, "counseling", 12);
        FakeLlmServer server;
        auto db = Database::open(path);
        SharedProject project(db);
        LlmBackend llm(project, profileFor(server), "counseling", std::nullopt, backendOptions());
        QCOMPARE(runRelabel(project, relabelConfig("counseling"), llm.controller(), {}).done, int64_t(12));
        RegenerateConfig rc;
        rc.task = "counseling";
        rc.limit = 4;
        QCOMPARE(runRegenerate(project, rc, llm.forward(), nullptr, {}).done, int64_t(4));
        LabelConfig lc;
        lc.task = "counseling";
        const JobSummary s = runLabel(project, lc, llm.labeler(), {});
        QCOMPARE(s.done, int64_t(4));
        // The labeler prompt got 10 few-shot examples with both ratings, and the initial one.
        bool sawReward = false;
        for (const auto& call : server.calls()) {
            const std::string prompt = call.prompt();
            if (prompt.find("Final Emotional Intensity: <") == std::string::npos)
                continue;
            sawReward = true;
            QVERIFY(prompt.find("Example 10:") != std::string::npos);
            QVERIFY(prompt.find("Example 11:") == std::string::npos);
            QVERIFY(prompt.find("rated their emotional intensity") != std::string::npos);
        }
        QVERIFY(sawReward);
        Statement st(db, "SELECT d.reward, json_extract(d.metadata, '$.initial_emotion_intensity'), r.provenance "
                         "FROM dialogues d JOIN reward_labels r ON r.dialogue_id = d.id WHERE d.source = 'regeneration'");
        int rows = 0;
        while (st.step()) {
            const auto prov = nlohmann::json::parse(st.text(2));
            const int initial = static_cast<int>(st.int64(1));
            const int final = prov["details"]["final_intensity"].get<int>();
            QCOMPARE(st.real(0), static_cast<double>(initial - final));
            QCOMPARE(prov["details"]["initial_intensity"].get<int>(), initial);
            ++rows;
        }
        QCOMPARE(rows, 4);
    }

    void counselingFewShotsComeFromDialoguesWithIntensities()
    {
        // Originals without intensity ratings (e.g. imported from JSONL) are filtered out before
        // sampling, so a prompt still gets 10 examples when the data has 10 usable ones.
        auto pool = [](int count, int firstStripped) {
            std::vector<Dialogue> out;
            for (int n = 0; n < count; ++n) {
                Dialogue d = hwtest::makeDialogue("counseling", n, 6);
                d.id = n + 1;
                if (n >= firstStripped || n % 2 == 1)
                    d.metadata = nlohmann::json::object(); // no ratings: unusable as an example
                out.push_back(d);
            }
            return FewShotPool(std::move(out));
        };
        auto examples = [](const std::string& prompt) {
            std::set<int> shown;
            for (int n = 0; n < 60; ++n) // the target is dialogue 99
                if (prompt.find("(dialogue " + std::to_string(n) + " turn 0)") != std::string::npos)
                    shown.insert(n);
            return shown;
        };
        FakeLlmServer server;
        LlmClient client(profileFor(server), nullptr, backendOptions().retry);
        const PromptLibrary prompts({PromptLibrary::builtinDir()});
        Dialogue target = hwtest::makeDialogue("counseling", 99, 6);
        target.id = 500;
        target.parentId = 1; // dialogue 0: usable, but never an example for its own branch

        // 30 originals, the 15 even ones rated; minus the parent: 14 candidates for 10 places.
        LlmRewardLabeler labeler(client, prompts, pool(30, 30));
        std::set<std::set<int>> distinctDraws;
        for (uint64_t seed = 1; seed <= 6; ++seed) {
            StageContext ctx;
            ctx.seed = seed;
            const RewardResult r = labeler.label(Task::counseling(), target, ctx);
            QVERIFY2(r.ok, r.error.c_str());
            const std::string prompt = server.calls().back().prompt();
            QVERIFY(prompt.find("Example 10:") != std::string::npos);
            QVERIFY(prompt.find("Example 11:") == std::string::npos);
            const std::set<int> shown = examples(prompt);
            QCOMPARE(shown.size(), size_t(10));
            for (int n : shown)
                QVERIFY2(n % 2 == 0 && n != 0, qPrintable(QString("dialogue %1 shown").arg(n)));
            distinctDraws.insert(shown);
            // Seeded: the same item draws the same examples again (and so hits the cache key).
            const RewardResult again = labeler.label(Task::counseling(), target, ctx);
            QVERIFY(again.ok);
            QCOMPARE(examples(server.calls().back().prompt()), shown);
        }
        QVERIFY(distinctDraws.size() > 1); // sampled, not the first 10

        // Fewer usable dialogues than k: all of them, no padding with unusable ones.
        LlmRewardLabeler few(client, prompts, pool(30, 8)); // rated: 0, 2, 4, 6; 0 is the parent
        StageContext ctx;
        ctx.seed = 7;
        QVERIFY(few.label(Task::counseling(), target, ctx).ok);
        const std::string prompt = server.calls().back().prompt();
        QCOMPARE(examples(prompt), (std::set<int>{2, 4, 6}));
        QVERIFY(prompt.find("Example 3:") != std::string::npos);
        QVERIFY(prompt.find("Example 4:") == std::string::npos);
    }

    void imagineDialogues()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        hwtest::makeProject(path, "persuasion", 1);
        FakeLlmServer server;
        auto db = Database::open(path);
        SharedProject project(db);
        LlmBackend llm(project, profileFor(server), "persuasion", std::nullopt, backendOptions());
        const auto personas = loadPersonas(llm.prompts(), Task::persuasion());
        QVERIFY(personas.size() >= 4);
        for (const char* name : {"philanthropic", "caring", "unfriendly", "skeptical"})
            QVERIFY(std::any_of(personas.begin(), personas.end(), [&](const Persona& p) { return p.name == name; }));
        ImagineConfig ic;
        ic.task = "persuasion";
        ic.perPersona = 2;
        ic.personas = {"skeptical", "caring"};
        const JobSummary s = runImagine(project, ic, personas, llm.generator(), {});
        QCOMPARE(s.done, int64_t(4));
        QCOMPARE(count(db, "SELECT count(*) FROM dialogues WHERE source = 'imagined'"), int64_t(4));
        QCOMPARE(count(db, "SELECT count(*) FROM dialogues WHERE source = 'imagined' AND "
                           "json_extract(metadata, '$.imagined.persona') = 'skeptical'"),
                 int64_t(2));
        // The prompt carried the persona.
        bool sawSkeptic = false;
        for (const auto& c : server.calls())
            sawSkeptic |= c.prompt().find("skeptical - Doubts that charities") != std::string::npos;
        QVERIFY(sawSkeptic);
        QCOMPARE(runImagine(project, ic, personas, llm.generator(), {}).total, int64_t(0));
        ic.personas = {"nobody"};
        QVERIFY_THROWS_EXCEPTION(Error, runImagine(project, ic, personas, llm.generator(), {}));
    }

    void wholePipeline()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        hwtest::makeProject(path, "persuasion", 5);
        FakeLlmServer server;
        auto db = Database::open(path);
        SharedProject project(db);
        LlmBackend llm(project, profileFor(server), "persuasion", std::nullopt, backendOptions());
        PipelineConfig cfg;
        cfg.relabel = relabelConfig();
        cfg.regenerate.task = cfg.label.task = cfg.aggregate.task = "persuasion";
        cfg.regenerate.samples = 3;
        cfg.aggregate.k = 3;
        PipelineStages stages{&llm.controller(), &llm.forward(), nullptr, &llm.labeler()};
        const PipelineResult r = runPipeline(project, cfg, stages, {});
        QCOMPARE(r.status, std::string("done"));
        QCOMPARE(r.jobs.size(), size_t(4));
        QVERIFY(r.aggregate.has_value());
        QCOMPARE(r.aggregate->size, int64_t(15));
        const auto j = r.toJson();
        QCOMPARE(j["stages"].size(), size_t(4));
        QCOMPARE(j["stages"][0]["kind"].get<std::string>(), std::string("relabel"));
        // Totals: the stages' sums; requests as counted at the server.
        const auto& t = j["totals"];
        int64_t done = 0, failed = 0, requests = 0, tokens = 0;
        double cost = 0;
        for (const auto& st : r.jobs) {
            done += st.done;
            failed += st.failed;
            requests += st.usage.requests;
            tokens += st.usage.promptTokens + st.usage.completionTokens;
            cost += st.usage.cost;
        }
        QCOMPARE(t["items"]["done"].get<int64_t>(), done);
        QCOMPARE(t["items"]["failed"].get<int64_t>(), failed);
        // relabel 5 dialogues, regenerate 5 x 3, label 15 (two calls each), aggregate 1 set
        QCOMPARE(done, int64_t(5 + 15 + 15 + 1));
        QCOMPARE(t["requests"].get<int64_t>(), requests);
        QCOMPARE(t["requests"].get<int64_t>(), server.answered());
        QCOMPARE(t["requests"].get<int64_t>(), int64_t(5 + 15 + 2 * 15));
        QCOMPARE(t["cache_hits"].get<int64_t>(), int64_t(0));
        QCOMPARE(t["tokens"].get<int64_t>(), tokens);
        QCOMPARE(t["tokens"].get<int64_t>(), t["prompt_tokens"].get<int64_t>() + t["completion_tokens"].get<int64_t>());
        QVERIFY(tokens > 0);
        QVERIFY(std::abs(t["cost"].get<double>() - cost) < 1e-9 && cost > 0);

        // Again: every stage finds nothing new (aggregate reuses its set).
        server.resetCounters();
        const PipelineResult again = runPipeline(project, cfg, stages, {});
        QCOMPARE(again.status, std::string("done"));
        QCOMPARE(server.received(), int64_t(0));
        const auto t2 = again.toJson()["totals"];
        QCOMPARE(t2["requests"].get<int64_t>(), int64_t(0));
        QCOMPARE(t2["cost"].get<double>(), 0.0);
        QCOMPARE(t2["items"]["done"].get<int64_t>(), int64_t(1)); // only the aggregate's check
        QVERIFY(again.aggregate->reused);
        QCOMPARE(again.aggregate->setId, r.aggregate->setId);
        QCOMPARE(TrainingSetStore(db).list().size(), size_t(1));
    }

    void missingPromptIsFatal()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        hwtest::makeProject(path, "persuasion", 3);
        FakeLlmServer server;
        auto db = Database::open(path);
        SharedProject project(db);
        LlmBackend::Options o = backendOptions();
        o.prompts = PromptLibrary({dir.path().toStdString() + "/no-prompts-here"});
        LlmBackend llm(project, profileFor(server), "persuasion", std::nullopt, o);
        const JobSummary s = runRelabel(project, relabelConfig(), llm.controller(), {});
        QCOMPARE(s.status, std::string("failed"));
        QVERIFY2(s.error.find("no prompt template 'controller'") != std::string::npos, s.error.c_str());
        QCOMPARE(server.received(), int64_t(0));
    }

    void userOverrideWins()
    {
        QTemporaryDir dir;
        const std::string override = m_config.path().toStdString() + "/prompts/persuasion";
        QVERIFY(QDir().mkpath(QString::fromStdString(override)));
        {
            std::ofstream f(override + "/controller.txt");
            f << "%% test override\nOVERRIDE {{dialogue}} N. \"<\n";
        }
        const PromptLibrary lib; // default search path: user folder first
        const PromptTemplate t = lib.load(Task::persuasion(), "controller");
        QVERIFY(t.userOverride);
        QCOMPARE(t.path, override + "/controller.txt");
        const auto msgs = t.render({{"dialogue", "AI: hi"}});
        QCOMPARE(msgs.size(), size_t(1));
        QCOMPARE(msgs[0].role, std::string("user"));
        QCOMPARE(msgs[0].content, std::string("OVERRIDE AI: hi N. \"<"));
        QVERIFY_THROWS_EXCEPTION(Error, t.render({}));
        std::remove((override + "/controller.txt").c_str());
        QVERIFY(!PromptLibrary().load(Task::persuasion(), "controller").userOverride);
        // Every built-in template renders with the values its stage provides.
        const PromptLibrary builtin({PromptLibrary::builtinDir()});
        std::map<std::string, std::string> values = {{"task", "t"}, {"task_description", "d"}, {"agent_role", "a"},
                                                     {"user_role", "u"}, {"dialogue", "AI: x"}, {"count", "3"},
                                                     {"examples", "e"}, {"prefix", "AI: x"}, {"turn_budget", "5"},
                                                     {"initial_intensity", "4"}, {"persona_name", "p"},
                                                     {"persona_description", "pd"}, {"min_turns", "4"}, {"max_turns", "40"},
                                                     {"persona_hidden", "  - knowledge: k\n"}, {"target_outcome", "2"}};
        for (const char* task : {"persuasion", "counseling"})
            for (const char* name : {"controller", "forward", "forward_hard", "reward", "imagine"}) {
                const auto tpl = builtin.load(task, name);
                const auto m = tpl.render(values);
                QVERIFY(m.size() == 2 && m[0].role == "system" && m[1].role == "user");
                QVERIFY2(m[1].content.find("{{") == std::string::npos, tpl.path.c_str());
                QVERIFY(m[1].content.find("%%") == std::string::npos);
            }
        QCOMPARE(builtin.load("persuasion", "reward_unfinished").render(values).size(), size_t(2));
    }

private:
    QTemporaryDir m_config;
};

QTEST_APPLESS_MAIN(TestPipeline)
#include "tst_core_pipeline.moc"
