// Evaluation offline: checkpoint agents (π_β and ILQL with β) against the local user simulator
// (forward-model checkpoint for the turns, reward checkpoint for the outcome), all tiny models
// trained here on CPU; checkpoints of the wrong kind refused; simulated transcripts kept out of
// training data.
#include <torch/torch.h>

#include "core/eval/eval_persona.h"
#include "core/eval/evaluation_request.h"
#include "core/eval/local_user_simulator.h"
#include "core/eval/eval_report.h"
#include "core/store/job_store.h"
#include "core/pipeline/stage_registry.h"
#include "core/prompts/prompt_library.h"
#include "core/chat/token_value.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/eval_store.h"
#include "core/train/lm_data.h"
#include "core/train/lm_training_job.h"
#include "core/util/error.h"
#include "support/lm_corpus.h"
#include "support/test_paths.h"
#include "support/tiny_chat_checkpoint.h"

#include <set>

using namespace hw;

class TestEvalLocal : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    std::string m_project, m_forward, m_reward, m_policy;

    std::string train(LmRole role, int steps)
    {
        return hwtest::trainTinyLm(m_project, role, steps,
                                   m_tmp.filePath(QString::fromStdString(toString(role))).toStdString());
    }

    EvaluationRequest request() const
    {
        EvaluationRequest r;
        r.task = "counseling";
        r.agents = {"ckpt:" + m_policy + ",name=policy", "ckpt:" + m_policy + ",beta=4,name=ilql"};
        r.simulator = "local:" + m_forward + ",reward=" + m_reward;
        r.personas = "grief,breakup";
        r.episodesPerPersona = 2;
        r.maxTurns = 2;
        r.seed = 5;
        r.device = "cpu";
        r.promptDirs = {PromptLibrary::builtinDir()};
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_project = m_tmp.filePath("p.hwb").toStdString();
        hwtest::insertDialogues(m_project, hwtest::lmDialogues(48, 11));
        m_forward = train(LmRole::Forward, 40);
        m_reward = train(LmRole::Reward, 20);
        m_policy = train(LmRole::PolicySft, 20);
        hwtest::writeRandomIlqlHeads(m_policy, 3);
    }

    void checkpointAgentsAgainstLocalSimulator()
    {
        Database db = Database::open(m_project);
        SharedProject project(db);
        const EvaluationOutcome out = runEvaluationRequest(project, request(), {});
        QCOMPARE(out.summary.status, std::string("done"));
        QCOMPARE(out.summary.done, int64_t(8));
        const auto episodes = EvalStore(db).episodes(out.summary.jobId);
        QCOMPARE(episodes.size(), size_t(8));
        for (const auto& e : episodes) {
            QVERIFY2(e.status == "ok", e.error.c_str());
            QVERIFY(e.reward.has_value());
            QCOMPARE(e.simulator["kind"].get<std::string>(), std::string("local"));
            QCOMPARE(e.turns, 5); // the seeker opens; two rounds of agent + user
        }
        // Per-turn provenance; the ILQL agent's turns carry one advantage per token.
        Statement st(db, "SELECT t.annotations FROM turns t JOIN eval_episodes e ON e.dialogue_id = t.dialogue_id "
                         "WHERE e.agent_index = 1 AND t.role = 'agent'");
        int agentTurns = 0;
        while (st.step()) {
            const auto a = nlohmann::json::parse(st.text(0));
            QCOMPARE(a["provenance"]["kind"].get<std::string>(), std::string("ilql"));
            QVERIFY(a["provenance"]["advantage"].is_array() && !a["provenance"]["advantage"].empty());
            // The tokens behind the shading: one per advantage, with its text, Q̂ and V.
            const auto tokens = tokenValuesFromJson(a["provenance"]["tokens"]);
            QCOMPARE(tokens.size(), a["provenance"]["advantage"].size());
            for (size_t i = 0; i < tokens.size(); ++i) {
                QVERIFY(tokens[i].hasValues());
                QCOMPARE(tokens[i].advantage(), a["provenance"]["advantage"][i].get<double>());
            }
            ++agentTurns;
        }
        QCOMPARE(agentTurns, 8);
        const auto job = JobStore(db).get(out.summary.jobId);
        const EvalReport report = buildEvalReport(out.summary.jobId, job->config, episodes, {});
        QCOMPARE(report.agents.size(), size_t(2));
        QCOMPARE(report.agents[1].name, std::string("ilql"));
        QCOMPARE(report.agents[1].perPersona.at("grief").n, int64_t(2));

        // Simulated transcripts never become training data (SFT / forward data, training sets).
        const auto originals = loadOriginalDialogues(db, "counseling", false);
        QCOMPARE(originals.size(), size_t(48));
        // Running it again finds the finished run.
        const EvaluationOutcome again = runEvaluationRequest(project, request(), {});
        QCOMPARE(again.summary.jobId, out.summary.jobId);
        QCOMPARE(again.summary.processed, int64_t(0));
    }

    // Evaluation is a registered stage: a run started as `hindsight evaluate` starts it and stopped
    // part-way is described from its stored job and finished through the registry (as the Jobs page
    // resumes it), with the same episodes a direct run gives; the reverse direction continues too.
    void evaluationResumesThroughTheStageRegistry()
    {
        Database db = Database::open(m_project);
        SharedProject project(db);
        EvaluationRequest r = request();
        r.seed = 17; // a run of its own
        r.concurrency = 1;
        // Hooks that stop a run once `n` episodes are done.
        auto stopAfter = [](int64_t n) {
            JobHooks h;
            h.stopGraceMs = 0;
            h.onProgress = [stop = h.stop, n](const JobProgress& p) {
                if (p.done >= n)
                    stop.requestStop();
            };
            return h;
        };
        const EvaluationOutcome first = runEvaluationRequest(project, r, stopAfter(3));
        QCOMPARE(first.summary.status, std::string("cancelled"));
        QVERIFY(first.summary.done >= 3 && first.summary.done < 8);

        // Upgrading old job records leaves the evaluation's own config (its reports read it).
        upgradeJobDescriptions(db);
        const auto job = JobStore(db).get(first.summary.jobId);
        QVERIFY(job->config.contains("agents") && job->config.contains("request"));
        const StageDescription d = describeJob(job->kind, job->config);
        QCOMPARE(d.kind, std::string("evaluate"));
        QCOMPARE(d.seed, uint64_t(17));
        QCOMPARE(d.options["episodesPerPersona"].get<int>(), 2);
        QCOMPARE(d.options["agents"].get<std::string>(),
                 "ckpt:" + m_policy + ",name=policy; ckpt:" + m_policy + ",beta=4,name=ilql");
        const JobSummary resumed = runStage(project, d, {});
        QCOMPARE(resumed.status, std::string("done"));
        QCOMPARE(resumed.jobId, first.summary.jobId);
        QCOMPARE(resumed.done, int64_t(8));
        QCOMPARE(resumed.processed, int64_t(8) - first.summary.done);
        QCOMPARE(EvalStore(db).episodes(resumed.jobId).size(), size_t(8));
        // Same rewards as one uninterrupted run of the same request in a fresh project.
        QTemporaryDir other;
        const std::string otherPath = other.filePath("q.hwb").toStdString();
        hwtest::insertDialogues(otherPath, hwtest::lmDialogues(48, 11));
        Database db2 = Database::open(otherPath);
        SharedProject project2(db2);
        const EvaluationOutcome straight = runEvaluationRequest(project2, r, {});
        auto rewards = [](const std::vector<EvalEpisodeRecord>& eps) {
            std::map<std::pair<int, int>, double> out;
            for (const auto& e : eps)
                out[{e.agentIndex, e.episode}] = e.reward.value_or(-99);
            return out;
        };
        QCOMPARE(rewards(EvalStore(db).episodes(resumed.jobId)), rewards(EvalStore(db2).episodes(straight.summary.jobId)));

        // The reverse: started through the registry, stopped, continued by the same request.
        r.seed = 18;
        StageDescription fromCli = describeJob("evaluate", nlohmann::json{{"request", r}});
        const JobSummary started = runStage(project, fromCli, stopAfter(2));
        QCOMPARE(started.status, std::string("cancelled"));
        const EvaluationOutcome continued = runEvaluationRequest(project, r, {});
        QCOMPARE(continued.summary.jobId, started.jobId);
        QCOMPARE(continued.summary.status, std::string("done"));
        QCOMPARE(continued.summary.processed, int64_t(8) - started.done);

        // A job recorded before requests were stored says how to continue it.
        nlohmann::json old = job->config;
        old.erase("request");
        try {
            describeJob("evaluate", old);
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("hindsight evaluate"), e.what());
        }
        // A bad agent spec is refused before any job starts, naming the spec.
        StageDescription bad = d;
        bad.options["agents"] = "ckpt:";
        try {
            normalizeStage(bad);
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("ckpt:"), e.what());
        }
    }

    // Episodes in flight decode in one batch per step on each local model's engine (agents and the
    // simulator's forward model); every sequence keeps its own sampling state, so a run with 8 in
    // flight writes the transcripts and gets the rewards a run one episode at a time does.
    void batchedEpisodesMatchOneAtATime()
    {
        // Status, reward and every turn of each episode of a run.
        auto transcripts = [](Database& db, int64_t jobId) {
            std::map<std::pair<int, int>, std::string> t;
            for (const auto& e : EvalStore(db).episodes(jobId)) {
                std::string text = e.status + " " + std::to_string(e.reward.value_or(-99)) + "\n";
                if (e.dialogueId)
                    if (const auto d = DialogueStore(db).get(*e.dialogueId))
                        for (const auto& turn : d->turns)
                            text += turn.text + "\n";
                t[{e.agentIndex, e.episode}] = text;
            }
            return t;
        };
        EvaluationRequest r = request();
        r.seed = 31; // a run of its own
        r.concurrency = 8;
        Database db = Database::open(m_project);
        SharedProject project(db);
        const EvaluationOutcome batched = runEvaluationRequest(project, r, {});
        QCOMPARE(batched.summary.status, std::string("done"));
        // The same request one episode at a time, in a fresh project (this one has it finished).
        QTemporaryDir other;
        const std::string otherPath = other.filePath("q.hwb").toStdString();
        hwtest::insertDialogues(otherPath, hwtest::lmDialogues(48, 11));
        Database db2 = Database::open(otherPath);
        SharedProject project2(db2);
        r.concurrency = 1;
        const EvaluationOutcome single = runEvaluationRequest(project2, r, {});
        QCOMPARE(single.summary.status, std::string("done"));
        const auto a = transcripts(db, batched.summary.jobId), b = transcripts(db2, single.summary.jobId);
        QCOMPARE(a.size(), size_t(8));
        QCOMPARE(a, b);
    }

    // The local simulator's opening when the user opens: the persona's situation (counseling);
    // for a task defined as data, whose personas have only a hidden description, the first user
    // turn of one of the task's examples, the same for a persona every time; never the
    // description itself.
    void openingNeverSaysTheHiddenPersona()
    {
        Task task;
        task.name = "teaching";
        task.opener = "user";
        task.examples = {{{{"user", "Can you explain what a median is?"}, {"agent", "Sure."}}, 5.0, ""},
                         {{{"agent", "Hello, what shall we learn?"}, {"user", "Means."}}, 1.0, ""},
                         {{{"user", "What is a standard deviation?"}, {"agent", "Good question."}}, 3.0, ""}};
        const std::set<std::string> openings = {"Can you explain what a median is?", "What is a standard deviation?"};
        std::set<std::string> seen;
        for (const char* name : {"math-anxious", "confident-misconception", "advanced", "visual", "terse"}) {
            EvalPersona p;
            p.name = name;
            p.description = std::string("hidden: ") + name;
            const SimulatorTurn t = openingTurn(task, p);
            QVERIFY(t.ok);
            QVERIFY2(openings.count(t.text), t.text.c_str());
            QCOMPARE(t.provenance["kind"].get<std::string>(), std::string("example-opening"));
            QCOMPARE(openingTurn(task, p).text, t.text);
            seen.insert(t.text);
        }
        QCOMPARE(seen.size(), size_t(2)); // personas differ

        EvalPersona seeker;
        seeker.name = "job-loss";
        seeker.description = "hidden";
        seeker.situation = "I lost my job last week.";
        QCOMPARE(openingTurn(Task::counseling(), seeker).text, seeker.situation);

        task.examples.clear();
        EvalPersona plain;
        plain.name = "plain";
        plain.description = "hidden";
        const SimulatorTurn bare = openingTurn(task, plain);
        QCOMPARE(bare.text, std::string("Hello."));
        QCOMPARE(bare.provenance["kind"].get<std::string>(), std::string("default-opening"));
    }

    void wrongKindsOfCheckpointAreRefused()
    {
        Database db = Database::open(m_project);
        SharedProject project(db);
        const auto evaluateJobs = [&] { return db.queryInt64("SELECT count(*) FROM jobs WHERE kind = 'evaluate'").value_or(-1); };
        const int64_t before = evaluateJobs();
        auto errorOf = [&](const EvaluationRequest& r) {
            try {
                runEvaluationRequest(project, r, {});
            } catch (const Error& e) {
                return QString::fromStdString(e.what());
            }
            return QString();
        };
        EvaluationRequest r = request();
        r.agents = {"ckpt:" + m_reward};
        QVERIFY(errorOf(r).contains("a reward model, not a policy"));
        r = request();
        r.agents = {"ckpt:" + m_forward + ",beta=2"};
        QVERIFY(errorOf(r).contains("no ILQL heads"));
        r = request();
        r.simulator = "local:" + m_forward + ",reward=" + m_forward;
        QVERIFY(errorOf(r).startsWith("simulator 'local:"));
        QCOMPARE(evaluateJobs(), before); // refused before any job starts
    }
};

QTEST_APPLESS_MAIN(TestEvalLocal)
#include "tst_core_eval_local.moc"
