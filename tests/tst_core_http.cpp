// HttpServer and HttpClient together: requests, keep-alive, the in-flight bound, timeouts,
// cancellation, chunked streaming both ways, 100-continue, clean stop, bind errors.
#include "core/net/http_client.h"
#include "core/net/http_server.h"
#include "core/net/redact.h"
#include "core/util/error.h"
#include "support/test_paths.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace hw;
using Clock = std::chrono::steady_clock;

namespace {

double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// Sends raw bytes to the server and reads until the peer closes or `until` appears.
std::string rawExchange(uint16_t port, const std::string& request, const std::string& until = "")
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return {};
    }
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string out;
    char buf[4096];
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        out.append(buf, static_cast<size_t>(n));
        if (!until.empty() && out.find(until) != std::string::npos)
            break;
    }
    ::close(fd);
    return out;
}

HttpRequest get(const std::string& url)
{
    HttpRequest r;
    r.method = "GET";
    r.url = url;
    return r;
}

} // namespace

class TestHttp : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void getAndPost()
    {
        HttpServer server([](const HttpServerRequest& req) {
            if (req.path == "/hello")
                return HttpServerResponse::text(200, "hello " + req.query);
            if (req.method == "POST" && req.path == "/echo") {
                auto r = HttpServerResponse::json(201, req.body);
                r.headers.emplace_back("X-Seen-Auth", req.header("authorization").value_or("none"));
                return r;
            }
            return HttpServerResponse::text(404, "no");
        });
        server.start();
        QVERIFY(server.port() != 0);
        QCOMPARE(server.baseUrl(), "http://127.0.0.1:" + std::to_string(server.port()));

        HttpClient client(4);
        HttpResponse r = client.perform(get(server.baseUrl() + "/hello?x=1"));
        QCOMPARE(r.status, 200L);
        QCOMPARE(r.body, std::string("hello x=1"));
        QVERIFY(!r.transportFailed());
        QVERIFY(r.latencyMs >= 0);

        HttpRequest post;
        post.url = server.baseUrl() + "/echo";
        post.body = std::string(5000, 'z'); // > 1 KiB: no 100-continue stall
        post.headers = {{"Authorization", "Bearer abc"}};
        const auto t0 = Clock::now();
        r = client.perform(post);
        QVERIFY(msSince(t0) < 900);
        QCOMPARE(r.status, 201L);
        QCOMPARE(r.body.size(), size_t(5000));
        QCOMPARE(r.header("x-seen-auth").value_or(""), std::string("Bearer abc"));
        QCOMPARE(r.header("CONTENT-TYPE").value_or(""), std::string("application/json"));

        r = client.perform(get(server.baseUrl() + "/missing"));
        QCOMPARE(r.status, 404L);
    }

    void keepAliveReusesConnections()
    {
        HttpServer server([](const HttpServerRequest&) { return HttpServerResponse::text(200, "ok"); });
        server.start();
        HttpClient client(1);
        for (int i = 0; i < 20; ++i)
            QCOMPARE(client.perform(get(server.baseUrl() + "/")).status, 200L);
        QTRY_COMPARE(server.requestsServed(), uint64_t(20)); // counted once each reply is fully sent
        QCOMPARE(server.connectionsAccepted(), uint64_t(1));
    }

    void inFlightBound_data()
    {
        QTest::addColumn<int>("bound");
        QTest::newRow("1") << 1;
        QTest::newRow("4") << 4;
        QTest::newRow("16") << 16;
    }
    void inFlightBound()
    {
        QFETCH(int, bound);
        std::atomic<int> now{0}, most{0};
        HttpServer server([&](const HttpServerRequest&) {
            const int n = ++now;
            int m = most.load();
            while (n > m && !most.compare_exchange_weak(m, n)) {
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(30));
            --now;
            return HttpServerResponse::text(200, "ok");
        });
        server.start();
        HttpClient client(bound);
        std::atomic<int> done{0};
        const int total = 3 * bound + 2;
        for (int i = 0; i < total; ++i)
            client.submit(get(server.baseUrl() + "/"), [&](HttpResponse r) {
                if (r.status == 200)
                    ++done;
            });
        QTRY_COMPARE_WITH_TIMEOUT(done.load(), total, 10000);
        QCOMPARE(most.load(), bound);
        QCOMPARE(client.inFlight(), 0);
        QCOMPARE(client.queued(), 0);
    }

    void timeout()
    {
        HttpServer server([](const HttpServerRequest& req) {
            for (int i = 0; i < 300 && !req.stopping(); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            return HttpServerResponse::text(200, "late");
        });
        server.start();
        HttpClient client(2);
        HttpRequest r = get(server.baseUrl() + "/");
        r.timeoutMs = 200;
        const auto t0 = Clock::now();
        const HttpResponse resp = client.perform(r);
        QVERIFY(msSince(t0) < 2500);
        QCOMPARE(resp.failure, HttpResponse::Failure::Timeout);
        QCOMPARE(resp.status, 0L);
        QVERIFY(!resp.error.empty());
        const auto t1 = Clock::now();
        server.stop(); // the handler watches req.stopping()
        QVERIFY(msSince(t1) < 1500);
    }

    void cancelByStopToken()
    {
        HttpServer server([](const HttpServerRequest& req) {
            for (int i = 0; i < 500 && !req.stopping(); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            return HttpServerResponse::text(200, "late");
        });
        server.start();
        HttpClient client(2);
        StopToken stop;
        std::thread stopper([stop] {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            stop.requestStop();
        });
        const auto t0 = Clock::now();
        QVERIFY_THROWS_EXCEPTION(Cancelled, client.perform(get(server.baseUrl() + "/"), stop));
        QVERIFY(msSince(t0) < 3000);
        stopper.join();

        // cancel() on a queued request: its callback gets Cancelled.
        HttpClient one(1);
        std::atomic<int> cancelled{0};
        one.submit(get(server.baseUrl() + "/"), [](HttpResponse) {});
        const auto id = one.submit(get(server.baseUrl() + "/"), [&](HttpResponse r) {
            if (r.failure == HttpResponse::Failure::Cancelled)
                ++cancelled;
        });
        one.cancel(id);
        QTRY_COMPARE_WITH_TIMEOUT(cancelled.load(), 1, 2000);
    }

    void destructorCancelsPending()
    {
        HttpServer server([](const HttpServerRequest& req) {
            for (int i = 0; i < 500 && !req.stopping(); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            return HttpServerResponse::text(200, "late");
        });
        server.start();
        std::atomic<int> cancelled{0};
        const auto t0 = Clock::now();
        {
            HttpClient client(2);
            for (int i = 0; i < 5; ++i)
                client.submit(get(server.baseUrl() + "/"), [&](HttpResponse r) {
                    if (r.failure == HttpResponse::Failure::Cancelled)
                        ++cancelled;
                });
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        QCOMPARE(cancelled.load(), 5);
        QVERIFY(msSince(t0) < 2500);
    }

    void connectionRefused()
    {
        uint16_t port = 0;
        {
            HttpServer server([](const HttpServerRequest&) { return HttpServerResponse::text(200, ""); });
            server.start();
            port = server.port();
        }
        HttpClient client(1);
        const HttpResponse r = client.perform(get("http://127.0.0.1:" + std::to_string(port) + "/"));
        QCOMPARE(r.failure, HttpResponse::Failure::Connect);
    }

    void streamedResponse()
    {
        HttpServer server([](const HttpServerRequest&) {
            HttpServerResponse r;
            r.headers = {{"Content-Type", "text/event-stream"}};
            r.stream = [](HttpChunkWriter& w) {
                for (int i = 0; i < 3; ++i) {
                    if (!w.write("data: " + std::to_string(i) + "\n\n"))
                        return;
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                }
                w.write("data: [DONE]\n\n");
            };
            return r;
        });
        server.start();
        HttpClient client(1);
        const HttpResponse r = client.perform(get(server.baseUrl() + "/stream"));
        QCOMPARE(r.status, 200L);
        QCOMPARE(r.body, std::string("data: 0\n\ndata: 1\n\ndata: 2\n\ndata: [DONE]\n\n"));
        QCOMPARE(r.header("content-type").value_or(""), std::string("text/event-stream"));
        // Raw view: chunked framing on the wire.
        const std::string raw = rawExchange(server.port(), "GET /s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        QVERIFY2(raw.find("Transfer-Encoding: chunked") != std::string::npos, raw.c_str());
        QVERIFY(raw.find("\r\n0\r\n\r\n") != std::string::npos);
    }

    void chunkedRequestAndExpectContinue()
    {
        HttpServer server([](const HttpServerRequest& req) { return HttpServerResponse::text(200, "[" + req.body + "]"); });
        server.start();
        const std::string chunked = rawExchange(server.port(),
                                                "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                                "Connection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
        QVERIFY2(chunked.find("[hello world]") != std::string::npos, chunked.c_str());

        const std::string expect = rawExchange(server.port(),
                                               "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n"
                                               "Connection: close\r\n\r\nabc");
        QVERIFY2(expect.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0) == 0, expect.c_str());
        QVERIFY(expect.find("[abc]") != std::string::npos);

        const std::string http10 = rawExchange(server.port(), "GET / HTTP/1.0\r\n\r\n");
        QVERIFY(http10.find("Connection: close") != std::string::npos);

        const std::string bad = rawExchange(server.port(), "NONSENSE\r\n\r\n");
        QVERIFY(bad.rfind("HTTP/1.1 400", 0) == 0);
    }

    void handlerExceptionIs500()
    {
        HttpServer server([](const HttpServerRequest&) -> HttpServerResponse { throw std::runtime_error("boom"); });
        server.start();
        HttpClient client(1);
        const HttpResponse r = client.perform(get(server.baseUrl() + "/"));
        QCOMPARE(r.status, 500L);
        QVERIFY(r.body.find("boom") != std::string::npos);
    }

    void stopWithIdleKeepAliveConnections()
    {
        HttpServer server([](const HttpServerRequest&) { return HttpServerResponse::text(200, "ok"); });
        server.start();
        HttpClient client(4);
        for (int i = 0; i < 4; ++i)
            QCOMPARE(client.perform(get(server.baseUrl() + "/")).status, 200L);
        QVERIFY(server.openConnections() >= 1);
        const auto t0 = Clock::now();
        server.stop();
        QVERIFY(msSince(t0) < 2500);
        QVERIFY(!server.isRunning());
        server.stop(); // idempotent
    }

    void bindErrors()
    {
        HttpServer a([](const HttpServerRequest&) { return HttpServerResponse::text(200, ""); });
        a.start();
        HttpServer::Options opts;
        opts.port = a.port();
        HttpServer b([](const HttpServerRequest&) { return HttpServerResponse::text(200, ""); }, opts);
        try {
            b.start();
            QFAIL("expected a bind error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("cannot bind 127.0.0.1:" + QString::number(a.port())), e.what());
        }
        HttpServer::Options bad;
        bad.host = "not-an-ip";
        HttpServer c([](const HttpServerRequest&) { return HttpServerResponse::text(200, ""); }, bad);
        QVERIFY_THROWS_EXCEPTION(Error, c.start());
    }

    void masking_data()
    {
        QTest::addColumn<QString>("in");
        QTest::addColumn<QString>("out");
        QTest::newRow("bearer") << "Authorization: Bearer abc.def-123" << "Authorization: Bearer ***";
        QTest::newRow("sk key") << "Incorrect API key provided: sk-proj-ABCDEFGH12345678." << "Incorrect API key provided: sk-***.";
        QTest::newRow("short sk kept") << "sk-abc is fine" << "sk-abc is fine";
        QTest::newRow("explicit secret") << "the key is hunter2-secret!" << "the key is ***!";
        QTest::newRow("api_key param") << "url?api_key=XYZ123&x=1" << "url?api_key=***&x=1";
        QTest::newRow("nothing") << "plain text" << "plain text";
    }
    void masking()
    {
        QFETCH(QString, in);
        QFETCH(QString, out);
        QCOMPARE(QString::fromStdString(maskSecrets(in.toStdString(), {"hunter2-secret"})), out);
        QCOMPARE(excerpt(std::string(10, 'a') + "\n" + std::string(400, 'b'), 12), std::string("aaaaaaaaaa b\xE2\x80\xA6"));
    }
};

QTEST_APPLESS_MAIN(TestHttp)
#include "tst_core_http.moc"
