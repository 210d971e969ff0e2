// `hindsight evaluate` and `hindsight eval-report` end to end, against a scripted simulated user
// on a loopback server (support/scripted_simulator.h): a good agent ranked above a bad one with a
// significant paired difference; equal agents when the simulator ignores them; kill -9 and
// resume without a repeated call; unparsable decisions as failed episodes; bad input refused
// before anything is written.
#include "core/data/task.h"
#include "core/eval/gdp_zero_agent.h"
#include "core/llm/llm_client.h"
#include "core/prompts/prompt_library.h"
#include "core/store/database.h"
#include "support/fake_llm_server.h"
#include "support/pipeline_fixture.h"
#include "support/scripted_simulator.h"
#include "support/test_paths.h"

#include <QProcess>

#include <fstream>
#include <nlohmann/json.hpp>

using namespace hw;
using hwtest::FakeLlmServer;
using hwtest::SimulatorScript;

class TestEvalCli : public QObject {
    Q_OBJECT
    QTemporaryDir m_config;

    QProcessEnvironment env() const
    {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert("HW_CONFIG_DIR", m_config.path()); // no user profiles or prompt overrides
        return e;
    }

    struct Result {
        int code = -1;
        QByteArray out;
        QByteArray err;
    };

    Result run(const QStringList& args, int timeoutMs = 120000) const
    {
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(QString::fromStdString(hwtest::cliPath()), args);
        Result r;
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished();
            r.err = "timed out";
            return r;
        }
        r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

    static QStringList evaluateArgs(const QString& project, const FakeLlmServer& server, const QString& personas,
                                    int perPersona, int turns, int concurrency = 4)
    {
        const QString url = QString::fromStdString(server.baseUrl());
        return {"evaluate", project, "--task", "persuasion",
                "--agent", "endpoint:" + url + ",model=bad-agent,prompt=plain,name=bad",
                "--agent", "endpoint:" + url + ",model=good-agent,prompt=plain,name=good",
                "--simulator", "endpoint:" + url + ",model=sim",
                "--personas", personas, "--episodes-per-persona", QString::number(perPersona),
                "--max-turns", QString::number(turns), "--seed", "3", "--concurrency", QString::number(concurrency),
                "--json", "--quiet"};
    }

    static int64_t count(const QString& project, const std::string& sql)
    {
        auto db = Database::open(project.toStdString(), Database::Mode::ReadOnly);
        return db.queryInt64(sql).value_or(-1);
    }

    static nlohmann::json parse(const QByteArray& out) { return nlohmann::json::parse(out.toStdString(), nullptr, false); }

private Q_SLOTS:
    void goodAgentRankedAboveBad()
    {
        QTemporaryDir dir;
        const QString project = dir.filePath("p.hwb");
        hwtest::makeProject(project.toStdString(), "persuasion", 4);
        FakeLlmServer server(hwtest::scriptedSimulator(SimulatorScript::Dependent));
        const Result r = run(evaluateArgs(project, server, "philanthropic,caring,unfriendly,skeptical", 3, 3));
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = parse(r.out);
        QVERIFY2(j.is_object(), r.out.constData());
        for (const char* key : {"run", "simulator", "agents", "comparisons", "requests", "cache_hits"})
            QVERIFY2(j.contains(key), key);
        QCOMPARE(j["simulator"]["model"].get<std::string>(), std::string("sim"));
        QVERIFY(j["simulator"].contains("prompt_sha256"));
        QCOMPARE(j["simulator"]["persona_set"].get<std::string>(),
                 std::string("personas.json:philanthropic,caring,unfriendly,skeptical"));
        QCOMPARE(j["agents"].size(), size_t(2));
        const auto& bad = j["agents"][0];
        const auto& good = j["agents"][1];
        QCOMPARE(bad["name"].get<std::string>(), std::string("bad"));
        for (const char* key : {"name", "spec", "n", "failed", "mean", "std", "ci_low", "ci_high", "per_persona"})
            QVERIFY2(good.contains(key), key);
        QCOMPARE(good["n"].get<int>(), 12);
        QCOMPARE(good["failed"].get<int>(), 0);
        QVERIFY(good["mean"].get<double>() > bad["mean"].get<double>() + 0.3);
        QVERIFY(good["ci_low"].get<double>() <= good["mean"].get<double>());
        QCOMPARE(good["per_persona"]["skeptical"]["n"].get<int>(), 3);
        QCOMPARE(j["comparisons"].size(), size_t(1));
        const auto& c = j["comparisons"][0];
        for (const char* key : {"agent", "baseline", "diff", "ci_low", "ci_high", "p", "p_holm", "significant"})
            QVERIFY2(c.contains(key), key);
        QCOMPARE(c["agent"].get<std::string>(), std::string("good"));
        QCOMPARE(c["baseline"].get<std::string>(), std::string("bad"));
        // Three agent turns, each mentioning the children: +0.45 in every pair.
        QVERIFY(std::fabs(c["diff"].get<double>() - 0.45) < 1e-9);
        QVERIFY(c["significant"].get<bool>());
        QVERIFY(c["p_holm"].get<double>() < 0.01);
        QVERIFY(j["requests"].get<int>() > 0);

        // Transcripts are dialogues of their own source, one per episode.
        QCOMPARE(count(project, "SELECT count(*) FROM dialogues WHERE source = 'simulated'"), int64_t(24));
        QCOMPARE(count(project, "SELECT count(*) FROM eval_episodes WHERE status = 'ok'"), int64_t(24));
        // Paired: episode i of both agents had the same persona and seed.
        QCOMPARE(count(project, "SELECT count(*) FROM eval_episodes a JOIN eval_episodes b ON a.episode = b.episode "
                                "AND a.agent_index = 0 AND b.agent_index = 1 AND a.persona = b.persona AND a.seed = b.seed"),
                 int64_t(12));

        // The report in every format.
        const int64_t runId = j["run"].get<int64_t>();
        const Result md = run({"eval-report", project, QString::number(runId)});
        QVERIFY2(md.code == 0, md.err.constData());
        QVERIFY(md.out.contains("| Metric | bad | good |"));
        QVERIFY(md.out.contains("Reward (sim)"));
        QVERIFY(md.out.contains("· skeptical"));
        QVERIFY(md.out.contains("+0.45"));
        const Result csv = run({"eval-report", project, "--format", "csv"});
        QVERIFY(csv.out.startsWith("metric,agent,persona,n,mean"));
        const Result tex = run({"eval-report", project, "--format", "latex"});
        QVERIFY(tex.out.contains("\\begin{tabular}"));
        const Result js = run({"eval-report", project, "--json", "--baseline", "good"});
        const auto rj = parse(js.out);
        QCOMPARE(rj["baseline"].get<std::string>(), std::string("good"));
        QVERIFY(rj["comparisons"][0]["diff"].get<double>() < 0);
        const Result unknown = run({"eval-report", project, "--baseline", "nobody"});
        QCOMPARE(unknown.code, 1);
        QVERIFY(unknown.err.contains("no agent of run"));
    }

    void ignoringSimulatorMakesAgentsEqual()
    {
        QTemporaryDir dir;
        const QString project = dir.filePath("p.hwb");
        hwtest::makeProject(project.toStdString(), "persuasion", 4);
        FakeLlmServer server(hwtest::scriptedSimulator(SimulatorScript::IgnoresAgent));
        const Result r = run(evaluateArgs(project, server, "caring,skeptical", 4, 2));
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = parse(r.out);
        const auto& c = j["comparisons"][0];
        QCOMPARE(c["diff"].get<double>(), 0.0);
        QCOMPARE(c["p"].get<double>(), 1.0);
        QVERIFY(!c["significant"].get<bool>());
        QCOMPARE(j["agents"][0]["mean"].get<double>(), j["agents"][1]["mean"].get<double>());
        const Result md = run({"eval-report", project});
        QVERIFY(md.out.contains("n.s."));
    }

    void killDuringEvaluationThenResume()
    {
        QTemporaryDir dir;
        const QString project = dir.filePath("p.hwb");
        hwtest::makeProject(project.toStdString(), "persuasion", 4);
        FakeLlmServer server(hwtest::scriptedSimulator(SimulatorScript::Dependent));
        // 2 personas x 2 episodes x 2 agents = 8 episodes of 5 calls (2 agent turns, 2 user turns,
        // the decision).
        const QStringList args = evaluateArgs(project, server, "caring,skeptical", 2, 2, 2);
        server.holdAfter(17);
        QProcess first;
        first.setProcessEnvironment(env());
        first.start(QString::fromStdString(hwtest::cliPath()), args);
        QVERIFY(first.waitForStarted());
        QTRY_COMPARE_WITH_TIMEOUT(server.held(), int64_t(2), 60000);
        QCOMPARE(server.answered(), int64_t(17));
        first.kill();
        QVERIFY(first.waitForFinished(10000));
        server.dropHeld();
        const int64_t episodesBefore = count(project, "SELECT count(*) FROM eval_episodes");
        QVERIFY(episodesBefore < 8);
        QCOMPARE(count(project, "SELECT count(*) FROM dialogues WHERE source = 'simulated'"), episodesBefore);

        const Result second = run(args);
        QVERIFY2(second.code == 0, second.err.constData());
        const auto j = parse(second.out);
        QCOMPARE(j["agents"][1]["n"].get<int>(), 4);
        // The calls of the episodes cut short come from the cache; the rest are sent once.
        QCOMPARE(j["cache_hits"].get<int64_t>(), 17 - 5 * episodesBefore);
        QCOMPARE(j["requests"].get<int64_t>(), int64_t(40 - 17));
        QCOMPARE(server.duplicateAnswers(), int64_t(0));   // no answered call sent twice
        QCOMPARE(server.answered(), int64_t(40));
        QCOMPARE(count(project, "SELECT count(*) FROM eval_episodes"), int64_t(8));

        // A re-run of the finished evaluation sends nothing.
        const int64_t received = server.received();
        const Result third = run(args);
        QVERIFY2(third.code == 0, third.err.constData());
        QCOMPARE(parse(third.out)["requests"].get<int>(), 0);
        QCOMPARE(server.received(), received);
        QCOMPARE(count(project, "SELECT count(*) FROM jobs WHERE kind = 'evaluate'"), int64_t(1));
    }

    void unparsableDecisionIsAFailedEpisode()
    {
        QTemporaryDir dir;
        const QString project = dir.filePath("p.hwb");
        hwtest::makeProject(project.toStdString(), "persuasion", 4);
        FakeLlmServer server(hwtest::scriptedSimulator(SimulatorScript::Unparsable));
        const Result r = run(evaluateArgs(project, server, "caring", 2, 1));
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = parse(r.out);
        QCOMPARE(j["agents"][0]["failed"].get<int>(), 2);
        QCOMPARE(j["agents"][0]["n"].get<int>(), 0);
        QVERIFY(!j["comparisons"][0]["significant"].get<bool>());
        QCOMPARE(count(project, "SELECT count(*) FROM eval_episodes WHERE status = 'failed' AND reward IS NULL "
                                "AND decision_raw LIKE '%rather not say%'"),
                 int64_t(4));
    }

    void fidelityAgainstRealDialogues()
    {
        QTemporaryDir dir;
        const QString project = dir.filePath("p.hwb");
        hwtest::makeProject(project.toStdString(), "persuasion", 5);
        FakeLlmServer server(hwtest::scriptedSimulator(SimulatorScript::Dependent));
        QStringList args = evaluateArgs(project, server, "caring", 1, 1);
        args << "--fidelity" << "3";
        const Result r = run(args);
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = parse(r.out);
        QVERIFY2(j["fidelity"].is_object(), r.out.constData());
        QCOMPARE(j["fidelity"]["n"].get<int>(), 3);
        QCOMPARE(j["fidelity"]["measure"].get<std::string>(), std::string("donation"));
        QVERIFY(j["fidelity"].contains("spearman") && j["fidelity"].contains("mae"));
        // Real agent turns kept, the user's replaced: 3 user turns per 6-turn dialogue + the decision.
        QCOMPARE(count(project, "SELECT count(*) FROM jobs WHERE kind = 'eval-fidelity' AND status = 'done'"), int64_t(1));
        const Result md = run({"eval-report", project});
        QVERIFY2(md.out.contains("Simulator fidelity (3 real dialogues, donation): Spearman rho ="), md.out.constData());
        // Simulated episodes are never picked as real dialogues.
        const int64_t received = server.received();
        QVERIFY(run(args).code == 0);
        QCOMPARE(server.received(), received);
    }

    void gdpZeroSearchesStrategies()
    {
        QTemporaryDir dir;
        const QString project = dir.filePath("p.hwb");
        hwtest::makeProject(project.toStdString(), "persuasion", 2);
        FakeLlmServer server(hwtest::scriptedSimulator(SimulatorScript::Dependent));
        const QString url = QString::fromStdString(server.baseUrl());
        const Result r = run({"evaluate", project, "--task", "persuasion", "--personas", "caring",
                              "--agent", "endpoint:" + url + ",model=good-agent,prompt=gdp-zero",
                              "--simulator", "endpoint:" + url + ",model=sim", "--episodes-per-persona", "1",
                              "--max-turns", "1", "--json", "--quiet"});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(parse(r.out)["agents"][0]["n"].get<int>(), 1);
        // 10 simulations, each: the agent's message for a strategy, the imagined user, the score.
        int replies = 0, users = 0, values = 0;
        for (const auto& c : server.calls()) {
            const std::string p = c.prompt();
            replies += p.find("using the strategy") != std::string::npos;
            users += p.find("most likely next message") != std::string::npos;
            values += p.find("Score: N") != std::string::npos;
        }
        QCOMPARE(replies, 10);
        QCOMPARE(users, 10);
        QCOMPARE(values, 10);
        auto db = Database::open(project.toStdString(), Database::Mode::ReadOnly);
        Statement st(db, "SELECT t.annotations FROM turns t JOIN dialogues d ON d.id = t.dialogue_id "
                         "WHERE d.source = 'simulated' AND t.role = 'agent'");
        QVERIFY(st.step());
        const auto prov = nlohmann::json::parse(st.text(0))["provenance"];
        QCOMPARE(prov["kind"].get<std::string>(), std::string("gdp-zero"));
        int visits = 0;
        for (const auto& node : prov["tree"])
            visits += node["visits"].get<int>();
        QCOMPARE(visits, 10);
        QVERIFY(!prov["strategy"].get<std::string>().empty());
    }

    // GDP-Zero's open-loop tree goes past this turn: a strategy with all its realizations (3
    // sampled conversations) is entered and the next turn's strategies are searched under it; the
    // score of each expansion is backed up along its path. The scorer here likes one strategy
    // ("Emotion appeal") and nothing else, so that one must be chosen.
    void gdpZeroTreeSearchesSeveralPlies()
    {
        FakeLlmServer server([](const hwtest::FakeCall& call) {
            const std::string p = call.prompt();
            if (p.find("Score: N") != std::string::npos)
                return hwtest::FakeReply::text(p.find("Persuader: I use Emotion appeal") != std::string::npos ? "Score: 9"
                                                                                                            : "Score: 2");
            if (p.find("most likely next message") != std::string::npos)
                return hwtest::FakeReply::text("I see.");
            const auto at = p.find("using the strategy \"");
            if (at == std::string::npos)
                return hwtest::FakeReply::text("?");
            const auto from = at + 20;
            return hwtest::FakeReply::text("Response: I use " + p.substr(from, p.find('"', from) - from) + ".");
        });
        EndpointProfile profile;
        profile.name = "fake";
        profile.baseUrl = server.baseUrl();
        profile.model = "planner";
        profile.timeoutS = 10;
        LlmClient client(profile);
        const PromptLibrary prompts({PromptLibrary::builtinDir()});
        const Task task = Task::persuasion();
        StageContext ctx;
        ctx.seed = 3;

        // Visits of a node = its expansions (realizations) + the visits of its children.
        std::function<void(const nlohmann::json&, int)> checkNode = [&](const nlohmann::json& node, int depth) {
            QCOMPARE(node["depth"].get<int>(), depth);
            int below = 0;
            if (node.contains("children"))
                for (const auto& c : node["children"]) {
                    below += c["visits"].get<int>();
                    checkNode(c, depth + 1);
                }
            const int realizations = node["realizations"].get<int>();
            QVERIFY(realizations >= 1 && realizations <= GdpZeroAgent::kMaxRealizations);
            QCOMPARE(node["visits"].get<int>(), realizations + below);
            if (below > 0) // entered only once full
                QCOMPARE(realizations, GdpZeroAgent::kMaxRealizations);
        };

        GdpZeroAgent deep(client, prompts, task, "gdp", 10);
        const AgentTurn turn = deep.reply(task, {}, ctx);
        QVERIFY2(turn.ok, turn.error.c_str());
        QCOMPARE(turn.text, std::string("I use Emotion appeal."));
        QCOMPARE(turn.provenance["strategy"].get<std::string>(), std::string("Emotion appeal"));
        QVERIFY(turn.provenance["max_depth"].get<int>() >= 2);
        QCOMPARE(turn.provenance["calls"].get<int>(), 30); // 3 per simulation: every one expands
        QCOMPARE(int(server.calls().size()), 30);
        int visits = 0;
        for (const auto& node : turn.provenance["tree"]) {
            visits += node["visits"].get<int>();
            checkNode(node, 1);
        }
        QCOMPARE(visits, 10);
        // The second ply's conversations continue the first's: a reply prompt holds two messages.
        bool sawSecondPly = false;
        for (const auto& c : server.calls())
            sawSecondPly = sawSecondPly
                || (c.prompt().find("using the strategy") != std::string::npos
                    && c.prompt().find("Persuader: I use") != std::string::npos);
        QVERIFY(sawSecondPly);

        // One ply only: a full node is scored again from its stored conversations, without calls.
        GdpZeroAgent shallow(client, prompts, task, "gdp", 10, 1);
        const size_t before = server.calls().size();
        const AgentTurn flat = shallow.reply(task, {}, ctx);
        QCOMPARE(flat.provenance["max_depth"].get<int>(), 1);
        for (const auto& node : flat.provenance["tree"])
            QVERIFY(!node.contains("children"));
        QCOMPARE(int(server.calls().size() - before), flat.provenance["calls"].get<int>());
        QVERIFY(flat.provenance["calls"].get<int>() < 30);
    }

    void counselingSeekerOpens()
    {
        QTemporaryDir dir;
        const QString project = dir.filePath("p.hwb");
        hwtest::makeProject(project.toStdString(), "counseling", 2);
        FakeLlmServer server(hwtest::scriptedSimulator(SimulatorScript::Dependent));
        const QString url = QString::fromStdString(server.baseUrl());
        const Result r = run({"evaluate", project, "--task", "counseling", "--personas", "grief",
                              "--agent", "endpoint:" + url + ",model=good-agent,prompt=cot",
                              "--simulator", "endpoint:" + url + ",model=sim", "--episodes-per-persona", "1",
                              "--max-turns", "2", "--json", "--quiet"});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = parse(r.out);
        // grief starts at intensity 5; two helpful turns: final 2, reward 3.
        QCOMPARE(j["agents"][0]["mean"].get<double>(), 3.0);
        auto db = Database::open(project.toStdString(), Database::Mode::ReadOnly);
        Statement st(db, "SELECT t.idx, t.role FROM turns t JOIN dialogues d ON d.id = t.dialogue_id "
                         "WHERE d.source = 'simulated' ORDER BY t.idx");
        QStringList roles;
        while (st.step())
            roles << QString::fromStdString(st.text(1));
        QCOMPARE(roles, QStringList({"user", "agent", "user", "agent", "user"}));
    }

    void badInputIsRefusedBeforeAnythingIsWritten()
    {
        QTemporaryDir dir;
        const QString project = dir.filePath("p.hwb");
        hwtest::makeProject(project.toStdString(), "persuasion", 4);
        FakeLlmServer server(hwtest::scriptedSimulator(SimulatorScript::Dependent));
        const QString url = QString::fromStdString(server.baseUrl());
        const QString sim = "endpoint:" + url + ",model=sim";

        Result r = run({"evaluate", project, "--agent", "robot:foo", "--simulator", sim});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("bad agent spec 'robot:foo'") && r.err.contains("unknown kind"), r.err.constData());

        r = run({"evaluate", project, "--agent", "endpoint:" + url + ",model=m,prompt=clever", "--simulator", sim});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("prompt must be plain, cot, procot or gdp-zero"));

        r = run({"evaluate", project, "--agent", "endpoint:" + url + ",model=m"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("--simulator is required"));

        // A reward model is a checkpoint of the wrong kind for an agent.
        QTemporaryDir ckpt;
        for (const char* f : {"config.json", "model.safetensors", "tokenizer.model", "reward_head.safetensors"})
            std::ofstream(ckpt.filePath(f).toStdString()) << "{}";
        r = run({"evaluate", project, "--agent", "ckpt:" + ckpt.path(), "--simulator", sim});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("a reward model, not a policy"), r.err.constData());
        r = run({"evaluate", project, "--agent", "ckpt:" + dir.filePath("missing"), "--simulator", sim});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("no such directory"));

        // Unknown persona, then a malformed personas file in the user's override folder.
        r = run({"evaluate", project, "--agent", "endpoint:" + url + ",model=m", "--simulator", sim, "--personas", "grumpy"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("unknown persona 'grumpy'"));
        QDir(m_config.path()).mkpath("prompts/persuasion");
        const QString overridePath = m_config.filePath("prompts/persuasion/personas.json");
        std::ofstream(overridePath.toStdString()) << R"([{"name": "a", "description": "x"}, {"name": "b"}])";
        r = run({"evaluate", project, "--agent", "endpoint:" + url + ",model=m", "--simulator", sim});
        QFile::remove(overridePath);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("personas.json: persona 2 ('b'): missing field \"description\""), r.err.constData());

        QCOMPARE(server.received(), int64_t(0));
        QCOMPARE(count(project, "SELECT count(*) FROM jobs"), int64_t(0));
        QCOMPARE(count(project, "SELECT count(*) FROM eval_episodes"), int64_t(0));

        const Result help = run({"evaluate", "--help"});
        QCOMPARE(help.code, 0);
        for (const char* s : {"ckpt:DIR[,beta=B]", "prompt=plain|cot|procot|gdp-zero", "local:FORWARD_CKPT,reward=REWARD_CKPT",
                              "--episodes-per-persona", "--max-turns", "--concurrency"})
            QVERIFY2(help.out.contains(s), s);
    }
};

QTEST_GUILESS_MAIN(TestEvalCli)
#include "tst_core_eval_cli.moc"
