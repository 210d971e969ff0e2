// `hindsight serve` on the continuous-batching engine, over real HTTP on 127.0.0.1: 50 concurrent
// clients all get the answer they get alone; a full queue answers 429; a client that disconnects
// mid-stream frees its slot (the request is cancelled); /metrics is Prometheus text; an ILQL
// checkpoint served with β decodes π_β at β = 0 and something else at a large β.
#include "core/net/http_client.h"
#include "core/offline/local_chat_server.h"
#include "core/train/lm_training_job.h"
#include "core/util/error.h"
#include "support/lm_corpus.h"
#include "support/test_paths.h"
#include "support/tiny_chat_checkpoint.h"

#include <QtTest>

#include <arpa/inet.h>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace hw;

namespace {

QTemporaryDir& tmp()
{
    static QTemporaryDir dir;
    return dir;
}

const std::string& checkpoint()
{
    static std::string dir = [] {
        const std::string project = tmp().filePath("p.hwb").toStdString();
        hwtest::insertDialogues(project, hwtest::lmDialogues(32));
        LmJobOptions o;
        o.projectPath = project;
        o.role = LmRole::Forward;
        o.config = LmTrainConfig::tiny();
        o.config.device = "cpu";
        o.config.maxSteps = 30;
        o.config.optimizer.lr = 1e-2;
        // Room for a long reply: the disconnect test needs a request that is still generating
        // when the client goes away (the tiny model writes a few thousand tokens a second).
        o.config.model = {{"max_position_embeddings", 4096}};
        o.outDir = tmp().filePath("out").toStdString();
        return runLmTrainingJob(o).train.checkpointDir;
    }();
    return dir;
}

HttpResponse post(const std::string& url, const nlohmann::json& body)
{
    HttpClient http;
    HttpRequest r;
    r.method = "POST";
    r.url = url;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = body.dump();
    r.timeoutMs = 120000;
    return http.perform(r);
}

HttpResponse get(const std::string& url)
{
    HttpClient http;
    HttpRequest r;
    r.method = "GET";
    r.url = url;
    r.timeoutMs = 30000;
    return http.perform(r);
}

nlohmann::json body(int variant, int maxTokens)
{
    static const char* kFeelings[] = {"anxious", "sad", "tired", "angry", "lonely"};
    return {{"model", "x"},
            {"messages",
             {{{"role", "system"}, {"content", "situation: worried about exams"}},
              {{"role", "user"}, {"content", std::string("I feel ") + kFeelings[variant % 5] + " about my exams."}}}},
            {"max_tokens", maxTokens},
            {"temperature", 0}};
}

std::string contentOf(const HttpResponse& r)
{
    return nlohmann::json::parse(r.body)["choices"][0]["message"]["content"].get<std::string>();
}

// A value of the Prometheus text, -1 when absent.
double metric(const std::string& text, const std::string& name)
{
    const auto at = text.find("\n" + name + "{");
    if (at == std::string::npos)
        return -1;
    const auto space = text.find("} ", at);
    return std::stod(text.substr(space + 2, text.find('\n', space) - space - 2));
}

// n clients started together (a latch), each posting bodies[i % size].
std::vector<HttpResponse> concurrently(const std::string& url, const std::vector<nlohmann::json>& bodies, int n)
{
    std::vector<HttpResponse> out(static_cast<size_t>(n));
    std::mutex mutex;
    std::condition_variable cv;
    bool go = false;
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i)
        threads.emplace_back([&, i] {
            {
                std::unique_lock<std::mutex> lock(mutex);
                cv.wait(lock, [&] { return go; });
            }
            out[size_t(i)] = post(url, bodies[size_t(i) % bodies.size()]);
        });
    {
        std::lock_guard<std::mutex> lock(mutex);
        go = true;
    }
    cv.notify_all();
    for (auto& t : threads)
        t.join();
    return out;
}

} // namespace

class TestServeEngine : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(!checkpoint().empty()); }

    void fiftyConcurrentClientsGetTheirOwnAnswers()
    {
        ChatServerOptions o;
        o.checkpoint = checkpoint();
        o.port = 0;
        o.device = "cpu";
        o.maxBatch = 8;
        o.maxQueue = 64; // room for all: nobody is refused
        o.maxConnectionsPerClient = 64; // all 50 clients come from 127.0.0.1
        LocalChatServer server(o);
        server.start();
        const std::string url = server.baseUrl() + "/v1/chat/completions";
        std::vector<nlohmann::json> bodies;
        std::vector<std::string> alone;
        for (int v = 0; v < 5; ++v) {
            bodies.push_back(body(v, 16));
            const auto r = post(url, bodies.back());
            QCOMPARE(r.status, 200L);
            alone.push_back(contentOf(r));
        }
        const auto replies = concurrently(url, bodies, 50);
        for (size_t i = 0; i < replies.size(); ++i) {
            QCOMPARE(replies[i].status, 200L);
            QCOMPARE(contentOf(replies[i]), alone[i % 5]);
        }
        const auto m = get(server.baseUrl() + "/metrics");
        QCOMPARE(m.status, 200L);
        QCOMPARE(metric(m.body, "hindsight_engine_requests_total"), 55.0);
        QCOMPARE(metric(m.body, "hindsight_engine_requests_rejected_total"), 0.0);
        QCOMPARE(metric(m.body, "hindsight_engine_queue_length"), 0.0);
        QVERIFY(metric(m.body, "hindsight_engine_tokens_per_second") > 0);
        // Requests were decoded together: more than one sequence per step on average.
        QVERIFY2(metric(m.body, "hindsight_engine_batch_occupancy") * 8 > 1.0, m.body.c_str());
    }

    void fullQueueAnswers429()
    {
        ChatServerOptions o;
        o.checkpoint = checkpoint();
        o.port = 0;
        o.device = "cpu";
        o.maxBatch = 1;
        o.maxQueue = 2;
        // Only the engine's queue may refuse here (not the per-client connection limit: all 50
        // clients come from 127.0.0.1), so every 429 is one the engine counts.
        o.maxConnectionsPerClient = 64;
        LocalChatServer server(o);
        server.start();
        const std::string url = server.baseUrl() + "/v1/chat/completions";
        std::vector<nlohmann::json> bodies;
        std::vector<std::string> alone;
        for (int v = 0; v < 3; ++v) {
            bodies.push_back(body(v, 64));
            alone.push_back(contentOf(post(url, bodies.back())));
        }
        const auto replies = concurrently(url, bodies, 50);
        int ok = 0, refused = 0;
        for (size_t i = 0; i < replies.size(); ++i) {
            if (replies[i].status == 200) {
                ++ok;
                QCOMPARE(contentOf(replies[i]), alone[i % 3]);
            } else {
                QCOMPARE(replies[i].status, 429L);
                const auto e = nlohmann::json::parse(replies[i].body);
                QCOMPARE(e["error"]["type"].get<std::string>(), std::string("rate_limit_error"));
                ++refused;
            }
        }
        QVERIFY(ok >= 1);
        QVERIFY2(refused > 0, "50 clients at once against 1 slot and 2 queue places: some must be refused");
        const auto m = get(server.baseUrl() + "/metrics");
        QCOMPARE(metric(m.body, "hindsight_engine_requests_rejected_total"), double(refused));
    }

    void disconnectingClientFreesItsSlot()
    {
        ChatServerOptions o;
        o.checkpoint = checkpoint();
        o.port = 0;
        o.device = "cpu";
        o.maxBatch = 1;
        LocalChatServer server(o);
        server.start();
        auto b = body(1, 100000); // as long as the model allows
        b["stream"] = true;
        const std::string payload = b.dump();
        const std::string request = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                                    "application/json\r\nContent-Length: "
                                    + std::to_string(payload.size()) + "\r\n\r\n" + payload;
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        QVERIFY(fd >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(server.port());
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        QCOMPARE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        QCOMPARE(::send(fd, request.data(), request.size(), 0), ssize_t(request.size()));
        char first[64];
        QVERIFY(::recv(fd, first, sizeof first, 0) > 0); // the stream has started
        ::close(fd);                                      // and the client goes away
        QTRY_COMPARE_WITH_TIMEOUT(metric(get(server.baseUrl() + "/metrics").body, "hindsight_engine_requests_cancelled_total"),
                                  1.0, 60000);
        QTRY_COMPARE_WITH_TIMEOUT(metric(get(server.baseUrl() + "/metrics").body, "hindsight_engine_active_sequences"), 0.0,
                                  60000);
        // The only slot serves the next client.
        const auto r = post(server.baseUrl() + "/v1/chat/completions", body(2, 8));
        QCOMPARE(r.status, 200L);
    }

    void ilqlCheckpointWithBeta()
    {
        const std::string ilqlDir = tmp().filePath("ilql-ck").toStdString();
        std::filesystem::copy(checkpoint(), ilqlDir, std::filesystem::copy_options::recursive);
        hwtest::writeRandomIlqlHeads(ilqlDir, 3);

        ChatServerOptions plainOptions;
        plainOptions.checkpoint = checkpoint();
        plainOptions.port = 0;
        plainOptions.device = "cpu";
        LocalChatServer plain(plainOptions);
        plain.start();
        const std::string plainUrl = plain.baseUrl() + "/v1/chat/completions";
        // β is refused by a server that does not decode ILQL.
        auto withBeta = body(0, 24);
        withBeta["beta"] = 1.0;
        const auto refused = post(plainUrl, withBeta);
        QCOMPARE(refused.status, 400L);
        QCOMPARE(nlohmann::json::parse(refused.body)["error"]["param"].get<std::string>(), std::string("beta"));

        ChatServerOptions o = plainOptions;
        o.checkpoint = ilqlDir;
        o.beta = 0.0;
        LocalChatServer ilql(o);
        ilql.start();
        const std::string url = ilql.baseUrl() + "/v1/chat/completions";
        // β = 0: π_β itself (greedy).
        QCOMPARE(contentOf(post(url, body(0, 24))), contentOf(post(plainUrl, body(0, 24))));
        // A large β moves the reply (random heads: large advantages).
        auto strong = body(0, 24);
        strong["beta"] = 50.0;
        const auto moved = post(url, strong);
        QCOMPARE(moved.status, 200L);
        QVERIFY(contentOf(moved) != contentOf(post(url, body(0, 24))));

        // --beta on a checkpoint without value heads: a clear error naming the checkpoint.
        ChatServerOptions bad = plainOptions;
        bad.beta = 1.0;
        try {
            LocalChatServer s(bad);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("value heads") != std::string::npos, e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestServeEngine)
#include "tst_core_serve_engine.moc"
