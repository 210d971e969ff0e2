// bench_replicas: requests/s of one LlmClient against servers answering after a fixed latency L,
// with one server and with the same model on two replicas (EndpointProfile::replicas), the same
// in-flight limit per server. Callers keep more requests waiting than the servers take, so one
// server gives at most limit / L requests/s and two should give about twice that (target >= 1.8x).
//
//   bench_replicas [--latency-ms 50] [--in-flight 8] [--requests 800] [--callers 64]
#include "core/llm/endpoint_profile.h"
#include "core/llm/llm_client.h"
#include "core/llm/replica_set.h"
#include "core/net/http_server.h"
#include "core/util/runtime_env.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace hw;

namespace {

long argValue(int argc, char** argv, const char* name, long fallback)
{
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == name)
            return std::strtol(argv[i + 1], nullptr, 10);
    return fallback;
}

std::unique_ptr<HttpServer> server(long latencyMs)
{
    auto s = std::make_unique<HttpServer>([latencyMs](const HttpServerRequest&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(latencyMs));
        const nlohmann::json r = {
            {"id", "bench"},
            {"object", "chat.completion"},
            {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", "ok"}}}, {"finish_reason", "stop"}}}},
            {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 1}}}};
        return HttpServerResponse::json(200, r.dump());
    });
    s->start();
    return s;
}

double run(const EndpointProfile& profile, int requests, int callers, const std::string& tag)
{
    LlmClient client(profile);
    std::atomic<int> next{0}, failed{0};
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < callers; ++c)
        threads.emplace_back([&] {
            for (int i = next++; i < requests; i = next++) {
                ChatRequest r;
                r.messages = {{"user", tag + " " + std::to_string(i)}};
                r.useCache = false;
                try {
                    client.chat(r);
                } catch (const std::exception&) {
                    ++failed;
                }
            }
        });
    for (auto& t : threads)
        t.join();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("  %-12s %d requests (%d failed) in %.2f s: %.1f requests/s;", tag.c_str(), requests, failed.load(), s,
                requests / s);
    for (const auto& st : client.replicaStats())
        std::printf(" %lld", static_cast<long long>(st.requests));
    std::printf(" per server\n");
    return requests / s;
}

} // namespace

int main(int argc, char** argv)
{
    hw::ensureRuntimeEnvironment(argc, argv);
    const long latencyMs = argValue(argc, argv, "--latency-ms", 50);
    const int inFlight = static_cast<int>(argValue(argc, argv, "--in-flight", 8));
    const int requests = static_cast<int>(argValue(argc, argv, "--requests", 800));
    const int callers = static_cast<int>(argValue(argc, argv, "--callers", 64));
    auto a = server(latencyMs), b = server(latencyMs);
    EndpointProfile p;
    p.name = "bench";
    p.baseUrl = a->baseUrl() + "/v1";
    p.model = "m";
    p.maxInFlight = inFlight;
    p.timeoutS = 30;
    std::printf("bench_replicas: server latency %ld ms, %d in flight per server, %d callers\n", latencyMs, inFlight,
                callers);
    const double one = run(p, requests, callers, "1 server");
    p.replicas = {b->baseUrl() + "/v1"};
    const double two = run(p, requests, callers, "2 replicas");
    const double limit = inFlight / (latencyMs / 1000.0);
    std::printf("  limit per server %.1f requests/s; one server reached %.3f of it\n", limit, one / limit);
    std::printf("  speed-up %.2fx (target >= 1.8x) %s\n", two / one, two / one >= 1.8 ? "OK" : "BELOW TARGET");
    return 0;
}
