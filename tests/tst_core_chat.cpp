// Chat with agents, core side: sessions / messages / ratings in the project, results as mean ± std
// per agent and CSV, the prompting baselines against a fake OpenAI-compatible server, and a real
// tiny checkpoint (trained here) answering as π_β and with ILQL decoding and per-token values.
#include "core/chat/chat_agent.h"
#include "core/chat/endpoint_agent.h"
#include "core/model/dialogue_codec.h"
#include "core/model/model_io.h"
#include "core/net/http_server.h"
#include "core/store/chat_store.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/run_store.h"
#include "core/store/training_set_store.h"
#include "core/train/ilql_trainer_job.h"
#include "core/train/training_set.h"
#include "core/util/error.h"
#include "support/test_paths.h"
#include "support/tiny_chat_checkpoint.h"

#include <atomic>
#include <cmath>
#include <limits>
#include <filesystem>
#include <fstream>
#include <mutex>

using namespace hw;

namespace {

ChatAgentSpec policySpec(const std::string& dir)
{
    ChatAgentSpec s;
    s.kind = agent_kind::kPolicy;
    s.checkpoint = dir;
    s.temperature = 0.0;
    s.maxNewTokens = 24;
    s.device = "cpu";
    return s;
}

ChatReplyRequest hello()
{
    ChatReplyRequest r;
    r.task = Task::counseling();
    r.context = "worried about my job";
    Turn t;
    t.role = Role::User;
    t.text = "I feel sad about my job.";
    r.history = {t};
    return r;
}

} // namespace

class TestChat : public QObject {
    Q_OBJECT
    QTemporaryDir m_config;
    QTemporaryDir m_dir;
    std::string m_project;
    hwtest::TinyRun m_run;

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("HW_CONFIG_DIR", m_config.path().toUtf8()); // no user prompt overrides, no profiles
        qputenv("HW_DEVICE", "cpu");
    }

    // ------------------------------------------------------------ store
    void sessionsMessagesAndTokenValues()
    {
        auto db = Database::openInMemory();
        DialogueStore ds(db);
        const int64_t task = ds.ensureTask(Task::counseling());
        ChatStore store(db);
        ChatAgentSpec a = policySpec("/ck/a");
        ChatAgentSpec b;
        b.kind = agent_kind::kEndpoint;
        b.endpoint = "local";
        b.model = "m";
        b.prompting = prompting::kProactiveCot;
        const int64_t id = store.createSession(task, true, {a, b}, {1, 0});
        auto s = store.session(id);
        QVERIFY(s);
        QCOMPARE(s->taskName, std::string("counseling"));
        QVERIFY(s->blind);
        QCOMPARE(s->agents.size(), size_t(2));
        QCOMPARE(s->agents[1].slot, 1);
        QCOMPARE(s->agents[1].prompting, std::string("proactive_cot"));
        QCOMPARE(s->columnOrder, (std::vector<int>{1, 0}));
        QCOMPARE(s->columnLabel(0), std::string("Agent A"));
        QCOMPARE(s->columnLabel(1), std::string("Agent B"));
        QCOMPARE(s->columnOf(1), 0);
        QCOMPARE(s->columnOf(0), 1);

        store.addUserMessage(id, "hello");
        TokenValue t1{"Hi", 0.5, 0.25, 0.9};
        TokenValue t2{" there", std::nullopt, std::nullopt, 0.1};
        store.addAgentMessage(id, 0, "Hi there", {t1, t2});
        store.addAgentMessage(id, 1, "Hello!");
        const auto col0 = store.messages(id, 0);
        QCOMPARE(col0.size(), size_t(2));
        QCOMPARE(col0[0].role, std::string("user"));
        QCOMPARE(col0[1].tokens.size(), size_t(2));
        QCOMPARE(*col0[1].tokens[0].q, 0.5);
        QCOMPARE(col0[1].tokens[0].advantage(), 0.25);
        QVERIFY(!col0[1].tokens[1].hasValues());
        QCOMPARE(*col0[1].tokens[1].pBeta, 0.1);
        QCOMPARE(store.messages(id).size(), size_t(4));
        QCOMPARE(store.session(id)->userMessages, int64_t(1));

        QVERIFY_THROWS_EXCEPTION(Error, store.createSession(task, false, {a, b}, {0, 0}));
        QVERIFY_THROWS_EXCEPTION(Error, store.createSession(task, false, {}));
        ChatRating bad;
        bad.naturalness = 6;
        QVERIFY_THROWS_EXCEPTION(Error, store.saveRating(id, bad));
        QCOMPARE(store.sessions().size(), size_t(1));
    }

    void resultsMeanStd()
    {
        auto db = Database::openInMemory();
        DialogueStore ds(db);
        const int64_t counseling = ds.ensureTask(Task::counseling());
        const int64_t persuasion = ds.ensureTask(Task::persuasion());
        ChatStore store(db);
        ChatAgentSpec ilql = policySpec("/ck/ilql");
        ilql.kind = agent_kind::kIlql;
        ilql.beta = 8;
        ilql.name = "Hindsight RL";
        ChatAgentSpec cot;
        cot.kind = agent_kind::kEndpoint;
        cot.endpoint = "e";
        cot.name = "GPT CoT";
        // Three rated sessions: Hindsight RL naturalness 3,4,5 (mean 4, sd 1), outcome 1,2,3;
        // GPT CoT naturalness 2,2,5 (mean 3, sd sqrt(3)), no comforting in one session.
        const int nat[2][3] = {{3, 4, 5}, {2, 2, 5}};
        for (int i = 0; i < 3; ++i) {
            const int64_t id = store.createSession(counseling, true, {ilql, cot});
            for (int slot = 0; slot < 2; ++slot) {
                ChatRating r;
                r.slot = slot;
                r.agentLabel = slot == 0 ? ilql.displayName() : cot.displayName();
                r.naturalness = nat[slot][i];
                r.relevance = 4;
                if (!(slot == 1 && i == 2))
                    r.comforting = 2 + i;
                r.outcome = static_cast<double>(i + 1);
                store.saveRating(id, r);
            }
            if (i < 2)
                store.setStatus(id, "finished");
        }
        // A persuasion session that the counseling table must not count.
        const int64_t other = store.createSession(persuasion, false, {ilql});
        store.saveRating(other, ChatRating{0, "Hindsight RL", 1, 1, std::nullopt, 2.0});

        const auto all = store.results(counseling);
        QCOMPARE(all.size(), size_t(2));
        QCOMPARE(all[0].agent, std::string("Hindsight RL"));
        QCOMPARE(all[0].kind, std::string("ilql"));
        QCOMPARE(all[0].sessions, int64_t(3));
        QCOMPARE(all[0].naturalness.mean, 4.0);
        QCOMPARE(all[0].naturalness.std, 1.0);
        QCOMPARE(all[0].outcome.mean, 2.0);
        QCOMPARE(all[0].relevance.std, 0.0);
        QCOMPARE(all[1].naturalness.mean, 3.0);
        QVERIFY(std::abs(all[1].naturalness.std - std::sqrt(3.0)) < 1e-12);
        QCOMPARE(all[1].comforting.n, int64_t(2));
        QCOMPARE(all[1].comforting.mean, 2.5);
        QCOMPARE(QString::fromStdString(all[0].naturalness.format()), QStringLiteral("4.00 ± 1.00"));
        QCOMPARE(QString::fromStdString(RatingStat{}.format()), QStringLiteral("–"));

        const auto finished = store.results(counseling, true);
        QCOMPARE(finished[0].sessions, int64_t(2));
        QCOMPARE(finished[0].naturalness.mean, 3.5);
        QCOMPARE(store.results().at(0).sessions, int64_t(4)); // every task

        const std::string csv = resultsCsv(all, true, "final_intensity");
        const QStringList lines = QString::fromStdString(csv).trimmed().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0], QStringLiteral("agent,kind,sessions,naturalness_mean,naturalness_std,relevance_mean,"
                                          "relevance_std,comforting_mean,comforting_std,final_intensity_mean,"
                                          "final_intensity_std"));
        QCOMPARE(lines[1], QStringLiteral("Hindsight RL,ilql,3,4.0000,1.0000,4.0000,0.0000,3.0000,1.0000,2.0000,1.0000"));
        QVERIFY(lines[2].startsWith(QStringLiteral("GPT CoT,endpoint,3,3.0000,1.7321")));
        QVERIFY(!QString::fromStdString(resultsCsv(all, false)).contains(QStringLiteral("comforting")));
    }

    void extractResponse_data()
    {
        QTest::addColumn<QString>("completion");
        QTest::addColumn<QString>("reply");
        QTest::newRow("procot") << "Analysis: they are sad.\nStrategy: Question\nResponse: \"What happened?\""
                                << "What happened?";
        QTest::newRow("bold label") << "Thoughts: ...\n**Response:** I hear you." << "I hear you.";
        QTest::newRow("multi-line") << "Thoughts: x\nResponse: First line.\nSecond line." << "First line.\nSecond line.";
        QTest::newRow("no label") << "Just a reply." << "Just a reply.";
        QTest::newRow("think block") << "<think>hmm</think>\nResponse: ok" << "ok";
        QTest::newRow("last wins") << "Response: draft\nResponse: final" << "final";
    }
    void extractResponse()
    {
        QFETCH(QString, completion);
        QFETCH(QString, reply);
        QCOMPARE(QString::fromStdString(hw::extractResponse(completion.toStdString())), reply);
    }

    void promptStyles()
    {
        QCOMPARE(QString::fromStdString(promptFileOf("cot")), QStringLiteral("chat_cot"));
        QCOMPARE(QString::fromStdString(promptFileOf("proactive_cot")), QStringLiteral("chat_proactive_cot"));
        QVERIFY_THROWS_EXCEPTION(Error, promptFileOf("tree_of_thought"));
        ChatAgentSpec s;
        s.kind = agent_kind::kEndpoint;
        s.model = "gpt-x";
        s.prompting = prompting::kProactiveCot;
        QCOMPARE(QString::fromStdString(s.displayName()), QStringLiteral("gpt-x · ProCoT"));
        s.kind = agent_kind::kIlql;
        s.runId = 3;
        s.step = 600;
        s.beta = 8;
        QCOMPARE(QString::fromStdString(s.displayName()), QStringLiteral("ILQL β=8 · run 3 @600"));
    }

    // ------------------------------------------------------------ endpoint agent
    void endpointAgentPromptsAndParses()
    {
        std::mutex mutex;
        std::string lastBody;
        HttpServer server([&](const HttpServerRequest& req) {
            {
                std::lock_guard<std::mutex> lock(mutex);
                lastBody = req.body;
            }
            const nlohmann::json reply = {
                {"id", "x"},
                {"object", "chat.completion"},
                {"model", "fake"},
                {"choices", {{{"index", 0},
                              {"finish_reason", "stop"},
                              {"message", {{"role", "assistant"},
                                           {"content", "Analysis: the seeker is sad about work.\n"
                                                       "Strategy: Question\nResponse: What happened at work?"}}}}}},
                {"usage", {{"prompt_tokens", 100}, {"completion_tokens", 20}, {"total_tokens", 120}}}};
            return HttpServerResponse::json(200, reply.dump());
        });
        server.start();
        ChatAgentSpec spec;
        spec.kind = agent_kind::kEndpoint;
        spec.endpoint = server.baseUrl() + "/v1";
        spec.model = "fake";
        spec.prompting = prompting::kProactiveCot;
        ChatAgentEnv env;
        env.endpointsFile = (m_config.path() + "/endpoints.json").toStdString();
        auto agent = makeChatAgent(spec, env);
        QVERIFY(!agent->hasValues());
        int calls = 0;
        std::string streamed;
        const ChatReply r = agent->reply(hello(), [&](const TokenValue& t) { ++calls; streamed += t.text; }, StopToken());
        QCOMPARE(QString::fromStdString(r.text), QStringLiteral("What happened at work?"));
        QCOMPARE(calls, 1);
        QCOMPARE(streamed, r.text);
        QVERIFY(r.rawText.find("Strategy: Question") != std::string::npos);
        QCOMPARE(r.tokenCount, int64_t(20));
        QCOMPARE(r.provenance["prompt"].get<std::string>(), std::string("counseling/chat_proactive_cot.txt"));
        const auto body = nlohmann::json::parse(lastBody);
        const std::string prompt = body["messages"].dump();
        QVERIFY(prompt.find("Seeker: I feel sad about my job.") != std::string::npos);
        QVERIFY(prompt.find("Background: worried about my job") != std::string::npos);
        QVERIFY(prompt.find("Reflection of feelings") != std::string::npos);
        QCOMPARE(body["model"].get<std::string>(), std::string("fake"));

        spec.prompting = "nonsense";
        QVERIFY_THROWS_EXCEPTION(Error, makeChatAgent(spec, env));
    }

    // ------------------------------------------------------------ local checkpoint agent
    void trainTinyCheckpoint()
    {
        m_project = m_dir.filePath("chat.hwb").toStdString();
        Database::create(m_project);
        hwtest::makeChatProject(m_project);
        QElapsedTimer t;
        t.start();
        m_run = hwtest::trainTinyPolicy(m_project, 150);
        qInfo("tiny policy trained in %.1f s: %s", t.elapsed() / 1000.0, m_run.checkpointDir.c_str());
        QVERIFY(m_run.runId > 0);
        const auto caps = inspectCheckpoint(m_run.checkpointDir);
        QVERIFY2(caps.policy, caps.error.c_str());
        QVERIFY(!caps.ilqlHeads);
        auto db = Database::open(m_project, Database::Mode::ReadOnly);
        RunStore rs(db);
        QVERIFY(!rs.chatCheckpoints().empty());
        QVERIFY(!inspectCheckpoint(m_dir.path().toStdString()).policy);
    }

    void policyAgentStreams()
    {
        auto agent = makeChatAgent(policySpec(m_run.checkpointDir));
        QVERIFY(!agent->hasValues());
        std::string streamed;
        int tokens = 0;
        const ChatReply r = agent->reply(hello(), [&](const TokenValue& t) {
            streamed += t.text;
            ++tokens;
            QVERIFY(t.pBeta && *t.pBeta > 0 && *t.pBeta <= 1.0);
            QVERIFY(!t.hasValues());
        }, StopToken());
        qInfo("greedy reply: '%s'", r.text.c_str());
        QVERIFY2(!r.text.empty(), qPrintable(QStringLiteral("%1 tokens, %2 generated, finish text '%3'")
                                                 .arg(r.tokens.size()).arg(r.tokenCount).arg(QString::fromStdString(r.rawText))));
        QCOMPARE(streamed, r.text);
        QCOMPARE(static_cast<int>(r.tokens.size()), tokens);
        QVERIFY(r.firstTokenSeconds > 0 && r.firstTokenSeconds <= r.seconds);
        QVERIFY(!r.cancelled);
        // Greedy is deterministic.
        const ChatReply again = agent->reply(hello(), {}, StopToken());
        QCOMPARE(again.text, r.text);

        // ILQL needs heads.
        auto spec = policySpec(m_run.checkpointDir);
        spec.kind = agent_kind::kIlql;
        QVERIFY_THROWS_EXCEPTION(Error, makeChatAgent(spec));
        spec.checkpoint = m_dir.path().toStdString() + "/nope";
        QVERIFY_THROWS_EXCEPTION(Error, makeChatAgent(spec));
    }

    void ilqlAgentCarriesValuesAndStops()
    {
        hwtest::writeRandomIlqlHeads(m_run.checkpointDir, 7);
        QVERIFY(inspectCheckpoint(m_run.checkpointDir).ilqlHeads);
        auto spec = policySpec(m_run.checkpointDir);
        spec.kind = agent_kind::kIlql;
        spec.beta = 0.0;
        auto ilql = makeChatAgent(spec);
        QVERIFY(ilql->hasValues());
        const ChatReply r0 = ilql->reply(hello(), {}, StopToken());
        QVERIFY(!r0.tokens.empty());
        for (const auto& t : r0.tokens) {
            QVERIFY(t.hasValues());
            QVERIFY(std::isfinite(*t.q) && std::isfinite(*t.v));
            QVERIFY(t.pBeta && *t.pBeta > 0);
        }
        // β = 0 decodes π_β exactly (greedy), with values shown alongside.
        auto policy = makeChatAgent(policySpec(m_run.checkpointDir));
        QVERIFY(policy->hasValues()); // heads present: π_β replies are annotated too
        QCOMPARE(policy->reply(hello(), {}, StopToken()).text, r0.text);
        ilql->setBeta(50.0);
        const ChatReply r50 = ilql->reply(hello(), {}, StopToken());
        QCOMPARE(r50.provenance["beta"].get<double>(), 50.0);

        // Stop after three tokens.
        StopToken stop;
        int seen = 0;
        spec.temperature = 1.0;
        spec.maxNewTokens = 64;
        spec.seed = 3;
        auto sampler = makeChatAgent(spec);
        const ChatReply cut = sampler->reply(hello(), [&](const TokenValue&) {
            if (++seen == 3)
                stop.requestStop();
        }, stop);
        QVERIFY(cut.cancelled || cut.tokens.size() <= 3);
        QVERIFY(cut.tokens.size() <= 4);
    }

    // The π_β probability shown per token is π_β's own: the softmax of its raw logits at
    // temperature 1, before banned tokens, temperature, top-k/top-p and the first-step stop mask.
    // With top-k 1 the reply is π_β's greedy path, which the test replays on the model itself.
    void piBetaProbabilityIsTheRawSoftmax()
    {
        auto spec = policySpec(m_run.checkpointDir);   // has heads (ilqlAgentCarriesValuesAndStops)
        spec.temperature = 0.5;
        spec.topK = 1;
        spec.topP = 0.9;
        spec.maxNewTokens = 16;
        auto agent = makeChatAgent(spec);
        QVERIFY(agent->hasValues());
        const ChatReply r = agent->reply(hello(), {}, StopToken());
        QVERIFY(!r.tokens.empty());

        LoadOptions lo;
        lo.device = "cpu";
        LoadedModel lm = loadModelDirectory(m_run.checkpointDir, lo);
        CodecOptions co;
        std::ifstream in(std::filesystem::path(m_run.checkpointDir) / "train_config.json");
        const auto trainCfg = nlohmann::json::parse(in, nullptr, false);
        if (trainCfg.is_object() && trainCfg.contains("includeContext") && trainCfg["includeContext"].is_boolean())
            co.includeContext = trainCfg["includeContext"].get<bool>();
        if (trainCfg.is_object() && trainCfg.contains("maxSeqLen") && trainCfg["maxSeqLen"].is_number_integer())
            co.maxTokens = trainCfg["maxSeqLen"].get<int64_t>();
        const DialogueCodec codec(*lm.tokenizer, co);
        const auto req = hello();
        Dialogue d;
        d.task = req.task.name;
        d.metadata["situation"] = req.context;
        d.turns = req.history;
        std::vector<int64_t> seq = codec.encodePrompt(d, d.turns.size());
        const auto& sp = lm.tokenizer->special();
        std::vector<int64_t> banned, stops;
        for (int64_t id : {sp.pad, sp.bos, sp.beginAction, sp.unk})
            if (id >= 0)
                banned.push_back(id);
        for (int64_t id : {sp.endOfAction, sp.endOfState, sp.endOfDialogue})
            if (id >= 0)
                stops.push_back(id);
        torch::NoGradGuard g;
        double lowest = 1.0;
        for (size_t i = 0; i < r.tokens.size(); ++i) {
            const auto raw = lm.model->forward(torch::tensor(seq, torch::kLong).unsqueeze(0)).logits[0][-1].to(torch::kFloat);
            auto masked = raw.clone();
            for (int64_t id : banned)
                masked[id] = -std::numeric_limits<float>::infinity();
            if (i == 0)
                for (int64_t id : stops)
                    masked[id] = -std::numeric_limits<float>::infinity();
            const int64_t chosen = masked.argmax().item<int64_t>();
            const double expected = torch::softmax(raw, -1)[chosen].item<double>();
            QVERIFY(r.tokens[i].pBeta);
            QVERIFY2(std::abs(*r.tokens[i].pBeta - expected) < 1e-5,
                     qPrintable(QStringLiteral("token %1: shown %2, softmax of raw logits %3")
                                    .arg(i).arg(*r.tokens[i].pBeta).arg(expected)));
            lowest = std::min(lowest, expected);
            seq.push_back(chosen);
        }
        // Top-k 1 renormalised would show 1 for every token; π_β itself is less sure somewhere.
        QVERIFY2(lowest < 0.95, qPrintable(QString::number(lowest)));
    }

    // The ILQL trainer's default output (π_β plus a separate value trunk with its heads) is an
    // ILQL agent: values come from the value trunk run on the same tokens; β = 0 is π_β.
    void ilqlAgentFromTheTrainersSeparateLayout()
    {
        IlqlTrainConfig cfg = IlqlTrainConfig::tiny();
        cfg.bcSteps = 20;
        cfg.iterations = 1;
        cfg.updatesPerIteration = 10;
        cfg.evalSamples = 0;
        cfg.device = "cpu";
        {
            auto db = Database::open(m_project);
            createTrainingSet(db, "chat-ilql", TrainingSetSpec::fromPreset("ilql-orig", "counseling"));
        }
        AgentJobOptions o;
        o.projectPath = m_project;
        o.agent = "ilql";
        o.trainingSet = "chat-ilql";
        o.config = cfg;
        const AgentJobResult r = runAgentTrainingJob(o);
        const std::string dir = r.train.checkpointDir;
        QVERIFY(std::filesystem::exists(std::filesystem::path(dir) / "ilql_value_heads.safetensors"));
        QVERIFY(inspectCheckpoint(dir).ilqlHeads);

        auto spec = policySpec(dir);
        spec.kind = agent_kind::kIlql;
        spec.beta = 0.0;
        auto ilql = makeChatAgent(spec);
        QVERIFY(ilql->hasValues());
        const ChatReply withValues = ilql->reply(hello(), {}, StopToken());
        QVERIFY(!withValues.tokens.empty());
        for (const auto& t : withValues.tokens)
            QVERIFY(t.hasValues() && std::isfinite(*t.q) && std::isfinite(*t.v));
        QCOMPARE(makeChatAgent(policySpec(dir))->reply(hello(), {}, StopToken()).text, withValues.text);
    }
};

QTEST_APPLESS_MAIN(TestChat)
#include "tst_core_chat.moc"
