// Our HTTP and LLM clients against a server not written by us: Python's http.server answering
// with OpenAI response bodies (tests/support/recorded_openai_server.py), over real HTTP on
// 127.0.0.1. Skips when python3 is not installed.
#include "core/llm/llm_client.h"
#include "core/net/http_client.h"
#include "support/test_paths.h"

#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

using namespace hw;

namespace {

const char* kKeyVar = "HW_INTEROP_TEST_KEY";
const char* kKey = "sk-interop-0123456789abcdef";

} // namespace

class TestHttpInterop : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        const QString python = QStandardPaths::findExecutable("python3");
        if (python.isEmpty())
            QSKIP("python3 not installed");
        const QString script = QString::fromStdString(hwtest::testDataDir()) + "/../support/recorded_openai_server.py";
        QVERIFY(QFile::exists(script));
        m_server.start(python, {script, QString::fromStdString(hwtest::testDataDir()) + "/openai"});
        QVERIFY(m_server.waitForStarted());
        QVERIFY2(m_server.waitForReadyRead(30000), m_server.readAllStandardError().constData());
        const QString line = QString::fromUtf8(m_server.readLine()).trimmed();
        QVERIFY2(line.startsWith("PORT "), qPrintable(line));
        m_base = "http://127.0.0.1:" + line.mid(5).toStdString();
        m_expected = nlohmann::json::parse(readFixture("chat_completion.json"));
        qputenv(kKeyVar, kKey);
    }

    void cleanupTestCase()
    {
        if (m_server.state() != QProcess::NotRunning) {
            m_server.closeWriteChannel(); // the script stops when its stdin closes
            if (!m_server.waitForFinished(10000))
                m_server.kill();
        }
    }

    void plainHttpClient()
    {
        HttpClient http(2);
        HttpRequest r;
        r.url = m_base + "/v1/chat/completions";
        r.headers = {{"Content-Type", "application/json"}};
        r.body = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})";
        const HttpResponse resp = http.perform(r);
        QCOMPARE(resp.status, 200L);
        QCOMPARE(nlohmann::json::parse(resp.body), m_expected);
        // Chunked framing from a server not written by us.
        r.body = R"({"model":"chunked","messages":[{"role":"user","content":"hi"}]})";
        const HttpResponse chunked = http.perform(r);
        QCOMPARE(chunked.status, 200L);
        QCOMPARE(nlohmann::json::parse(chunked.body), m_expected);
    }

    void llmClientReadsTheRecordedCompletion()
    {
        LlmClient client(profile("gpt-4o-mini"));
        ChatRequest req;
        req.messages = {{"system", "You are a counselor."}, {"user", "I am worried about my exams."}};
        req.temperature = 0.0;
        req.useCache = false;
        const ChatResponse r = client.chat(req);
        QCOMPARE(r.content, m_expected["choices"][0]["message"]["content"].get<std::string>());
        QCOMPARE(r.finishReason, std::string("stop"));
        QCOMPARE(r.promptTokens, int64_t(27));
        QCOMPARE(r.completionTokens, int64_t(17));
        QCOMPARE(r.attempts, 1);

        // What the server received: an OpenAI request as the API documents it.
        const nlohmann::json last = received().back();
        QCOMPARE(last["path"].get<std::string>(), std::string("/v1/chat/completions"));
        QCOMPARE(last["headers"]["authorization"].get<std::string>(), std::string("Bearer ") + kKey);
        QVERIFY(last["headers"]["content-type"].get<std::string>().rfind("application/json", 0) == 0);
        const auto body = nlohmann::json::parse(last["body"].get<std::string>());
        QCOMPARE(body["model"].get<std::string>(), std::string("gpt-4o-mini"));
        QCOMPARE(body["messages"].size(), size_t(2));
        QCOMPARE(body["messages"][1]["role"].get<std::string>(), std::string("user"));
    }

    void llmClientHonoursRetryAfter()
    {
        RetryPolicy retry;
        retry.baseDelayMs = 1;
        LlmClient client(profile("rate-limited"), nullptr, retry);
        ChatRequest req;
        req.messages = {{"user", "hello"}};
        req.useCache = false;
        const ChatResponse r = client.chat(req);
        QCOMPARE(r.attempts, 2); // the 429, then the completion
        QCOMPARE(r.content, m_expected["choices"][0]["message"]["content"].get<std::string>());
        QCOMPARE(client.counters().retries, int64_t(1));
    }

    void llmClientReportsAnAuthErrorOnce()
    {
        LlmClient client(profile("bad-key"));
        ChatRequest req;
        req.messages = {{"user", "hello"}};
        req.useCache = false;
        try {
            client.chat(req);
            QFAIL("expected an LlmError");
        } catch (const LlmError& e) {
            QCOMPARE(e.status(), 401L);
            QVERIFY(e.fatal());
            QCOMPARE(e.attempts(), 1); // 401 is not retried
            QVERIFY2(QString(e.what()).contains("Incorrect API key provided"), e.what());
            QVERIFY2(!QString(e.what()).contains(kKey), e.what()); // our key is never echoed
        }
    }

private:
    EndpointProfile profile(const std::string& model) const
    {
        EndpointProfile p;
        p.baseUrl = m_base + "/v1";
        p.model = model;
        p.apiKeyEnv = kKeyVar;
        p.timeoutS = 30;
        return p;
    }

    nlohmann::json received() const
    {
        HttpClient http(1);
        HttpRequest r;
        r.method = "GET";
        r.url = m_base + "/_requests";
        return nlohmann::json::parse(http.perform(r).body);
    }

    static std::string readFixture(const char* name)
    {
        QFile f(QString::fromStdString(hwtest::testDataDir()) + "/openai/" + name);
        if (!f.open(QIODevice::ReadOnly))
            return "{}";
        return f.readAll().toStdString();
    }

    QProcess m_server;
    std::string m_base;
    nlohmann::json m_expected;
};

QTEST_APPLESS_MAIN(TestHttpInterop)
#include "tst_core_http_interop.moc"
