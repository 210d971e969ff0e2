// Human studies (core/store/study_store.h, core/eval/human_study.h) on real project files: each
// participant's schedule is a seeded permutation with every agent exactly trials-per-agent times;
// anonymous labels; participant ids validated; trials survive reopening; the statistics (means of
// participant means, std over trials, a bootstrap over participants) against values computed by
// hand; the evaluation report shows the human rows above Reward (sim) ("—" where an agent had no
// trials); a write that fails half-way leaves nothing behind.
#include "core/eval/eval_report.h"
#include "core/eval/human_study.h"
#include "core/store/chat_store.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/eval_store.h"
#include "core/store/job_store.h"
#include "core/store/study_store.h"
#include "core/util/error.h"
#include "support/cli_run.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <set>

using namespace hw;

namespace {

ChatAgentSpec agent(const char* kind, const std::string& name, const std::string& checkpoint = "/ckpt/a", double beta = 8)
{
    ChatAgentSpec s;
    s.kind = kind;
    s.name = name;
    s.checkpoint = checkpoint;
    s.beta = beta;
    if (s.kind == agent_kind::kEndpoint) {
        s.checkpoint.clear();
        s.endpoint = "http://localhost:1";
    }
    return s;
}

ChatRating rating(int nat, int rel, std::optional<int> com, double outcome)
{
    ChatRating r;
    r.naturalness = nat;
    r.relevance = rel;
    r.comforting = com;
    r.outcome = outcome;
    return r;
}

// Runs the participant's next not-yet-run trial of agent `agentIndex` to the end.
void runTrial(Database& db, const StudyInfo& s, const std::string& participant, int agentIndex, const ChatRating& r,
              std::optional<int> initial = std::nullopt)
{
    StudyStore store(db);
    for (const auto& t : store.trials(s.id, participant)) {
        if (t.agentIndex != agentIndex || t.status == trial_status::kDone)
            continue;
        const int64_t session = ChatStore(db).createSession(s.taskId, true, {s.agents[size_t(agentIndex)]});
        store.startTrial(t.id, session, initial);
        store.finishTrial(t.id, r);
        return;
    }
    QFAIL("no trial left for that agent");
}

stats::Options seeded(uint64_t seed)
{
    stats::Options o;
    o.seed = seed;
    return o;
}

bool near(double a, double b) { return std::fabs(a - b) < 1e-9; }

} // namespace

class TestHumanStudy : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    std::string path(const char* name) const { return m_dir.filePath(name).toStdString(); }

private Q_SLOTS:
    void scheduleIsASeededPermutation()
    {
        const auto a = studySchedule(3, 3, 42, "P01");
        QCOMPARE(a.size(), size_t(9));
        for (int agentIndex = 0; agentIndex < 3; ++agentIndex)
            QCOMPARE(std::count(a.begin(), a.end(), agentIndex), 3L);
        QCOMPARE(studySchedule(3, 3, 42, "P01"), a);          // deterministic
        QVERIFY(studySchedule(3, 3, 42, "P02") != a);         // per participant
        QVERIFY(studySchedule(3, 3, 43, "P01") != a);         // per study seed
        // Pinned: our own shuffle over mt19937_64's raw output (the standard distributions differ
        // between libraries), so a participant's order is the same on every build.
        QCOMPARE(a, (std::vector<int>{2, 0, 1, 2, 1, 1, 2, 0, 0}));
        // Not always grouped by agent: some participant does not meet the agents in blocks.
        std::set<std::vector<int>> orders;
        for (int p = 0; p < 20; ++p)
            orders.insert(studySchedule(2, 3, 1, "P" + std::to_string(p)));
        QVERIFY(orders.size() > 5);
    }

    void labelsAreASeededPermutation()
    {
        const auto l = studyLabels(4, 9);
        std::vector<std::string> sorted = l;
        std::sort(sorted.begin(), sorted.end());
        QCOMPARE(sorted, (std::vector<std::string>{"Agent A", "Agent B", "Agent C", "Agent D"}));
        QCOMPARE(studyLabels(4, 9), l);
        // Over seeds, the first listed agent is not always "Agent A".
        std::set<std::string> first;
        for (uint64_t seed = 0; seed < 20; ++seed)
            first.insert(studyLabels(3, seed).front());
        QCOMPARE(first.size(), size_t(3));
        QVERIFY_THROWS_EXCEPTION(Error, studyLabels(27, 0));
    }

    void participantIdsAreValidated()
    {
        auto db = Database::create(path("ids.hwb"));
        StudyStore store(db);
        const int64_t id = store.createStudy({"persuasion", "ids", {agent(agent_kind::kPolicy, "sft")}, 3, 0, 1});
        for (const std::string& bad : std::vector<std::string>{"", "   ", "\t", " P01", "P01 ", std::string(65, 'x')}) {
            QVERIFY(!participantIdProblem(bad).empty());
            QVERIFY_THROWS_EXCEPTION(Error, store.addParticipant(id, bad));
        }
        store.addParticipant(id, "P01");
        store.addParticipant(id, "P 02"); // inner spaces are fine
        try {
            store.addParticipant(id, "P01");
            QFAIL("a duplicate id was accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("already"), e.what());
        }
        QCOMPARE(store.participants(id).size(), size_t(2));
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM study_trials"), int64_t(6));
        // The table refuses a blank id even past the store.
        QVERIFY_THROWS_EXCEPTION(Error, db.exec("INSERT INTO study_participants(study_id, participant) VALUES (1, '  ')"));
        QVERIFY_THROWS_EXCEPTION(Error, store.createStudy({"persuasion", "x", {}, 3, 0, 1}));
        QVERIFY_THROWS_EXCEPTION(Error, store.createStudy({"nope", "x", {agent(agent_kind::kPolicy, "a")}, 3, 0, 1}));
        QVERIFY_THROWS_EXCEPTION(Error, store.createStudy({"persuasion", "x", {agent(agent_kind::kPolicy, "a")}, 0, 0, 1}));
    }

    void studyAndTrialsSurviveReopening()
    {
        const std::string file = path("reopen.hwb");
        int64_t id = 0;
        std::vector<StudyTrial> before;
        {
            auto db = Database::create(file);
            StudyStore store(db);
            id = store.createStudy({"counseling", "pilot",
                                    {agent(agent_kind::kPolicy, "sft"), agent(agent_kind::kIlql, "ilql"),
                                     agent(agent_kind::kEndpoint, "gpt")},
                                    3, 0, 77});
            store.addParticipant(id, "P03");
            const auto s = *store.study(id);
            QCOMPARE(s.maxTurns, 15); // the counseling task's default
            QVERIFY(s.counseling);
            const auto next = *store.nextTrial(id, "P03");
            QCOMPARE(next.position, 0);
            const int64_t session = ChatStore(db).createSession(s.taskId, true, {s.agents[size_t(next.agentIndex)]});
            QVERIFY_THROWS_EXCEPTION(Error, store.startTrial(next.id, session, std::nullopt)); // intensity first
            QVERIFY_THROWS_EXCEPTION(Error, store.startTrial(next.id, session, 6));
            store.startTrial(next.id, session, 4);
            QVERIFY(store.isStudySession(session));
            before = store.trials(id, "P03");
        }
        auto db = Database::open(file);
        StudyStore store(db);
        const auto s = *store.study(id);
        QCOMPARE(s.name, std::string("pilot"));
        QCOMPARE(s.labels, studyLabels(3, 77));
        QCOMPARE(s.agents.at(1).name, std::string("ilql"));
        const auto after = store.trials(id, "P03");
        QCOMPARE(after.size(), size_t(9));
        std::vector<int> order;
        for (size_t i = 0; i < after.size(); ++i) {
            QCOMPARE(after[i].position, int(i));
            QCOMPARE(after[i].agentIndex, before[i].agentIndex);
            QCOMPARE(after[i].status, before[i].status);
            order.push_back(after[i].agentIndex);
        }
        QCOMPARE(order, studySchedule(3, 3, 77, "P03"));
        // The running trial is offered again (resume), with its session and initial intensity.
        const auto resume = *store.nextTrial(id, "P03");
        QCOMPARE(resume.status, std::string("running"));
        QCOMPARE(resume.initialIntensity, std::optional<int>(4));
        QVERIFY(resume.sessionId.has_value());
        // Counseling: comforting is required, the final intensity is a whole 1-5, reward = the drop.
        QVERIFY_THROWS_EXCEPTION(Error, store.finishTrial(resume.id, rating(4, 4, std::nullopt, 2)));
        QVERIFY_THROWS_EXCEPTION(Error, store.finishTrial(resume.id, rating(4, 4, 3, 2.5)));
        QVERIFY_THROWS_EXCEPTION(Error, store.finishTrial(resume.id, rating(4, 4, 3, 0)));
        store.finishTrial(resume.id, rating(4, 4, 3, 2));
        const auto done = *store.trial(resume.id);
        QCOMPARE(done.status, std::string("done"));
        QCOMPARE(done.reward, std::optional<double>(2.0));
        QCOMPARE(done.rating.comforting, std::optional<int>(3));
        QCOMPARE(store.participants(id).at(0).done, 1);
        // Abandoned trials come after the rest.
        auto second = *store.nextTrial(id, "P03");
        QCOMPARE(second.position, 1);
        const int64_t firstTry = ChatStore(db).createSession(s.taskId, true, {s.agents[size_t(second.agentIndex)]});
        store.startTrial(second.id, firstTry, 3);
        store.abandonTrial(second.id);
        QCOMPARE(store.nextTrial(id, "P03")->position, 2);
        QCOMPARE(store.trial(second.id)->status, std::string("abandoned"));
        // Offered again: a fresh session; the abandoned try's session stays a study session.
        const int64_t secondTry = ChatStore(db).createSession(s.taskId, true, {s.agents[size_t(second.agentIndex)]});
        store.startTrial(second.id, secondTry, 5);
        QCOMPARE(store.trial(second.id)->sessionId, std::optional<int64_t>(secondTry));
        QCOMPARE(store.trial(second.id)->initialIntensity, std::optional<int>(5));
        QVERIFY(store.isStudySession(firstTry) && store.isStudySession(secondTry));
        QVERIFY(!store.isStudySession(ChatStore(db).createSession(s.taskId, false, {s.agents[0]})));
    }

    void statisticsAggregatePerParticipant()
    {
        auto db = Database::create(path("stats.hwb"));
        StudyStore store(db);
        const int64_t id = store.createStudy({"persuasion", "stats",
                                              {agent(agent_kind::kPolicy, "sft"), agent(agent_kind::kIlql, "ilql β=8"),
                                               agent(agent_kind::kEndpoint, "gpt")},
                                              2, 0, 5});
        for (const char* p : {"P01", "P02", "P03"})
            store.addParticipant(id, p);
        const auto s = *store.study(id);
        QCOMPARE(s.maxTurns, 10);
        // sft, naturalness: P01 5, 3 (mean 4); P02 2, 2 (mean 2); P03 4 (one trial done, mean 4).
        runTrial(db, s, "P01", 0, rating(5, 4, std::nullopt, 1.0));
        runTrial(db, s, "P01", 0, rating(3, 4, std::nullopt, 0.5));
        runTrial(db, s, "P02", 0, rating(2, 3, std::nullopt, 0.0));
        runTrial(db, s, "P02", 0, rating(2, 3, std::nullopt, 0.0));
        runTrial(db, s, "P03", 0, rating(4, 5, std::nullopt, 2.0));
        // ilql: only P01, naturalness 4 and 5.
        runTrial(db, s, "P01", 1, rating(4, 2, std::nullopt, 1.5));
        runTrial(db, s, "P01", 1, rating(5, 2, std::nullopt, 0.5));
        // gpt: never. A donation above $2 is refused.
        {
            const auto t = *store.nextTrial(id, "P02");
            store.startTrial(t.id, ChatStore(db).createSession(s.taskId, true, {s.agents[0]}), std::nullopt);
            QVERIFY_THROWS_EXCEPTION(Error, store.finishTrial(t.id, rating(3, 3, std::nullopt, 2.5)));
            store.abandonTrial(t.id);
        }

        const auto r = humanStudyResults(s, store.trials(id), seeded(3));
        QCOMPARE(r.participants, int64_t(3));
        QCOMPARE(r.metrics.size(), size_t(3));
        QCOMPARE(r.metrics[0].label, std::string("Nat./Flu."));
        const auto& sft = r.agents.at(0);
        QCOMPARE(sft.trials, int64_t(5));
        QCOMPARE(sft.participants, int64_t(3));
        const auto& nat = sft.metrics.at("naturalness");
        // Participant means {4, 2, 4}: mean 10/3, not the pooled 16/5 = 3.2.
        QVERIFY2(near(nat.mean, 10.0 / 3.0), qPrintable(QString::number(nat.mean)));
        // std over the five trials {5, 3, 2, 2, 4}: sqrt(6.8 / 4).
        QVERIFY(near(nat.std, std::sqrt(6.8 / 4)));
        // Bootstrap over three participants {4, 2, 4}: a resample is all 2s with p = 1/27 > 2.5%,
        // all 4s with p = 8/27: the 95% interval is [2, 4].
        QCOMPARE(nat.ciLow, 2.0);
        QCOMPARE(nat.ciHigh, 4.0);
        QCOMPARE(nat.participants, int64_t(3));
        // Reward = donation: participant means {0.75, 0, 2}; trials {1, .5, 0, 0, 2}.
        const auto& reward = sft.metrics.at("reward");
        QVERIFY(near(reward.mean, (0.75 + 0 + 2) / 3));
        QVERIFY(near(reward.std, std::sqrt(2.8 / 4)));
        QCOMPARE(reward.ciLow, 0.0);
        QCOMPARE(reward.ciHigh, 2.0);
        // One participant: the interval is the point (no spread to resample).
        const auto& ilql = r.agents.at(1).metrics.at("naturalness");
        QVERIFY(near(ilql.mean, 4.5));
        QVERIFY(near(ilql.std, std::sqrt(0.5)));
        QCOMPARE(ilql.ciLow, 4.5);
        QCOMPARE(ilql.ciHigh, 4.5);
        QCOMPARE(r.agents.at(2).trials, int64_t(0));
        QCOMPARE(formatHumanCell(r.agents.at(2).metrics.at("reward")), std::string("—"));
        QCOMPARE(formatHumanCell(nat), std::string("3.33 ± 1.30 [2.00, 4.00]"));
        // Seeded: the same figures again.
        const auto again = humanStudyResults(s, store.trials(id), seeded(3));
        QCOMPARE(again.agents[0].metrics.at("relevance").ciLow, r.agents[0].metrics.at("relevance").ciLow);

        // ---- the evaluation report of the same task, agents matched by name or checkpoint
        nlohmann::json config = {{"task", "persuasion"},
                                 {"agents",
                                  {{{"name", "sft"}, {"spec", "ckpt:/ckpt/a"}},
                                   {{"name", "ILQL run"}, {"spec", "ckpt:/ckpt/a,beta=8"}},
                                   {{"name", "procot"}, {"spec", "endpoint:x,model=m,prompt=procot"}}}}};
        std::vector<EvalEpisodeRecord> episodes;
        for (int a = 0; a < 3; ++a)
            for (int e = 0; e < 2; ++e) {
                EvalEpisodeRecord ep;
                ep.agentIndex = a;
                ep.episode = e;
                ep.status = "ok";
                ep.reward = 0.5 * a + 0.25 * e;
                episodes.push_back(ep);
            }
        EvalReport report = buildEvalReport(9, config, episodes, {});
        const std::string plain = formatEvalReport(report, "md");
        addHumanResults(report, r);
        const std::string md = formatEvalReport(report, "md");
        QVERIFY2(md.find("| Nat./Flu. | 3.33 ± 1.30 [2.00, 4.00] | 4.50 ± 0.71 [4.50, 4.50] | — |") != std::string::npos,
                 md.c_str());
        QVERIFY(md.find("| Relevancy |") != std::string::npos);
        QVERIFY(md.find("| Reward | 0.92 ± 0.84 [0.00, 2.00] |") != std::string::npos);
        QVERIFY(md.find("| Reward |") < md.find("| Reward (sim) |"));
        QVERIFY(md.find("| Human trials (participants) | 5 (3) | 2 (1) | — |") != std::string::npos);
        QVERIFY(plain.find("Nat./Flu.") == std::string::npos);
        const auto j = toJson(report);
        for (const char* key : {"run", "task", "simulator", "personas", "baseline", "agents", "comparisons", "requests",
                                "cache_hits", "human"})
            QVERIFY2(j.contains(key), key);
        QVERIFY(!toJson(buildEvalReport(9, config, episodes, {})).contains("human"));
        const auto& h = j["human"];
        QCOMPARE(h["agents"].size(), size_t(3));
        QCOMPARE(h["agents"][1]["matched"].get<std::string>(), std::string("ilql β=8"));
        QVERIFY(h["agents"][2]["matched"].is_null());
        QVERIFY(near(h["agents"][0]["metrics"]["naturalness"]["mean"].get<double>(), 10.0 / 3.0));
        QCOMPARE(h["agents"][0]["metrics"]["naturalness"]["participants"].get<int>(), 3);
        QCOMPARE(h["metrics"][2]["label"].get<std::string>(), std::string("Reward"));
        const std::string csv = formatEvalReport(report, "csv");
        QVERIFY(csv.find("human_naturalness,sft,all,5,") != std::string::npos);
        QVERIFY(csv.find("human_reward,procot,all,0,") != std::string::npos);
        const std::string latex = formatEvalReport(report, "latex");
        QVERIFY(latex.find("Nat./Flu.") < latex.find("Reward (sim)"));
        // A study of another task is never merged.
        auto other = r;
        other.task = "counseling";
        QVERIFY_THROWS_EXCEPTION(Error, addHumanResults(report, other));
    }

    void failedWriteLeavesNothingHalfWritten()
    {
        auto db = Database::create(path("tx.hwb"));
        StudyStore store(db);
        const int64_t id = store.createStudy(
            {"persuasion", "tx", {agent(agent_kind::kPolicy, "a"), agent(agent_kind::kPolicy, "b")}, 3, 0, 1});
        // The fourth trial's insert fails inside SQLite.
        db.exec("CREATE TRIGGER fail_fourth BEFORE INSERT ON study_trials WHEN NEW.position = 3 "
                "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
        try {
            store.addParticipant(id, "P01");
            QFAIL("the injected failure did not surface");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("injected"), e.what());
        }
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM study_participants"), int64_t(0));
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM study_trials"), int64_t(0));
        db.exec("DROP TRIGGER fail_fourth");
        store.addParticipant(id, "P01");
        QCOMPARE(store.trials(id, "P01").size(), size_t(6));
        // The table checks what the store checks: a done trial has its outcome and reward.
        QVERIFY_THROWS_EXCEPTION(Error, db.exec("UPDATE study_trials SET status = 'done' WHERE position = 0"));
        QVERIFY_THROWS_EXCEPTION(Error, db.exec("UPDATE study_trials SET naturalness = 6 WHERE position = 0"));
        // Removing the study removes its participants and trials.
        QVERIFY(store.removeStudy(id));
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM study_trials"), int64_t(0));
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM study_participants"), int64_t(0));
    }

    // The CLI: `study create / add-participant / list / report`, and eval-report --study.
    void cli()
    {
        const QString project = m_dir.filePath("cli.hwb");
        int64_t run = 0;
        {
            auto db = Database::create(project.toStdString());
            DialogueStore(db).ensureTask(Task::persuasion());
            run = JobStore(db).create("evaluate", "sim", {{"task", "persuasion"},
                                                          {"agents", {{{"name", "sft"}, {"spec", "ckpt:/ckpt/a"}},
                                                                      {{"name", "other"}, {"spec", "ckpt:/ckpt/b"}}}}});
            for (int a = 0; a < 2; ++a) {
                EvalEpisodeRecord e;
                e.jobId = run;
                e.agentIndex = a;
                e.status = "ok";
                e.reward = 1.0;
                EvalStore(db).record(e);
            }
        }
        auto created = hwtest::hindsight({"study", "create", project, "--task", "persuasion", "--name", "cli study",
                                          "--agent", "ckpt:/ckpt/a,name=sft", "--agent", "ckpt:/ckpt/a,beta=4",
                                          "--trials", "1", "--seed", "3"});
        QVERIFY2(created.exitCode == 0, qPrintable(created.err));
        QVERIFY2(created.out.contains("turn cap 10") && created.out.contains("= sft"), qPrintable(created.out));
        auto added = hwtest::hindsight({"study", "add-participant", project, "1", "P01", "P02"});
        QVERIFY2(added.exitCode == 0, qPrintable(added.err));
        QVERIFY(added.out.contains("participant P02: 2 trials"));
        QVERIFY(hwtest::hindsight({"study", "add-participant", project, "1", "  "}).exitCode != 0);
        {
            auto db = Database::open(project.toStdString());
            const auto s = *StudyStore(db).study(1);
            runTrial(db, s, "P01", 0, rating(4, 5, std::nullopt, 1.5));
            runTrial(db, s, "P02", 0, rating(2, 3, std::nullopt, 0.5));
        }
        const auto list = hwtest::hindsight({"study", "list", project, "--json"});
        QVERIFY2(list.exitCode == 0, qPrintable(list.err));
        const auto j = nlohmann::json::parse(list.out.toStdString());
        QCOMPARE(j.at(0)["participants"].get<int>(), 2);
        QCOMPARE(j.at(0)["done"].get<int>(), 2);
        QCOMPARE(j.at(0)["trials"].get<int>(), 4);
        const auto report = hwtest::hindsight({"study", "report", project, "1"});
        QVERIFY2(report.exitCode == 0, qPrintable(report.err));
        QVERIFY2(report.out.contains("| Nat./Flu. | 3.00 ± 1.41 [2.00, 4.00] |"), qPrintable(report.out));
        const auto md = hwtest::hindsight({"eval-report", project, QString::number(run), "--study", "1"});
        QVERIFY2(md.exitCode == 0, qPrintable(md.err));
        QVERIFY2(md.out.contains("| Nat./Flu. | 3.00 ± 1.41 [2.00, 4.00] | — |"), qPrintable(md.out));
        QVERIFY(md.out.indexOf("| Reward |") < md.out.indexOf("| Reward (sim) |"));
        const auto js = hwtest::hindsight({"eval-report", project, QString::number(run), "--study", "1", "--json"});
        QVERIFY2(js.exitCode == 0, qPrintable(js.err));
        QVERIFY(nlohmann::json::parse(js.out.toStdString())["human"]["agents"][1]["matched"].is_null());
        QVERIFY(hwtest::hindsight({"eval-report", project, QString::number(run), "--study", "9"}).exitCode != 0);
    }
};

QTEST_APPLESS_MAIN(TestHumanStudy)
#include "tst_core_human_study.moc"
