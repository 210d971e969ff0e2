// hindsight serve: an OpenAI-compatible server for a local checkpoint, answering the pipeline's
// own LLM client over real HTTP on 127.0.0.1 (ephemeral port), with n, seed, streaming (SSE),
// errors; and the CLI verb started as a process and stopped with Ctrl+C.
#include "core/llm/llm_client.h"
#include "core/net/http_client.h"
#include "core/offline/local_chat_server.h"
#include "core/util/error.h"
#include "support/test_paths.h"
#include "core/train/lm_training_job.h"
#include "support/lm_corpus.h"

#include <QProcess>

#include <csignal>

using namespace hw;

namespace {

std::string& checkpoint()
{
    static QTemporaryDir tmp;
    static std::string dir = [] {
        const std::string project = tmp.filePath("p.hwb").toStdString();
        hwtest::insertDialogues(project, hwtest::lmDialogues(32));
        LmJobOptions o;
        o.projectPath = project;
        o.role = LmRole::Forward;
        o.config = LmTrainConfig::tiny();
        o.config.device = "cpu";
        o.config.maxSteps = 30;
        o.config.optimizer.lr = 1e-2;
        o.outDir = tmp.filePath("out").toStdString();
        return runLmTrainingJob(o).train.checkpointDir;
    }();
    return dir;
}

HttpResponse post(HttpClient& http, const std::string& url, const nlohmann::json& body)
{
    HttpRequest r;
    r.method = "POST";
    r.url = url;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = body.dump();
    r.timeoutMs = 60000;
    return http.perform(r);
}

nlohmann::json chatBody(nlohmann::json extra = nlohmann::json::object())
{
    nlohmann::json b = {{"model", "anything"},
                        {"messages",
                         {{{"role", "system"}, {"content", "situation: worried about my exams"}},
                          {{"role", "user"}, {"content", "I feel anxious about my exams."}}}},
                        {"max_tokens", 24},
                        {"seed", 7}};
    for (const auto& it : extra.items())
        b[it.key()] = it.value();
    return b;
}

} // namespace

class TestServe : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(!checkpoint().empty()); }

    void answersThePipelinesLlmClient()
    {
        ChatServerOptions o;
        o.checkpoint = checkpoint();
        o.port = 0;
        o.device = "cpu";
        LocalChatServer server(o);
        server.start();
        QVERIFY(server.port() > 0);
        QVERIFY(QString::fromStdString(server.baseUrl()).startsWith("http://127.0.0.1:"));

        const auto profile = resolveEndpoint(server.baseUrl() + "/v1", server.modelName(), EndpointProfiles());
        LlmClient client(profile);
        ChatRequest req;
        req.messages = {{"system", "situation: worried about money"}, {"user", "I feel sad about money."}};
        req.temperature = 0.0;
        req.maxTokens = 32;
        req.seed = 1;
        const ChatResponse r = client.chat(req);
        QVERIFY(!r.content.empty());
        QVERIFY(r.finishReason == "stop" || r.finishReason == "length");
        QVERIFY(r.promptTokens > 0);
        QVERIFY(r.completionTokens > 0 && r.completionTokens <= 32);
        // Greedy decoding is deterministic.
        QCOMPARE(client.chat(req).content, r.content);
        QTRY_VERIFY(server.requestsServed() >= 2); // counted once the reply is fully sent
    }

    void openAiFeatures()
    {
        ChatServerOptions o;
        o.checkpoint = checkpoint();
        o.port = 0;
        o.device = "cpu";
        o.modelName = "tiny-policy";
        LocalChatServer server(o);
        server.start();
        HttpClient http(4);
        const std::string base = server.baseUrl() + "/v1";

        HttpRequest get;
        get.method = "GET";
        get.url = base + "/models";
        const auto models = http.perform(get);
        QCOMPARE(models.status, 200L);
        const auto mj = nlohmann::json::parse(models.body);
        QCOMPARE(mj["data"][0]["id"].get<std::string>(), std::string("tiny-policy"));

        // n samples, seeded: the same request gives the same samples, a different seed others.
        const auto a = post(http, base + "/chat/completions", chatBody({{"n", 3}, {"temperature", 1.0}}));
        QCOMPARE(a.status, 200L);
        const auto aj = nlohmann::json::parse(a.body);
        QCOMPARE(aj["object"].get<std::string>(), std::string("chat.completion"));
        QCOMPARE(aj["model"].get<std::string>(), std::string("tiny-policy"));
        QCOMPARE(aj["choices"].size(), size_t(3));
        QCOMPARE(aj["choices"][2]["index"].get<int>(), 2);
        QCOMPARE(aj["choices"][0]["message"]["role"].get<std::string>(), std::string("assistant"));
        QVERIFY(aj["usage"]["completion_tokens"].get<int>() > 0);
        const auto again = nlohmann::json::parse(post(http, base + "/chat/completions", chatBody({{"n", 3}, {"temperature", 1.0}})).body);
        QCOMPARE(again["choices"], aj["choices"]);
        std::set<std::string> distinct;
        for (const auto& c : aj["choices"])
            distinct.insert(c["message"]["content"].get<std::string>());
        QVERIFY(distinct.size() >= 2);

        // Streaming gives the same text as the plain reply, in OpenAI chunks, ending with [DONE].
        const auto plain = nlohmann::json::parse(post(http, base + "/chat/completions", chatBody()).body);
        const auto s = post(http, base + "/chat/completions", chatBody({{"stream", true}}));
        QCOMPARE(s.status, 200L);
        QVERIFY(s.header("Content-Type")->find("text/event-stream") != std::string::npos);
        std::string text, finish;
        int chunks = 0;
        bool done = false;
        size_t pos = 0;
        while ((pos = s.body.find("data: ", pos)) != std::string::npos) {
            const size_t end = s.body.find("\n\n", pos);
            const std::string payload = s.body.substr(pos + 6, end - pos - 6);
            pos = end;
            if (payload == "[DONE]") {
                done = true;
                break;
            }
            const auto c = nlohmann::json::parse(payload);
            QCOMPARE(c["object"].get<std::string>(), std::string("chat.completion.chunk"));
            const auto& delta = c["choices"][0]["delta"];
            if (delta.contains("content"))
                text += delta["content"].get<std::string>();
            if (!c["choices"][0]["finish_reason"].is_null())
                finish = c["choices"][0]["finish_reason"].get<std::string>();
            ++chunks;
        }
        QVERIFY(done);
        QVERIFY(chunks >= 3);
        QCOMPARE(text, plain["choices"][0]["message"]["content"].get<std::string>());
        QCOMPARE(finish, plain["choices"][0]["finish_reason"].get<std::string>());

        // Stop strings cut the reply.
        const std::string full = plain["choices"][0]["message"]["content"].get<std::string>();
        if (full.size() > 4) {
            const auto cut = nlohmann::json::parse(
                post(http, base + "/chat/completions", chatBody({{"stop", full.substr(2, 2)}})).body);
            QCOMPARE(cut["choices"][0]["message"]["content"].get<std::string>(), full.substr(0, 2));
        }
    }

    void errorsAreOpenAiShaped_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("param");
        QTest::newRow("not json") << "POST" << "/v1/chat/completions" << "{oops" << 400 << "";
        QTest::newRow("no messages") << "POST" << "/v1/chat/completions" << "{}" << 400 << "messages";
        QTest::newRow("empty messages") << "POST" << "/v1/chat/completions" << R"({"messages":[]})" << 400 << "messages";
        QTest::newRow("bad role") << "POST" << "/v1/chat/completions"
                                  << R"({"messages":[{"role":"tool","content":"x"}]})" << 400 << "messages";
        QTest::newRow("bad temperature") << "POST" << "/v1/chat/completions"
                                         << R"({"messages":[{"role":"user","content":"x"}],"temperature":"hot"})"
                                         << 400 << "temperature";
        QTest::newRow("too many samples") << "POST" << "/v1/chat/completions"
                                          << R"({"messages":[{"role":"user","content":"x"}],"n":1000})" << 400 << "n";
        QTest::newRow("wrong method") << "GET" << "/v1/chat/completions" << "" << 405 << "";
        QTest::newRow("unknown path") << "GET" << "/v1/embeddings" << "" << 404 << "";
    }
    void errorsAreOpenAiShaped()
    {
        QFETCH(QString, method);
        QFETCH(QString, path);
        QFETCH(QString, body);
        QFETCH(int, status);
        QFETCH(QString, param);
        static std::unique_ptr<LocalChatServer> server = [] {
            ChatServerOptions o;
            o.checkpoint = checkpoint();
            o.port = 0;
            o.device = "cpu";
            auto s = std::make_unique<LocalChatServer>(o);
            s->start();
            return s;
        }();
        HttpClient http(1);
        HttpRequest r;
        r.method = method.toStdString();
        r.url = server->baseUrl() + path.toStdString();
        r.body = body.toStdString();
        const auto resp = http.perform(r);
        QCOMPARE(resp.status, long(status));
        const auto j = nlohmann::json::parse(resp.body);
        QVERIFY(j["error"]["message"].is_string());
        QVERIFY(!j["error"]["message"].get<std::string>().empty());
        if (!param.isEmpty())
            QCOMPARE(QString::fromStdString(j["error"]["param"].get<std::string>()), param);
    }

    void badCheckpointIsAClearError()
    {
        QTemporaryDir empty;
        ChatServerOptions o;
        o.checkpoint = empty.path().toStdString();
        try {
            LocalChatServer s(o);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(empty.path()), e.what());
        }
    }

    void cliServesUntilCtrlC()
    {
        QProcess p;
        p.setProgram(QString::fromStdString(hwtest::cliPath()));
        p.setArguments({"serve", "--checkpoint", QString::fromStdString(checkpoint()), "--port", "0", "--device", "cpu"});
        p.start();
        QVERIFY(p.waitForStarted());
        QVERIFY2(p.waitForReadyRead(60000), qPrintable(p.readAllStandardError()));
        const QString line = QString::fromUtf8(p.readLine()).trimmed();
        QVERIFY2(line.startsWith("serving ") && line.contains(" at http://127.0.0.1:"), qPrintable(line));
        const std::string url = line.mid(line.indexOf("http://")).toStdString();
        HttpClient http(1);
        const auto r = post(http, url + "/chat/completions", chatBody());
        QCOMPARE(r.status, 200L);
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains("stopped after"));
    }

    void cliDeviceOption()
    {
        QProcess p;
        p.start(QString::fromStdString(hwtest::cliPath()),
                {"serve", "--checkpoint", QString::fromStdString(checkpoint()), "--port", "0", "--device", "gpu"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains("'gpu'") && err.contains("expected cpu, cuda"), err.constData());
        if (!torch::cuda::is_available()) {
            p.start(QString::fromStdString(hwtest::cliPath()),
                    {"serve", "--checkpoint", QString::fromStdString(checkpoint()), "--port", "0", "--device", "cuda"});
            QVERIFY(p.waitForFinished(60000));
            QCOMPARE(p.exitCode(), 1);
            QVERIFY(p.readAllStandardError().contains("no CUDA"));
        }
    }
};

QTEST_APPLESS_MAIN(TestServe)
#include "tst_core_serve.moc"
