// hindsight serve: an OpenAI-compatible server for a local checkpoint, answering the pipeline's
// own LLM client over real HTTP on 127.0.0.1 (ephemeral port), with n, seed, streaming (SSE),
// errors; hostile input (4xx, never 500), browser defences (Host, Origin, Content-Type), the
// bearer token, limits; the official openai npm package as a client (skipped without node and
// tests/npm/node_modules); and the CLI verb started as a process and stopped with Ctrl+C.
#include "core/llm/llm_client.h"
#include "core/net/http_client.h"
#include "core/offline/in_flight_budget.h"
#include "core/offline/local_chat_server.h"
#include "core/util/error.h"
#include "support/test_paths.h"
#include "core/train/lm_training_job.h"
#include "support/lm_corpus.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>

#include <csignal>
#include <filesystem>

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

std::unique_ptr<LocalChatServer> startServer(ChatServerOptions o = {})
{
    o.checkpoint = checkpoint();
    o.port = 0;
    o.device = "cpu";
    auto s = std::make_unique<LocalChatServer>(o);
    s->start();
    return s;
}

HttpResponse send(const std::string& method, const std::string& url, const std::string& body, HttpHeaders headers)
{
    HttpClient http(1);
    HttpRequest r;
    r.method = method;
    r.url = url;
    r.headers = std::move(headers);
    r.body = body;
    r.timeoutMs = 60000;
    return http.perform(r);
}

const HttpHeaders kJson = {{"Content-Type", "application/json"}};

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
        QTRY_VERIFY_WITH_TIMEOUT(server.requestsServed() >= 2, 60000); // counted once the reply is fully sent
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
        if (r.method == "POST")
            r.headers = kJson;
        const auto resp = http.perform(r);
        QCOMPARE(resp.status, long(status));
        const auto j = nlohmann::json::parse(resp.body);
        QVERIFY(j["error"]["message"].is_string());
        QVERIFY(!j["error"]["message"].get<std::string>().empty());
        if (!param.isEmpty())
            QCOMPARE(QString::fromStdString(j["error"]["param"].get<std::string>()), param);
    }

    // Client errors are 4xx with an OpenAI error body, never 500; the server keeps serving.
    void hostileRequestsAre4xx_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("param");
        const QByteArray user = R"({"messages":[{"role":"user","content":"hi"}])";
        QTest::newRow("max_tokens 1e400") << user + R"(,"max_tokens":1e400})" << 400 << "";
        QTest::newRow("max_tokens 1e7") << user + R"(,"max_tokens":1e7})" << 400 << "max_tokens";
        QTest::newRow("max_tokens 0") << user + R"(,"max_tokens":0})" << 400 << "max_tokens";
        QTest::newRow("n 1e300") << user + R"(,"n":1e300})" << 400 << "n";
        QTest::newRow("temperature -1") << user + R"(,"temperature":-1})" << 400 << "temperature";
        QTest::newRow("invalid UTF-8") << QByteArray("{\"messages\":[{\"role\":\"user\",\"content\":\"\xff\xfe\xc3\"}]}") << 400 << "";
        QTest::newRow("lone surrogate") << QByteArray(R"({"messages":[{"role":"user","content":"\ud800"}]})") << 400 << "";
        QTest::newRow("binary junk") << QByteArray("\x00\x01\xff{\x80\x1b[2Jjunk\x00", 14) << 400 << "";
        QTest::newRow("five stop strings") << user + R"(,"stop":["a","b","c","d","e"]})" << 400 << "stop";
        QTest::newRow("prompt over the context")
            << QByteArray(R"({"messages":[{"role":"user","content":")") + QByteArray("anxious exams ").repeated(3000) + "\"}]}"
            << 400 << "messages";
        QTest::newRow("deeply nested") << QByteArray(R"({"messages":)") + QByteArray(20000, '[') + QByteArray(20000, ']') + "}"
                                       << 400 << "messages";
    }
    void hostileRequestsAre4xx()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, param);
        static auto server = startServer();
        const auto r = send("POST", server->baseUrl() + "/v1/chat/completions", body.toStdString(), kJson);
        QCOMPARE(r.status, long(status));
        const auto j = nlohmann::json::parse(r.body); // valid JSON even when the input was not UTF-8
        QVERIFY(!j["error"]["message"].get<std::string>().empty());
        if (!param.isEmpty())
            QCOMPARE(QString::fromStdString(j["error"]["param"].get<std::string>()), param);
        QCOMPARE(send("POST", server->baseUrl() + "/v1/chat/completions", chatBody().dump(), kJson).status, 200L);
    }

    void extremeButValidNumbers()
    {
        auto server = startServer();
        const std::string url = server->baseUrl() + "/v1/chat/completions";
        // 1e-320 (a denormal) would overflow the logits: it is greedy decoding, like 0.
        const auto tiny = send("POST", url, chatBody({{"temperature", 1e-320}}).dump(), kJson);
        QCOMPARE(tiny.status, 200L);
        const auto greedy = send("POST", url, chatBody({{"temperature", 0}}).dump(), kJson);
        QCOMPARE(nlohmann::json::parse(tiny.body)["choices"], nlohmann::json::parse(greedy.body)["choices"]);
        // A seed above INT64_MAX is a valid uint64 seed.
        QCOMPARE(send("POST", url, R"({"messages":[{"role":"user","content":"hi"}],"seed":1e19,"max_tokens":4})", kJson).status, 200L);
    }

    void limits()
    {
        ChatServerOptions o;
        o.maxBodyBytes = 64 * 1024;
        o.maxInFlightTokens = 10; // less than any one request needs
        auto server = startServer(o);
        const std::string url = server->baseUrl() + "/v1/chat/completions";
        auto big = chatBody();
        big["messages"][1]["content"] = std::string(100 * 1024, 'a');
        auto r = send("POST", url, big.dump(), kJson);
        QCOMPARE(r.status, 413L);
        QVERIFY2(nlohmann::json::parse(r.body)["error"]["message"].get<std::string>().find("65536") != std::string::npos, r.body.c_str());
        r = send("POST", url, chatBody().dump(), kJson);
        QCOMPARE(r.status, 413L);
        QVERIFY2(r.body.find("in-flight budget") != std::string::npos, r.body.c_str());
    }

    void inFlightBudgetReservations()
    {
        InFlightBudget budget(100);
        auto a = budget.tryReserve(60);
        QVERIFY(a);
        QVERIFY(!budget.tryReserve(41)); // would exceed: the caller answers 429
        auto b = budget.tryReserve(40);
        QVERIFY(b);
        QCOMPARE(budget.inUse(), int64_t(100));
        auto copy = a; // a stream keeps its reservation in a copy
        a.reset();
        QCOMPARE(budget.inUse(), int64_t(100));
        copy.reset();
        QCOMPARE(budget.inUse(), int64_t(40));
        QVERIFY(budget.tryReserve(60));
    }

    // A web page in the user's browser must not be able to use the model.
    void browserDefences()
    {
        auto server = startServer();
        const std::string base = server->baseUrl();
        const std::string port = std::to_string(server->port());
        const std::string url = base + "/v1/chat/completions";
        const std::string body = chatBody().dump();
        auto code = [](const HttpResponse& r) { return nlohmann::json::parse(r.body)["error"]["code"]; };

        auto r = send("POST", url, body, {{"Content-Type", "text/plain"}}); // a "simple" cross-site POST
        QCOMPARE(r.status, 415L);
        r = send("POST", url, body, {{"Content-Type", "application/x-www-form-urlencoded"}});
        QCOMPARE(r.status, 415L);
        QCOMPARE(send("POST", url, body, {{"Content-Type", "Application/JSON; charset=utf-8"}}).status, 200L);

        r = send("GET", base + "/v1/models", "", {{"Host", "evil.example:" + port}}); // DNS rebinding
        QCOMPARE(r.status, 403L);
        QCOMPARE(code(r), nlohmann::json("host_not_allowed"));
        QCOMPARE(send("GET", base + "/v1/models", "", {{"Host", "127.0.0.1:1"}}).status, 403L);
        QCOMPARE(send("GET", base + "/v1/models", "", {{"Host", "localhost:" + port}}).status, 200L);
        QCOMPARE(send("GET", base + "/v1/models", "", {{"Host", "[::1]:" + port}}).status, 200L);

        r = send("POST", url, body, {{"Content-Type", "application/json"}, {"Origin", "http://evil.example"}});
        QCOMPARE(r.status, 403L);
        QCOMPARE(code(r), nlohmann::json("origin_not_allowed"));
        r = send("OPTIONS", url, "", {{"Origin", "http://evil.example"}, {"Access-Control-Request-Method", "POST"},
                                      {"Access-Control-Request-Headers", "content-type"}});
        QCOMPARE(r.status, 403L);
        for (const auto& resp : {r, send("GET", base + "/v1/models", "", {})})
            for (const auto& [k, v] : resp.headers)
                QVERIFY2(k.rfind("Access-Control-", 0) != 0 && k.rfind("access-control-", 0) != 0, k.c_str());
    }

    void bearerToken()
    {
        ChatServerOptions o;
        o.apiKey = "test-key-123";
        auto server = startServer(o);
        const std::string models = server->baseUrl() + "/v1/models";
        auto r = send("GET", models, "", {});
        QCOMPARE(r.status, 401L);
        QCOMPARE(r.header("WWW-Authenticate").value_or(""), std::string("Bearer"));
        QCOMPARE(nlohmann::json::parse(r.body)["error"]["code"], nlohmann::json("invalid_api_key"));
        QCOMPARE(send("GET", models, "", {{"Authorization", "Bearer test-key-12"}}).status, 401L);
        QCOMPARE(send("GET", models, "", {{"Authorization", "Bearer test-key-1234"}}).status, 401L);
        QCOMPARE(send("GET", models, "", {{"Authorization", "Basic test-key-123"}}).status, 401L);
        QCOMPARE(send("GET", models, "", {{"Authorization", "Bearer test-key-123"}}).status, 200L);
        QCOMPARE(send("GET", server->baseUrl() + "/health", "", {}).status, 200L); // the probe needs no key

        // The pipeline's client, with the same --api-key-env convention.
        qputenv("HW_TEST_SERVE_KEY", "test-key-123");
        auto profile = resolveEndpoint(server->baseUrl() + "/v1", server->modelName(), EndpointProfiles());
        profile.apiKeyEnv = "HW_TEST_SERVE_KEY";
        LlmClient client(profile);
        ChatRequest req;
        req.messages = {{"user", "I feel sad."}};
        req.maxTokens = 8;
        const ChatResponse reply = client.chat(req); // throws LlmError (401) if the key were not sent
        QVERIFY(reply.completionTokens > 0);
        QCOMPARE(client.counters().requests, int64_t(1));
    }

    void modelsDoNotDiscloseLocalPaths()
    {
        auto server = startServer();
        const auto r = send("GET", server->baseUrl() + "/v1/models", "", {});
        QCOMPARE(r.status, 200L);
        const std::string dir = std::filesystem::path(checkpoint()).lexically_normal().string();
        QVERIFY2(r.body.find(dir) == std::string::npos, r.body.c_str());
        QVERIFY2(r.body.find(std::filesystem::path(dir).parent_path().string()) == std::string::npos, r.body.c_str());
        const auto j = nlohmann::json::parse(r.body);
        QVERIFY(!j["data"][0].contains("root"));
        QCOMPARE(j["data"][0]["id"].get<std::string>(), server->modelName());
    }

    // The official OpenAI client (npm "openai") against `serve`: models, a completion, a stream,
    // and a wrong key.
    void officialOpenAiNodeClient()
    {
        const QString node = QStandardPaths::findExecutable("node");
        const QString npmDir = QString::fromStdString(hwtest::testDataDir()) + "/../npm";
        if (node.isEmpty())
            QSKIP("node is not installed");
        if (!QFile::exists(npmDir + "/node_modules/openai/package.json"))
            QSKIP("the openai npm package is not installed (packaging/test.sh runs npm ci in tests/npm)");
        ChatServerOptions o;
        o.apiKey = "npm-key-456";
        o.modelName = "tiny-policy";
        auto server = startServer(o);
        QProcess p;
        p.setWorkingDirectory(npmDir);
        p.start(node, {"chat.mjs", QString::fromStdString(server->baseUrl() + "/v1"), "npm-key-456"});
        QVERIFY(p.waitForStarted());
        QVERIFY2(p.waitForFinished(180000), p.readAllStandardError().constData());
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(p.exitCode() == 0, err.constData());
        const auto out = nlohmann::json::parse(p.readAllStandardOutput().trimmed().toStdString());
        QCOMPARE(out["models"], nlohmann::json::array({"tiny-policy"}));
        // The same greedy request from our own client gives the same turn.
        auto body = chatBody({{"max_tokens", 16}, {"temperature", 0}});
        const auto ours = send("POST", server->baseUrl() + "/v1/chat/completions", body.dump(),
                               {{"Content-Type", "application/json"}, {"Authorization", "Bearer npm-key-456"}});
        QCOMPARE(ours.status, 200L);
        const auto oursJson = nlohmann::json::parse(ours.body);
        QCOMPARE(out["content"], oursJson["choices"][0]["message"]["content"]);
        QCOMPARE(out["finish"], oursJson["choices"][0]["finish_reason"]);
        QVERIFY(out["promptTokens"].get<int>() > 0);
        QCOMPARE(out["streamed"], out["content"]);
        QCOMPARE(out["streamFinish"], out["finish"]);
        QVERIFY(out["chunks"].get<int>() >= 2);
        QCOMPARE(out["wrongKeyStatus"], nlohmann::json(401));
    }

    void cliAuthOptions()
    {
        const QString ckpt = QString::fromStdString(checkpoint());
        auto run = [&](const QStringList& args, const QProcessEnvironment& env) {
            QProcess p;
            p.setProcessEnvironment(env);
            p.start(QString::fromStdString(hwtest::cliPath()), QStringList{"serve", "--checkpoint", ckpt, "--port", "0"} + args);
            p.waitForFinished(60000);
            return std::make_pair(p.exitCode(), QString::fromUtf8(p.readAllStandardError()));
        };
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("HW_SERVE_KEY_SURELY_UNSET");
        auto [code, err] = run({"--api-key-env", "HW_SERVE_KEY_SURELY_UNSET"}, env);
        QCOMPARE(code, 1);
        QVERIFY2(err.contains("HW_SERVE_KEY_SURELY_UNSET") && err.contains("not set"), qPrintable(err));
        env.insert("HW_SERVE_KEY_EMPTY", "");
        std::tie(code, err) = run({"--api-key-env", "HW_SERVE_KEY_EMPTY"}, env);
        QCOMPARE(code, 1);
        QVERIFY2(err.contains("HW_SERVE_KEY_EMPTY") && err.contains("empty"), qPrintable(err));
        std::tie(code, err) = run({"--host", "0.0.0.0"}, env); // refused before binding anything
        QCOMPARE(code, 1);
        QVERIFY2(err.contains("refusing to listen on 0.0.0.0") && err.contains("--api-key-env"), qPrintable(err));
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
