// The evaluation lab's pieces without a server: personas as data (and their errors), agent and
// simulator specs, simulator fault detection, decision parsing, GDP-Zero scores, the report's
// refusal to pool simulators and its paired comparisons.
#include "core/eval/eval_persona.h"
#include "core/eval/eval_report.h"
#include "core/eval/eval_spec.h"
#include "core/eval/gdp_zero_agent.h"
#include "core/eval/simulator_faults.h"
#include "core/eval/user_simulator.h"
#include "core/prompts/prompt_library.h"
#include "core/util/error.h"

#include <QtTest>

using namespace hw;

namespace {

QString errorOf(const std::function<void()>& fn)
{
    try {
        fn();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

EvalEpisodeRecord episode(int agent, int index, const std::string& persona, std::optional<double> reward)
{
    EvalEpisodeRecord e;
    e.jobId = 1;
    e.agentIndex = agent;
    e.episode = index;
    e.persona = persona;
    e.status = reward ? "ok" : "failed";
    e.reward = reward;
    e.simulator = {{"kind", "llm"}, {"model", "sim"}};
    return e;
}

} // namespace

class TestEvalUnits : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void builtInPersonas()
    {
        const PromptLibrary prompts({PromptLibrary::builtinDir()});
        const auto p = loadEvalPersonas(prompts, Task::persuasion());
        const auto defaults = selectPersonas(p, {});
        QCOMPARE(defaults.size(), size_t(4)); // the paper's four
        QStringList names;
        for (const auto& d : defaults)
            names << QString::fromStdString(d.name);
        QCOMPARE(names, QStringList({"philanthropic", "caring", "unfriendly", "skeptical"}));
        const auto c = loadEvalPersonas(prompts, Task::counseling());
        for (const auto& persona : c) {
            QVERIFY(persona.initialIntensity >= 1 && persona.initialIntensity <= 5);
            QVERIFY(!persona.problemType.empty() && !persona.emotion.empty() && !persona.situation.empty());
        }
        QVERIFY(QString::fromStdString(c.front().promptText()).contains("Initial emotional intensity"));
        QCOMPARE(selectPersonas(p, {"curious", "caring"}).front().name, std::string("curious"));
    }

    void malformedPersonasNameFileAndField_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("counseling");
        QTest::addColumn<QString>("message");
        QTest::newRow("not json") << "[{" << false << "p.json: not valid JSON";
        QTest::newRow("not array") << "{}" << false << "p.json: expected a JSON array";
        QTest::newRow("empty") << "[]" << false << "p.json: no personas";
        QTest::newRow("no name") << R"([{"description": "x"}])" << false << "p.json: persona 1: missing field \"name\"";
        QTest::newRow("bad description") << R"([{"name": "a", "description": 3}])" << false
                                         << "p.json: persona 1 ('a'): field \"description\" must be a non-empty string";
        QTest::newRow("bad default") << R"([{"name": "a", "description": "x", "default": "yes"}])" << false
                                     << "field \"default\" must be true or false";
        QTest::newRow("repeated") << R"([{"name": "a", "description": "x"}, {"name": "a", "description": "y"}])" << false
                                  << "persona 2 ('a'): field \"name\" repeats";
        QTest::newRow("counseling without intensity") << R"([{"name": "a", "description": "x"}])" << true
                                                      << "missing field \"initial_intensity\"";
        QTest::newRow("intensity out of range") << R"([{"name": "a", "description": "x", "initial_intensity": 7}])" << true
                                                << "field \"initial_intensity\" must be an integer from 1 to 5";
    }
    void malformedPersonasNameFileAndField()
    {
        QFETCH(QString, text);
        QFETCH(bool, counseling);
        QFETCH(QString, message);
        const QString e = errorOf([&] {
            parseEvalPersonas("p.json", text.toStdString(), counseling ? Task::counseling() : Task::persuasion());
        });
        QVERIFY2(e.contains(message), qPrintable(e));
        QVERIFY(errorOf([&] { selectPersonas(parseEvalPersonas("p.json", R"([{"name":"a","description":"x"}])",
                                                                Task::persuasion()), {"zz"}); })
                    .contains("unknown persona 'zz' (known: a)"));
    }

    void esconvMetadataGivesPersonas()
    {
        const nlohmann::json m = {{"emotion_type", "anxiety"}, {"problem_type", "job crisis"},
                                  {"situation", "I may lose my job."}, {"initial_emotion_intensity", "4"}};
        const EvalPersona p = personaFromEsconvMetadata("abcdef123456", m);
        QCOMPARE(p.initialIntensity, 4);
        QCOMPARE(p.emotion, std::string("anxiety"));
        QCOMPARE(p.origin, std::string("esconv:abcdef123456"));
        nlohmann::json partial = m;
        partial.erase("situation");
        QVERIFY(personaFromEsconvMetadata("x", partial).name.empty());
        partial = m;
        partial["initial_emotion_intensity"] = "4.5";
        QVERIFY(personaFromEsconvMetadata("x", partial).name.empty());
    }

    void specs()
    {
        EvalAgentSpec a = parseAgentSpec("ckpt:/runs/7/ckpt-600,beta=4");
        QCOMPARE(a.kind, std::string("ckpt"));
        QCOMPARE(a.checkpoint, std::string("/runs/7/ckpt-600"));
        QCOMPARE(*a.beta, 4.0);
        QCOMPARE(a.name, std::string("ckpt-600 beta=4"));
        a = parseAgentSpec("endpoint:http://127.0.0.1:9/v1,model=m,prompt=gdp-zero");
        QCOMPARE(a.endpoint, std::string("http://127.0.0.1:9/v1"));
        QCOMPARE(a.prompt, std::string("gdp-zero"));
        QCOMPARE(parseAgentSpec("endpoint:openai,model=gpt,name=X").name, std::string("X"));
        QVERIFY(errorOf([] { parseAgentSpec("ckpt:d,beta=-1"); }).contains("beta must be a number >= 0"));
        QVERIFY(errorOf([] { parseAgentSpec("ckpt:d,temperature=1"); }).contains("unknown option 'temperature'"));
        QVERIFY(errorOf([] { parseAgentSpec("gpt4"); }).contains("expected ckpt:DIR"));
        QVERIFY(errorOf([] { parseAgentSpec("ckpt:"); }).contains("nothing after 'ckpt:'"));
        const SimulatorSpec s = parseSimulatorSpec("local:/f,reward=/r");
        QCOMPARE(s.forward, std::string("/f"));
        QCOMPARE(s.reward, std::string("/r"));
        QVERIFY(errorOf([] { parseSimulatorSpec("local:/f"); }).contains("needs reward=REWARD_CKPT"));
        QVERIFY(errorOf([] { parseSimulatorSpec("human:x"); }).contains("unknown kind 'human'"));
    }

    void faults()
    {
        const Task t = Task::persuasion();
        std::vector<Turn> before = {{0, Role::Agent, "Would you donate to Save the Children?", {}},
                                    {1, Role::User, "Maybe, tell me more.", {}}};
        auto has = [](const std::vector<std::string>& f, const char* name) {
            return std::find(f.begin(), f.end(), name) != f.end();
        };
        QVERIFY(userTurnFaults(t, before, "What do they do exactly?", false).empty());
        QVERIFY(has(userTurnFaults(t, before, "  ", false), fault::kEmpty));
        QVERIFY(has(userTurnFaults(t, before, "maybe, tell me MORE", false), fault::kRepeated));
        QVERIFY(has(userTurnFaults(t, before, "Persuader: you should donate", false), fault::kSpeaksAsAgent));
        QVERIFY(has(userTurnFaults(t, before, "Would you donate to Save the Children?", false), fault::kSpeaksAsAgent));
        QVERIFY(has(userTurnFaults(t, before, "As an AI language model I cannot donate.", false), fault::kLeavesPersona));
        QVERIFY(has(userTurnFaults(t, {}, "Bye.", true), fault::kEndsEarly));
        QVERIFY(!has(userTurnFaults(t, before, "Bye.", true), fault::kEndsEarly));
    }

    void decisions()
    {
        EvalPersona p;
        p.initialIntensity = 4;
        SimulatorDecision d = parseDecision(Task::persuasion(), p, "ok then.\nFinal Donation Amount: $1.50");
        QVERIFY(d.ok);
        QCOMPARE(*d.reward, 1.5);
        d = parseDecision(Task::counseling(), p, "Final Emotional Intensity: 1");
        QCOMPARE(*d.reward, 3.0);
        QCOMPARE(*d.outcome, 1.0);
        d = parseDecision(Task::persuasion(), p, "Final Donation Amount: 1 or 2");
        QVERIFY(!d.ok);
        QVERIFY(!d.reward);
        QCOMPARE(d.raw, std::string("Final Donation Amount: 1 or 2"));
        QVERIFY(QString::fromStdString(d.error).startsWith("unparsable decision"));
        QVERIFY(!parseDecision(Task::persuasion(), p, "Final Donation Amount: 5").ok);
    }

    void gdpZeroScoresAndStrategies()
    {
        QCOMPARE(*parseGdpScore("thinking...\n**Score:** 7"), 0.7);
        QVERIFY(!parseGdpScore("Score: 11"));
        QVERIFY(!parseGdpScore("no score here"));
        const PromptLibrary prompts({PromptLibrary::builtinDir()});
        QCOMPARE(loadStrategies(prompts, Task::persuasion()).size(), size_t(10));
        QCOMPARE(loadStrategies(prompts, Task::counseling()).size(), size_t(8));
    }

    void reportPairsEpisodesAndNeverPoolsSimulators()
    {
        const nlohmann::json config = {{"task", "persuasion"},
                                       {"agents", {{{"name", "A"}, {"spec", "a"}}, {{"name", "B"}, {"spec", "b"}}}},
                                       {"personas", {{{"name", "p"}}, {{"name", "q"}}}}};
        std::vector<EvalEpisodeRecord> eps;
        for (int i = 0; i < 6; ++i) {
            eps.push_back(episode(0, i, i < 3 ? "p" : "q", 0.5 + 0.1 * i));
            // B: one failed episode (its pair is left out of the comparison).
            eps.push_back(episode(1, i, i < 3 ? "p" : "q", i == 5 ? std::nullopt : std::optional<double>(0.2 + 0.1 * i)));
        }
        EvalReport r = buildEvalReport(9, config, eps, {});
        QCOMPARE(r.agents[1].failed, int64_t(1));
        QCOMPARE(r.agents[1].overall.n, int64_t(5));
        QCOMPARE(r.agents[0].perPersona.at("q").n, int64_t(3));
        QCOMPARE(r.comparisons.size(), size_t(1));
        QCOMPARE(r.comparisons[0].test.n, int64_t(5));
        QVERIFY(std::fabs(r.comparisons[0].test.diff + 0.3) < 1e-12);
        QVERIFY(r.comparisons[0].test.exact);
        QCOMPARE(r.comparisons[0].test.p, 2.0 / 32.0); // all five pairs the same sign: 2 of 32 patterns
        QVERIFY(!r.comparisons[0].significant);
        const std::string md = formatEvalReport(r, "md");
        QVERIFY(md.find("| Episodes (failed) | 6 (0) | 6 (1) |") != std::string::npos);
        QVERIFY(md.find("n.s.") != std::string::npos);
        QVERIFY(errorOf([&] { formatEvalReport(r, "html"); }).contains("unknown report format 'html'"));

        eps[3].simulator["model"] = "another-sim";
        QVERIFY(errorOf([&] { buildEvalReport(9, config, eps, {}); }).contains("never pooled"));
    }
};

QTEST_APPLESS_MAIN(TestEvalUnits)
#include "tst_core_eval_units.moc"
