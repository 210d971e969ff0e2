// LlmClient against the fake OpenAI-compatible server: replies, token and cost accounting,
// retries (429 + Retry-After, 5xx, timeouts, malformed JSON), no retry on other 4xx, error text,
// secret masking, the call cache (second run sends nothing), cancellation, concurrency,
// endpoint profiles and the connection test.
#include "core/llm/call_cache.h"
#include "core/llm/endpoint_profile.h"
#include "core/llm/llm_client.h"
#include "core/llm/retry_policy.h"
#include "core/store/database.h"
#include "support/fake_llm_server.h"
#include "support/test_paths.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

using namespace hw;
using hwtest::FakeLlmServer;
using hwtest::FakeReply;
using Clock = std::chrono::steady_clock;

namespace {

double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// Polls a condition that another thread makes true (at most two minutes, so a broken test ends).
template <class F>
void waitUntil(F done)
{
    for (int i = 0; i < 12000 && !done(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

EndpointProfile profileFor(const FakeLlmServer& server)
{
    EndpointProfile p;
    p.name = "fake";
    p.baseUrl = server.baseUrl();
    p.model = "fake-model";
    p.timeoutS = 5;
    p.maxInFlight = 4;
    return p;
}

RetryPolicy fastRetry()
{
    RetryPolicy r;
    r.baseDelayMs = 5;
    r.maxDelayMs = 50;
    return r;
}

ChatRequest ask(const std::string& text)
{
    ChatRequest r;
    r.messages = {{"system", "be brief"}, {"user", text}};
    r.label = "test item";
    return r;
}

} // namespace

class TestLlm : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // Keep the user's real settings out of the tests.
        QVERIFY(m_config.isValid());
        qputenv("HW_CONFIG_DIR", m_config.path().toUtf8());
    }

    void chatReturnsContentTokensAndCost()
    {
        FakeLlmServer server([](const hwtest::FakeCall&) {
            FakeReply r = FakeReply::text("Hello there");
            r.promptTokens = 1000;
            r.completionTokens = 2000;
            return r;
        });
        EndpointProfile p = profileFor(server);
        p.pricePromptPer1k = 0.5;
        p.priceCompletionPer1k = 1.5;
        LlmClient llm(p);
        const ChatResponse r = llm.chat(ask("hi"));
        QCOMPARE(r.content, std::string("Hello there"));
        QCOMPARE(r.promptTokens, int64_t(1000));
        QCOMPARE(r.completionTokens, int64_t(2000));
        QCOMPARE(r.cost, 3.5);
        QCOMPARE(r.attempts, 1);
        QCOMPARE(r.finishReason, std::string("stop"));
        QVERIFY(!r.fromCache);
        QVERIFY(r.latencyMs > 0);
        const auto c = llm.counters();
        QCOMPARE(c.requests, int64_t(1));
        QCOMPARE(c.cost, 3.5);
        QCOMPARE(server.answered(), int64_t(1));

        // The request as the server saw it.
        const auto call = server.calls().front();
        QCOMPARE(call.path, std::string("/v1/chat/completions"));
        QCOMPARE(call.model, std::string("fake-model"));
        QCOMPARE(call.messages.size(), size_t(2));
        QCOMPARE(call.messages[1].second, std::string("hi"));
        QCOMPARE(call.json["temperature"].get<double>(), 0.7);
        QCOMPARE(call.json["max_tokens"].get<int>(), 1024);
    }

    void seedAndOverrides()
    {
        FakeLlmServer server;
        EndpointProfile p = profileFor(server);
        p.extraBody = {{"top_p", 0.9}};
        LlmClient llm(p);
        ChatRequest r = ask("x");
        r.seed = 42;
        r.temperature = 0.1;
        r.maxTokens = 7;
        llm.chat(r);
        auto j = server.calls().back().json;
        QCOMPARE(j["seed"].get<uint64_t>(), uint64_t(42));
        QCOMPARE(j["temperature"].get<double>(), 0.1);
        QCOMPARE(j["max_tokens"].get<int>(), 7);
        QCOMPARE(j["top_p"].get<double>(), 0.9);

        p.sendSeed = false;
        LlmClient noSeed(p);
        noSeed.chat(r);
        QVERIFY(!server.calls().back().json.contains("seed"));
        // The key still depends on the seed even when it is not sent.
        ChatRequest other = r;
        other.seed = 43;
        QVERIFY(noSeed.requestHash(r) != noSeed.requestHash(other));
    }

    void apiKeyFromEnvironmentOnlyInHeader()
    {
        FakeLlmServer server;
        EndpointProfile p = profileFor(server);
        p.apiKeyEnv = "HW_TEST_KEY";
        qputenv("HW_TEST_KEY", "sk-test-SECRET0123456789");
        LlmClient llm(p);
        llm.chat(ask("x"));
        const auto call = server.calls().back();
        QCOMPARE(hw::findHeader(call.headers, "authorization").value_or(""), std::string("Bearer sk-test-SECRET0123456789"));
        QVERIFY(call.body.find("SECRET") == std::string::npos);
        QVERIFY(nlohmann::json(p).dump().find("SECRET") == std::string::npos);
        qunsetenv("HW_TEST_KEY");
    }

    void retriesOn5xxThenSucceeds()
    {
        FakeLlmServer server;
        server.enqueue(FakeReply::error(500));
        server.enqueue(FakeReply::error(502));
        server.enqueue(FakeReply::error(503));
        LlmClient llm(profileFor(server), nullptr, fastRetry());
        const ChatResponse r = llm.chat(ask("x"));
        QCOMPARE(r.attempts, 4);
        QCOMPARE(r.content, std::string("pong"));
        QCOMPARE(server.received(), int64_t(4));
        QCOMPARE(server.faults(), int64_t(3));
        QCOMPARE(llm.counters().retries, int64_t(3));
    }

    void honoursRetryAfter_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<int>("minMs");
        QTest::newRow("seconds") << QByteArray("Retry-After") << QByteArray("1") << 1000;
        QTest::newRow("fraction") << QByteArray("Retry-After") << QByteArray("0.4") << 400;
        QTest::newRow("retry-after-ms") << QByteArray("retry-after-ms") << QByteArray("300") << 300;
    }
    void honoursRetryAfter()
    {
        QFETCH(QByteArray, header);
        QFETCH(QByteArray, value);
        QFETCH(int, minMs);
        FakeLlmServer server;
        server.enqueue(FakeReply::error(429, {{header.toStdString(), value.toStdString()}}));
        LlmClient llm(profileFor(server), nullptr, fastRetry());
        const auto t0 = Clock::now();
        const ChatResponse r = llm.chat(ask("x"));
        const double took = msSince(t0);
        // A lower bound only: a sleep is never shorter than asked, however busy the machine; an
        // upper bound would fail under load. The server's wait is what the client was told.
        QVERIFY2(took >= minMs, qPrintable(QString::number(took)));
        QCOMPARE(r.attempts, 2);
    }

    void retryAfterParsing()
    {
        QCOMPARE(*RetryPolicy::parseRetryAfterMs("2"), 2000.0);
        QCOMPARE(*RetryPolicy::parseRetryAfterMs(" 0.5 "), 500.0);
        QVERIFY(!RetryPolicy::parseRetryAfterMs("soon"));
        QVERIFY(!RetryPolicy::parseRetryAfterMs("-1"));
        // HTTP-date, 30 s after "now"
        const std::time_t now = 1445412450; // Wed, 21 Oct 2015 07:27:30 GMT
        QCOMPARE(*RetryPolicy::parseRetryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT", now), 30000.0);
        QCOMPARE(*RetryPolicy::parseRetryAfterMs("Wed, 21 Oct 2015 07:00:00 GMT", now), 0.0);
        RetryPolicy p;
        p.baseDelayMs = 100;
        p.maxDelayMs = 1000;
        p.jitter = 0.25;
        std::mt19937_64 rng(1);
        for (int attempt = 1; attempt <= 6; ++attempt) {
            const double expected = std::min(1000.0, 100.0 * std::pow(2.0, attempt - 1));
            for (int i = 0; i < 50; ++i) {
                const double d = p.delayMs(attempt, std::nullopt, rng);
                QVERIFY(d >= expected * 0.75 - 1e-9 && d <= expected * 1.25 + 1e-9);
            }
        }
        const double ra = p.delayMs(1, 5000.0, rng);
        QVERIFY(ra >= 5000 && ra <= 5000 * 1.25);
        QVERIFY(RetryPolicy::retryableStatus(429) && RetryPolicy::retryableStatus(500) && RetryPolicy::retryableStatus(503)
                && RetryPolicy::retryableStatus(599));
        for (long status : {400L, 401L, 403L, 404L, 408L, 409L, 413L, 422L, 499L})
            QVERIFY2(!RetryPolicy::retryableStatus(status), qPrintable(QString::number(status)));
    }

    void slowReplyPastTimeoutIsRetried()
    {
        FakeLlmServer server;
        // A reply that would come a minute late: only the client's own timeout can end the first
        // attempt and make the retry's "pong" the answer (no clock read in the test).
        server.enqueue(FakeReply::slow(60000, "too late"));
        EndpointProfile p = profileFor(server);
        p.timeoutS = 1.0;
        LlmClient llm(p, nullptr, fastRetry());
        const ChatResponse r = llm.chat(ask("x"));
        QCOMPARE(r.attempts, 2);
        QCOMPARE(r.content, std::string("pong"));
    }

    void malformedJsonIsRetriedThenReported()
    {
        FakeLlmServer server;
        server.enqueue(FakeReply::malformed());
        LlmClient llm(profileFor(server), nullptr, fastRetry());
        QCOMPARE(llm.chat(ask("x")).attempts, 2);

        EndpointProfile p = profileFor(server);
        p.maxAttempts = 3;
        LlmClient three(p, nullptr, fastRetry());
        for (int i = 0; i < 3; ++i)
            server.enqueue(FakeReply::malformed("{\"choices\": []}"));
        try {
            three.chat(ask("x"));
            QFAIL("expected LlmError");
        } catch (const LlmError& e) {
            QCOMPARE(e.kind(), LlmError::Kind::BadReply);
            QCOMPARE(e.attempts(), 3);
            QVERIFY2(QString(e.what()).contains("reply has no choices"), e.what());
            QVERIFY(!e.fatal());
        }
    }

    void clientErrorsAreNotRetried_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("fatal");
        QTest::newRow("400") << 400 << false;
        QTest::newRow("401") << 401 << true;
        QTest::newRow("403") << 403 << true;
        QTest::newRow("404") << 404 << true;
        QTest::newRow("408") << 408 << false;
        QTest::newRow("409") << 409 << false;
        QTest::newRow("422") << 422 << false;
    }
    void clientErrorsAreNotRetried()
    {
        QFETCH(int, status);
        QFETCH(bool, fatal);
        FakeLlmServer server;
        server.enqueue(FakeReply::error(status, {}, "{\"error\":{\"message\":\"bad things happened\"}}"));
        LlmClient llm(profileFor(server), nullptr, fastRetry());
        try {
            llm.chat(ask("x"));
            QFAIL("expected LlmError");
        } catch (const LlmError& e) {
            const QString msg = e.what();
            QCOMPARE(e.kind(), LlmError::Kind::Http);
            QCOMPARE(e.status(), long(status));
            QCOMPARE(e.attempts(), 1);
            QCOMPARE(e.fatal(), fatal);
            // The error names the request.
            QVERIFY2(msg.contains(QString::fromStdString(server.baseUrl() + "/chat/completions")), qPrintable(msg));
            QVERIFY2(msg.contains("model fake-model"), qPrintable(msg));
            QVERIFY2(msg.contains("test item"), qPrintable(msg));
            QVERIFY2(msg.contains("attempt 1/5"), qPrintable(msg));
            QVERIFY2(msg.contains("HTTP " + QString::number(status)), qPrintable(msg));
            QVERIFY2(msg.contains("bad things happened"), qPrintable(msg));
        }
        QCOMPARE(server.received(), int64_t(1));
    }

    void exhaustedRetriesNameTheLastProblem()
    {
        FakeLlmServer server;
        for (int i = 0; i < 5; ++i)
            server.enqueue(FakeReply::error(500, {}, "{\"error\":\"overloaded\"}"));
        LlmClient llm(profileFor(server), nullptr, fastRetry());
        try {
            llm.chat(ask("x"));
            QFAIL("expected LlmError");
        } catch (const LlmError& e) {
            QCOMPARE(e.kind(), LlmError::Kind::Exhausted);
            QCOMPARE(e.status(), 500L);
            QVERIFY2(QString(e.what()).contains("gave up after 5 attempts; last: HTTP 500: {\"error\":\"overloaded\"}"), e.what());
        }
        QCOMPARE(server.received(), int64_t(5));
        QCOMPARE(llm.counters().failures, int64_t(1));
    }

    void secretsAreMaskedInErrors()
    {
        // A server that echoes the credentials it got, as some do.
        FakeLlmServer server([](const hwtest::FakeCall& call) {
            return FakeReply::error(401, {}, "{\"error\":\"Incorrect API key provided: "
                                                 + hw::findHeader(call.headers, "authorization").value_or("") + "\"}");
        });
        EndpointProfile p = profileFor(server);
        p.apiKeyEnv = "HW_TEST_KEY2";
        qputenv("HW_TEST_KEY2", "my-very-private-key-42");
        LlmClient llm(p, nullptr, fastRetry());
        try {
            llm.chat(ask("x"));
            QFAIL("expected LlmError");
        } catch (const LlmError& e) {
            QVERIFY2(!QString(e.what()).contains("my-very-private-key-42"), e.what());
            QVERIFY2(QString(e.what()).contains("Incorrect API key provided"), e.what());
            QVERIFY(e.fatal());
        }
        const ConnectionTest t = testConnection(p);
        QVERIFY(!t.ok);
        QVERIFY2(t.message.find("my-very-private-key-42") == std::string::npos, t.message.c_str());
        qunsetenv("HW_TEST_KEY2");
    }

    void cacheReplaysAndSendsNothing()
    {
        FakeLlmServer server;
        MemoryCallCache cache;
        EndpointProfile p = profileFor(server);
        p.pricePromptPer1k = 1.0;
        {
            LlmClient llm(p, &cache);
            ChatRequest r = ask("same question");
            r.seed = 7;
            const ChatResponse a = llm.chat(r);
            QVERIFY(!a.fromCache);
            QVERIFY(a.cost > 0);
            QVERIFY(a.callId > 0);
            QCOMPARE(server.answered(), int64_t(1));
        }
        {
            // A second run (new client, same cache) sends zero requests.
            LlmClient llm(p, &cache);
            ChatRequest r = ask("same question");
            r.seed = 7;
            const ChatResponse b = llm.chat(r);
            QVERIFY(b.fromCache);
            QCOMPARE(b.cost, 0.0);
            QCOMPARE(b.content, std::string("pong"));
            QCOMPARE(server.received(), int64_t(1));
            QCOMPARE(llm.counters().cacheHits, int64_t(1));
            QCOMPARE(llm.counters().requests, int64_t(0));
            // A different sample index, seed, model or message is a different call.
            r.sampleIndex = 1;
            QVERIFY(!llm.chat(r).fromCache);
            r.seed = 8;
            QVERIFY(!llm.chat(r).fromCache);
            QCOMPARE(server.received(), int64_t(3));
            ChatRequest uncached = ask("same question");
            uncached.seed = 7;
            uncached.useCache = false;
            QVERIFY(!llm.chat(uncached).fromCache);
            QCOMPARE(server.received(), int64_t(4));
        }
        EndpointProfile other = p;
        other.model = "another-model";
        LlmClient llm(other, &cache);
        ChatRequest r = ask("same question");
        r.seed = 7;
        QVERIFY(!llm.chat(r).fromCache);
        QCOMPARE(cache.size(), size_t(4));
    }

    void projectCacheRecordsCalls()
    {
        QTemporaryDir dir;
        auto db = Database::create(dir.filePath("p.hwb").toStdString());
        db.exec("INSERT INTO jobs(kind) VALUES ('relabel')");
        std::mutex mutex;
        ProjectCallCache cache(db, mutex);
        FakeLlmServer server([](const hwtest::FakeCall&) {
            FakeReply r = FakeReply::text("cached answer");
            r.promptTokens = 10;
            r.completionTokens = 20;
            return r;
        });
        EndpointProfile p = profileFor(server);
        p.priceCompletionPer1k = 1.0;
        p.apiKeyEnv = "HW_TEST_KEY3";
        qputenv("HW_TEST_KEY3", "sk-never-in-the-project-file-1234");
        LlmClient llm(p, &cache);
        const ChatResponse r = llm.chat(ask("q"), StopToken(), 1);
        Statement st(db, "SELECT request_hash, endpoint, model, request, response, content, prompt_tokens, "
                         "completion_tokens, latency_ms, cost, job_id FROM llm_calls WHERE id = ?");
        st.bind(1, r.callId);
        QVERIFY(st.step());
        QCOMPARE(st.text(0), llm.requestHash(ask("q")));
        QCOMPARE(st.text(1), server.baseUrl() + "/chat/completions");
        QCOMPARE(st.text(2), std::string("fake-model"));
        QVERIFY(st.text(3).find("\"q\"") != std::string::npos);
        QVERIFY(st.text(4).find("cached answer") != std::string::npos);
        QCOMPARE(st.text(5), std::string("cached answer"));
        QCOMPARE(st.int64(6), int64_t(10));
        QCOMPARE(st.int64(7), int64_t(20));
        QVERIFY(st.real(8) > 0);
        QCOMPARE(st.real(9), 0.02);
        QCOMPARE(st.int64(10), int64_t(1));
        const auto again = llm.chat(ask("q"));
        QVERIFY(again.fromCache);
        QCOMPARE(again.callId, r.callId);
        QCOMPARE(again.promptTokens, int64_t(10));
        QCOMPARE(server.received(), int64_t(1));
        // No secret anywhere in the file's call log.
        Statement all(db, "SELECT request || response FROM llm_calls");
        while (all.step())
            QVERIFY(all.text(0).find("never-in-the-project") == std::string::npos);
        qunsetenv("HW_TEST_KEY3");
    }

    void cancellation()
    {
        FakeLlmServer server;
        // Stopped once the request is at the server (an event, not a time). The reply would come
        // after a minute with "OK": without a working cancel, chat() returns it instead of throwing.
        server.enqueue(FakeReply::slow(60000));
        LlmClient llm(profileFor(server), nullptr, fastRetry());
        StopToken stop;
        std::thread t([stop, &server] {
            waitUntil([&] { return server.received() >= 1; });
            stop.requestStop();
        });
        QVERIFY_THROWS_EXCEPTION(Cancelled, llm.chat(ask("x"), stop));
        t.join();

        // While backing off after a 429 that asks for a long wait: stopped once the 429 was sent.
        // Without a working cancel the retry after 30 s gets "pong" and chat() returns.
        server.enqueue(FakeReply::error(429, {{"Retry-After", "30"}}));
        StopToken stop2;
        std::thread t2([stop2, &server] {
            waitUntil([&] { return server.faults() >= 1; });
            stop2.requestStop();
        });
        QVERIFY_THROWS_EXCEPTION(Cancelled, llm.chat(ask("y"), stop2));
        t2.join();
        QCOMPARE(server.received(), int64_t(2)); // no retry was sent after the stop

        StopToken already;
        already.requestStop();
        QVERIFY_THROWS_EXCEPTION(Cancelled, llm.chat(ask("z"), already));
    }

    void manyThreadsRespectTheBound()
    {
        // The server holds every request until released, so the bound is reached whatever the
        // machine's speed (waiting for an event, not racing 30 ms replies).
        FakeLlmServer server;
        EndpointProfile p = profileFor(server);
        p.maxInFlight = 4;
        LlmClient llm(p);
        auto burst = [&](const std::string& prefix, int bound) {
            server.resetCounters();
            server.holdAfter(0);
            std::vector<std::thread> threads;
            std::atomic<int> ok{0};
            for (int i = 0; i < 16; ++i)
                threads.emplace_back([&, i] {
                    if (llm.chat(ask(prefix + std::to_string(i))).content == "pong")
                        ++ok;
                });
            waitUntil([&] { return server.held() >= bound; });
            const int64_t heldAtBound = server.held();
            // A client ignoring the bound sends more while these are held; this pause only gives
            // it the chance to show (a correct client sends nothing, however long we wait).
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            const int64_t receivedWhileHeld = server.received();
            server.release();
            for (auto& t : threads)
                t.join();
            QCOMPARE(heldAtBound, int64_t(bound));
            QCOMPARE(receivedWhileHeld, int64_t(bound));
            QCOMPARE(ok.load(), 16);
            QCOMPARE(server.maxConcurrent(), bound);
        };
        burst("q", 4);
        llm.setMaxInFlight(8);
        burst("r", 8);
    }

    // A profile with replicas: requests spread over the servers by requests in flight (both
    // held at once: 4 each), a server that fails is taken out and the call goes to another at
    // once, an unreachable one too; the cache key is the model's, so a replica replays another's
    // answer.
    void replicasShareTheLoadAndFailOver()
    {
        FakeLlmServer a, b;
        EndpointProfile p = profileFor(a);
        p.replicas = {b.baseUrl()};
        p.maxInFlight = 4;
        MemoryCallCache cache;
        // A retry pause of ten minutes: a failover that waited would hang the suite past its bound.
        RetryPolicy patient;
        patient.baseDelayMs = 600000;
        patient.maxDelayMs = 600000;
        LlmClient llm(p, &cache, patient);
        QCOMPARE(llm.replicaStats().size(), size_t(2));
        a.holdAfter(0);
        b.holdAfter(0);
        std::vector<std::thread> threads;
        std::atomic<int> ok{0};
        for (int i = 0; i < 8; ++i)
            threads.emplace_back([&, i] {
                if (llm.chat(ask("spread " + std::to_string(i))).content == "pong")
                    ++ok;
            });
        waitUntil([&] { return a.held() + b.held() >= 8; });
        QCOMPARE(a.held(), int64_t(4)); // the fewest in flight first: 4 and 4, not 8 and 0
        QCOMPARE(b.held(), int64_t(4));
        a.release();
        b.release();
        for (auto& t : threads)
            t.join();
        QCOMPARE(ok.load(), 8);

        // b answers 503: taken out; the call is answered by a without the retry pause.
        b.enqueue(FakeReply::error(503));
        const int64_t aBefore = a.answered();
        for (int i = 0; i < 4; ++i)
            QCOMPARE(llm.chat(ask("failover " + std::to_string(i))).content, std::string("pong"));
        QCOMPARE(b.received(), int64_t(4) + 1);     // the 503, then nothing while out
        QCOMPARE(a.answered() - aBefore, int64_t(4));
        const auto stats = llm.replicaStats();
        QCOMPARE(stats[1].failures, int64_t(1));
        QVERIFY(!stats[1].healthy);
        QVERIFY(stats[0].healthy);

        // The cache key does not name the server: a cached answer is found whoever gave it.
        const int64_t sent = a.received() + b.received();
        QVERIFY(llm.chat(ask("spread 3")).fromCache);
        QCOMPARE(a.received() + b.received(), sent);

        // An unreachable replica (nothing listens there any more): calls still succeed.
        std::string deadUrl;
        {
            FakeLlmServer gone;
            deadUrl = gone.baseUrl();
        }
        EndpointProfile q = profileFor(a);
        q.replicas = {deadUrl};
        LlmClient withDead(q, nullptr, patient);
        for (int i = 0; i < 4; ++i)
            QCOMPARE(withDead.chat(ask("dead " + std::to_string(i))).content, std::string("pong"));
        QCOMPARE(withDead.replicaStats()[1].failures, int64_t(1));
        QVERIFY(!withDead.replicaStats()[1].healthy);

        // Bad replica URLs are refused when the profile is checked.
        EndpointProfile bad = profileFor(a);
        bad.replicas = {"ftp://x/v1"};
        QVERIFY_THROWS_EXCEPTION(Error, bad.validate());
        bad.replicas = {a.baseUrl()};
        QVERIFY_THROWS_EXCEPTION(Error, bad.validate());
        // Profiles keep their replicas through endpoints.json.
        const nlohmann::json j = p;
        QCOMPARE(j.at("replicas").get<std::vector<std::string>>(), p.replicas);
    }

    void profilesSaveLoadResolve()
    {
        const std::string path = EndpointProfiles::defaultPath();
        QVERIFY(QString::fromStdString(path).startsWith(m_config.path()));
        EndpointProfiles profiles = EndpointProfiles::load(path); // missing file: empty
        QVERIFY(profiles.all().empty());
        EndpointProfile a;
        a.name = "local";
        a.baseUrl = "http://127.0.0.1:8000/v1";
        a.model = "m1";
        a.maxInFlight = 32;
        a.pricePromptPer1k = 0.1;
        profiles.upsert(a);
        EndpointProfile b = a;
        b.name = "openai";
        b.baseUrl = "https://api.openai.com/v1/";
        b.apiKeyEnv = "OPENAI_API_KEY";
        profiles.upsert(b);
        profiles.save(path);

        const auto loaded = EndpointProfiles::load(path);
        QCOMPARE(loaded.all().size(), size_t(2));
        QCOMPARE(loaded.find("local")->maxInFlight, 32);
        QCOMPARE(loaded.find("local")->pricePromptPer1k, 0.1);
        QCOMPARE(loaded.find("openai")->chatCompletionsUrl(), std::string("https://api.openai.com/v1/chat/completions"));

        QCOMPARE(resolveEndpoint("local", "", loaded).model, std::string("m1"));
        QCOMPARE(resolveEndpoint("local", "m2", loaded).model, std::string("m2"));
        const auto adhoc = resolveEndpoint("http://127.0.0.1:9/v1", "x", loaded);
        QCOMPARE(adhoc.baseUrl, std::string("http://127.0.0.1:9/v1"));
        QVERIFY_THROWS_EXCEPTION(Error, resolveEndpoint("http://127.0.0.1:9/v1", "", loaded));
        try {
            resolveEndpoint("nope", "", loaded);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("known: local, openai"), e.what());
        }
        EndpointProfile bad = a;
        bad.apiKeyEnv = "sk-live-1234";
        QVERIFY_THROWS_EXCEPTION(Error, profiles.upsert(bad));
        bad = a;
        bad.baseUrl = "ftp://x";
        QVERIFY_THROWS_EXCEPTION(Error, profiles.upsert(bad));
        QVERIFY(profiles.remove("local"));
        QVERIFY(!profiles.remove("local"));

        std::ofstream(path) << "{ not json";
        QVERIFY_THROWS_EXCEPTION(Error, EndpointProfiles::load(path));
    }

    void connectionTest()
    {
        FakeLlmServer server;
        const ConnectionTest ok = testConnection(profileFor(server));
        QVERIFY2(ok.ok, ok.message.c_str());
        QVERIFY2(QString::fromStdString(ok.message).startsWith("OK: 'pong'"), ok.message.c_str());
        EndpointProfile dead = profileFor(server);
        dead.baseUrl = "http://127.0.0.1:1/v1";
        const ConnectionTest no = testConnection(dead);
        QVERIFY(!no.ok);
        QVERIFY2(QString::fromStdString(no.message).contains("connection failed"), no.message.c_str());
    }

private:
    QTemporaryDir m_config;
};

QTEST_APPLESS_MAIN(TestLlm)
#include "tst_core_llm.moc"
