// HttpServer and HttpClient together: requests, keep-alive, the in-flight bound, timeouts,
// cancellation, chunked streaming both ways, 100-continue, clean stop, bind errors; and the
// server's refusals on raw sockets: request smuggling, body and head limits, the head deadline,
// the per-client connection limit. No timing assertions: every wait is for an event.
#include "core/net/http_client.h"
#include "core/net/http_server.h"
#include "core/net/redact.h"
#include "core/util/error.h"
#include "support/test_paths.h"

#include <arpa/inet.h>
#include <poll.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <chrono>
#include <thread>

using namespace hw;

namespace {

int connectTo(uint16_t port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

struct RawReply {
    std::string bytes;
    bool closedByServer = false; // the server closed the connection (not our 10 s receive timeout)
};

// Reads until the peer closes, `until` appears, or 10 s pass without data.
RawReply readReply(int fd, const std::string& until = "")
{
    RawReply out;
    char buf[4096];
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET)) {
            out.closedByServer = true;
            break;
        }
        if (n < 0)
            break;
        out.bytes.append(buf, static_cast<size_t>(n));
        if (!until.empty() && out.bytes.find(until) != std::string::npos)
            break;
    }
    return out;
}

RawReply rawRequest(uint16_t port, const std::string& request, const std::string& until = "")
{
    const int fd = connectTo(port);
    if (fd < 0)
        return {};
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    RawReply r = readReply(fd, until);
    ::close(fd);
    return r;
}

// Sends raw bytes to the server and reads until the peer closes or `until` appears.
std::string rawExchange(uint16_t port, const std::string& request, const std::string& until = "")
{
    return rawRequest(port, request, until).bytes;
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
        r = client.perform(post);
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
        QTRY_COMPARE_WITH_TIMEOUT(server.requestsServed(), uint64_t(20), 60000); // counted once each reply is fully sent
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
        // The first `bound` requests are held in the handler until the test has seen exactly
        // `bound` in flight and the rest queued in the client: no sleeps, no timing.
        std::atomic<int> now{0}, most{0};
        std::mutex mutex;
        std::condition_variable cv;
        bool released = false;
        HttpServer server([&](const HttpServerRequest& req) {
            const int n = ++now;
            int m = most.load();
            while (n > m && !most.compare_exchange_weak(m, n)) {
            }
            std::unique_lock<std::mutex> lock(mutex);
            cv.wait_for(lock, std::chrono::seconds(30), [&] { return released || req.stopping(); });
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
        QTRY_COMPARE_WITH_TIMEOUT(now.load(), bound, 10000);
        QCOMPARE(client.inFlight(), bound);
        QCOMPARE(client.queued(), total - bound);
        {
            std::lock_guard<std::mutex> lock(mutex);
            released = true;
        }
        cv.notify_all();
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
        const HttpResponse resp = client.perform(r);
        QCOMPARE(resp.failure, HttpResponse::Failure::Timeout);
        QCOMPARE(resp.status, 0L);
        QVERIFY(!resp.error.empty());
        server.stop(); // returns: the handler watches req.stopping()
        QVERIFY(!server.isRunning());
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
        QVERIFY_THROWS_EXCEPTION(Cancelled, client.perform(get(server.baseUrl() + "/"), stop));
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
        server.stop(); // returns although keep-alive connections are open
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

    // Each of these would let one parser see a request the other does not (request smuggling):
    // refused with 400, the connection closed, and the request hidden behind it never run.
    void smugglingRefused_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<QByteArray>("body");
        const QByteArray chunkedAbc = "3\r\nabc\r\n0\r\n\r\n";
        QTest::newRow("CL and TE") << QByteArray("Content-Length: 15\r\nTransfer-Encoding: chunked\r\n") << chunkedAbc;
        QTest::newRow("TE and CL") << QByteArray("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n") << chunkedAbc;
        QTest::newRow("two different CLs") << QByteArray("Content-Length: 3\r\nContent-Length: 10\r\n") << QByteArray("abc");
        QTest::newRow("CL list disagreeing") << QByteArray("Content-Length: 3, 10\r\n") << QByteArray("abc");
        QTest::newRow("CL 5abc") << QByteArray("Content-Length: 5abc\r\n") << QByteArray("hello");
        QTest::newRow("CL signed") << QByteArray("Content-Length: +3\r\n") << QByteArray("abc");
        QTest::newRow("CL negative") << QByteArray("Content-Length: -1\r\n") << QByteArray("abc");
        QTest::newRow("CL overflow") << QByteArray("Content-Length: 99999999999999999999999\r\n") << QByteArray("abc");
        QTest::newRow("TE chunked, identity") << QByteArray("Transfer-Encoding: chunked, identity\r\n") << chunkedAbc;
        QTest::newRow("TE xchunked") << QByteArray("Transfer-Encoding: xchunked\r\n") << chunkedAbc;
        QTest::newRow("TE twice") << QByteArray("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n") << chunkedAbc;
        QTest::newRow("TE identity") << QByteArray("Transfer-Encoding: identity\r\n") << QByteArray("abc");
        QTest::newRow("chunk size 2^64+1") << QByteArray("Transfer-Encoding: chunked\r\n")
                                           << QByteArray("10000000000000001\r\nabc\r\n0\r\n\r\n");
        QTest::newRow("chunk size 2^64-1") << QByteArray("Transfer-Encoding: chunked\r\n")
                                           << QByteArray("ffffffffffffffff\r\nabc\r\n0\r\n\r\n");
        QTest::newRow("chunk size not hex") << QByteArray("Transfer-Encoding: chunked\r\n") << QByteArray("3x\r\nabc\r\n0\r\n\r\n");
        QTest::newRow("chunk without CRLF") << QByteArray("Transfer-Encoding: chunked\r\n") << QByteArray("3\r\nabcd\r\n0\r\n\r\n");
        QTest::newRow("space before colon") << QByteArray("Content-Length : 3\r\n") << QByteArray("abc");
        QTest::newRow("folded header") << QByteArray("Content-Length: 3\r\n  , 3\r\n") << QByteArray("abc");
        QTest::newRow("bare LF in head") << QByteArray("X-A: 1\nContent-Length: 3\r\n") << QByteArray("abc");
    }
    void smugglingRefused()
    {
        QFETCH(QByteArray, head);
        QFETCH(QByteArray, body);
        std::atomic<int> calls{0};
        HttpServer server([&](const HttpServerRequest&) {
            ++calls;
            return HttpServerResponse::text(200, "ran");
        });
        server.start();
        const std::string smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
        const RawReply r = rawRequest(server.port(), "POST /x HTTP/1.1\r\nHost: x\r\n" + head.toStdString() + "\r\n"
                                                         + body.toStdString() + smuggled);
        QVERIFY2(r.bytes.rfind("HTTP/1.1 400 ", 0) == 0, r.bytes.c_str());
        QVERIFY2(r.bytes.find("Connection: close\r\n") != std::string::npos, r.bytes.c_str());
        QVERIFY2(r.bytes.find("\"error\"") != std::string::npos, r.bytes.c_str()); // a JSON error body
        QVERIFY(r.closedByServer);
        QCOMPARE(r.bytes.find("HTTP/1.1", 1), std::string::npos); // one response only
        QCOMPARE(calls.load(), 0);
    }

    // The positive control for the refusals above: the same framing done right is served, and
    // a request pipelined behind a chunked body is read from the right offset.
    void chunkedThenPipelinedRequest()
    {
        HttpServer server([](const HttpServerRequest& req) { return HttpServerResponse::text(200, "[" + req.path + ":" + req.body + "]"); });
        server.start();
        const RawReply r = rawRequest(server.port(),
                                      "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                      "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n"
                                      "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi"
                                      "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        QVERIFY2(r.bytes.find("[/a:abcde]") != std::string::npos, r.bytes.c_str());
        QVERIFY2(r.bytes.find("[/b:hi]") != std::string::npos, r.bytes.c_str());
        QVERIFY2(r.bytes.find("[/c:]") != std::string::npos, r.bytes.c_str());
        QVERIFY(r.closedByServer);
        QCOMPARE(server.requestsServed(), uint64_t(3));
    }

    void bodyLimits()
    {
        std::atomic<int> calls{0};
        HttpServer::Options o;
        o.maxBodyBytes = 1000;
        HttpServer server([&](const HttpServerRequest& req) {
            ++calls;
            return HttpServerResponse::text(200, std::to_string(req.body.size()));
        }, o);
        server.start();
        // Announced too large: refused before a byte of the body is read.
        RawReply r = rawRequest(server.port(), "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 30000000\r\n\r\nabc");
        QVERIFY2(r.bytes.rfind("HTTP/1.1 413 ", 0) == 0, r.bytes.c_str());
        QVERIFY2(r.bytes.find("larger than the limit of 1000 bytes") != std::string::npos, r.bytes.c_str());
        QVERIFY(r.closedByServer);
        // Chunked, growing past the limit chunk by chunk.
        std::string chunks;
        for (int i = 0; i < 5; ++i)
            chunks += "100\r\n" + std::string(256, 'x') + "\r\n";
        r = rawRequest(server.port(), "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + "0\r\n\r\n");
        QVERIFY2(r.bytes.rfind("HTTP/1.1 413 ", 0) == 0, r.bytes.c_str());
        QVERIFY(r.closedByServer);
        // A head that never ends.
        r = rawRequest(server.port(), "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(70000, 'h'));
        QVERIFY2(r.bytes.rfind("HTTP/1.1 431 ", 0) == 0, r.bytes.substr(0, 200).c_str());
        QCOMPARE(calls.load(), 0);
        // Exactly at the limit is fine.
        r = rawRequest(server.port(), "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n"
                                          + std::string(1000, 'y'));
        QVERIFY2(r.bytes.rfind("HTTP/1.1 200 ", 0) == 0, r.bytes.c_str());
        QCOMPARE(calls.load(), 1);
    }

    // Slowloris: a head trickled in byte by byte is cut off at the head deadline, however
    // steadily the bytes come (an idle timer would be reset by each one).
    void headDeadlineCutsTrickledHead()
    {
        HttpServer::Options o;
        o.headerTimeoutMs = 300;
        o.idleTimeoutMs = 60000;
        std::atomic<int> calls{0};
        HttpServer server([&](const HttpServerRequest&) {
            ++calls;
            return HttpServerResponse::text(200, "ok");
        }, o);
        server.start();
        const int fd = connectTo(server.port());
        QVERIFY(fd >= 0);
        const std::string head = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(20000, 'a') + "\r\n\r\n";
        size_t sent = 0;
        bool answered = false;
        // One byte per 20 ms would take 400 s to finish: stop when the server answers.
        while (sent < head.size() && !answered) {
            if (::send(fd, head.data() + sent, 1, MSG_NOSIGNAL) != 1)
                break;
            ++sent;
            pollfd p{fd, POLLIN, 0};
            answered = ::poll(&p, 1, 20) > 0;
        }
        const RawReply r = readReply(fd);
        ::close(fd);
        QVERIFY(sent < head.size());
        QVERIFY2(r.bytes.rfind("HTTP/1.1 408 ", 0) == 0, r.bytes.c_str());
        QVERIFY(r.closedByServer);
        QCOMPARE(calls.load(), 0);
    }

    void perClientConnectionLimit()
    {
        HttpServer::Options o;
        o.maxConnectionsPerClient = 2;
        HttpServer server([](const HttpServerRequest&) { return HttpServerResponse::text(200, "ok"); }, o);
        server.start();
        const std::string ping = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        int held[2];
        for (int& fd : held) { // two kept-alive connections, each admitted (answered)
            fd = connectTo(server.port());
            ::send(fd, ping.data(), ping.size(), MSG_NOSIGNAL);
            QVERIFY(readReply(fd, "ok").bytes.find("200 OK") != std::string::npos);
        }
        QCOMPARE(server.openConnections(), 2);
        RawReply third = rawRequest(server.port(), ping);
        QVERIFY2(third.bytes.rfind("HTTP/1.1 429 ", 0) == 0, third.bytes.c_str());
        QVERIFY2(third.bytes.find("too many connections from 127.0.0.1") != std::string::npos, third.bytes.c_str());
        QVERIFY(third.closedByServer);
        ::close(held[0]);
        QTRY_COMPARE_WITH_TIMEOUT(server.openConnections(), 1, 10000);
        third = rawRequest(server.port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        QVERIFY2(third.bytes.rfind("HTTP/1.1 200 ", 0) == 0, third.bytes.c_str());
        ::close(held[1]);
    }

    // Event streams are never compressed (cpp-httplib would, for a client that accepts gzip):
    // each event must reach the client when it is written.
    void streamNotCompressed()
    {
        HttpServer server([](const HttpServerRequest&) {
            HttpServerResponse r;
            r.headers = {{"Content-Type", "text/event-stream"}};
            r.stream = [](HttpChunkWriter& w) { w.write("data: 1\n\n"); };
            return r;
        });
        server.start();
        const RawReply r = rawRequest(server.port(), "GET /s HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, br\r\nConnection: close\r\n\r\n");
        QVERIFY2(r.bytes.find("data: 1\n\n") != std::string::npos, r.bytes.c_str());
        QCOMPARE(r.bytes.find("Content-Encoding"), std::string::npos);
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
