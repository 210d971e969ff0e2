// bench_pipeline: throughput of the relabel stage against an OpenAI-compatible server that
// answers every request after a fixed latency L. With C requests in flight the best possible rate
// is C / L; the pipeline (HTTP client, cache writes, parsing, matching, one transaction per item)
// should reach at least 90% of it. Prints achieved vs limit and the ratio, measured in one run.
//
//   bench_pipeline [--latency-ms 50] [--concurrency 32] [--items 2000]
#include "core/util/runtime_env.h"
#include "core/net/http_server.h"
#include "core/pipeline/llm_backend.h"
#include "core/pipeline/relabel_job.h"
#include "core/store/database.h"
#include "tests/support/pipeline_fixture.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <sys/resource.h>
#include <unistd.h>

using namespace hw;

namespace {

// A controller reply quoting the first three "AI:" lines of the prompt, like a cooperative LLM.
std::string controllerReply(const std::string& body)
{
    const auto j = nlohmann::json::parse(body, nullptr, false);
    std::string prompt;
    if (j.is_object() && j.contains("messages"))
        for (const auto& m : j["messages"])
            prompt += m.value("content", "") + "\n";
    std::istringstream in(prompt);
    std::string line, out;
    int n = 0;
    while (n < 3 && std::getline(in, line))
        if (line.rfind("AI: ", 0) == 0) {
            ++n;
            out += std::to_string(n) + ". \"" + line.substr(4) + "\";Could acknowledge the feeling first;\"I hear you. "
                   + line.substr(4) + "\"/\n";
        }
    nlohmann::json reply = {
        {"id", "bench"},
        {"object", "chat.completion"},
        {"model", j.is_object() ? j.value("model", "") : ""},
        {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", out}}}, {"finish_reason", "stop"}}}},
        {"usage", {{"prompt_tokens", static_cast<int64_t>(prompt.size() / 4)}, {"completion_tokens", static_cast<int64_t>(out.size() / 4)}}}};
    return reply.dump();
}

long argValue(int argc, char** argv, const char* name, long fallback)
{
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == name)
            return std::strtol(argv[i + 1], nullptr, 10);
    return fallback;
}

} // namespace

int main(int argc, char** argv)
{
    hw::ensureRuntimeEnvironment(argc, argv); // OpenBLAS kernels, OpenMP wait policy
    std::fprintf(stderr, "%s\n", hw::runtimeEnvironmentSummary().c_str());
    const long latencyMs = argValue(argc, argv, "--latency-ms", 50);
    const int concurrency = static_cast<int>(argValue(argc, argv, "--concurrency", 32));
    const int items = static_cast<int>(argValue(argc, argv, "--items", 2000));

    const std::string dir = (std::filesystem::temp_directory_path() / ("bench_pipeline_" + std::to_string(::getpid()))).string();
    std::filesystem::create_directories(dir);
    const std::string path = dir + "/bench.hwb";
    hwtest::makeProject(path, "persuasion", items, 10);

    std::atomic<int64_t> served{0};
    HttpServer server([&](const HttpServerRequest& req) {
        std::this_thread::sleep_for(std::chrono::milliseconds(latencyMs));
        ++served;
        return HttpServerResponse::json(200, controllerReply(req.body));
    });
    server.start();

    EndpointProfile profile;
    profile.baseUrl = server.baseUrl() + "/v1";
    profile.model = "bench-model";
    profile.maxInFlight = concurrency;
    profile.timeoutS = 30;

    Database db = Database::open(path);
    SharedProject project(db);
    LlmBackend::Options options;
    options.prompts = PromptLibrary({PromptLibrary::builtinDir()});
    LlmBackend llm(project, profile, "persuasion", std::nullopt, options);
    RelabelConfig cfg;
    cfg.task = "persuasion";
    cfg.concurrency = concurrency;

    auto cpuNow = [] {
        rusage u{};
        getrusage(RUSAGE_SELF, &u);
        return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec)
               + static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
    };
    const double cpu0 = cpuNow();
    const auto t0 = std::chrono::steady_clock::now();
    const JobSummary s = runRelabel(project, cfg, llm.controller(), {});
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpuNow() - cpu0;
    server.stop();

    const double achieved = static_cast<double>(s.usage.requests) / secs;
    const double limit = static_cast<double>(concurrency) / (static_cast<double>(latencyMs) / 1000.0);
    const double ideal = std::ceil(static_cast<double>(items) / concurrency) * latencyMs / 1000.0;
    std::printf("bench_pipeline: relabel stage, %d dialogues, %d in flight, server latency %ld ms\n", items,
                concurrency, latencyMs);
    std::printf("  job status         %s (%lld done, %lld failed, %lld suggestions)\n", s.status.c_str(),
                static_cast<long long>(s.done), static_cast<long long>(s.failed),
                static_cast<long long>(s.extra.value("suggestions", int64_t(0))));
    std::printf("  requests           %lld sent, %lld served\n", static_cast<long long>(s.usage.requests),
                static_cast<long long>(served.load()));
    std::printf("  wall time          %.3f s (ideal with %d waves of %ld ms: %.3f s)\n", secs,
                static_cast<int>(std::ceil(static_cast<double>(items) / concurrency)), latencyMs, ideal);
    const double meanLatency = s.usage.requests > 0 ? s.usage.latencyMs / static_cast<double>(s.usage.requests) : 0.0;
    const double busy = meanLatency / 1000.0 * static_cast<double>(s.usage.requests) / concurrency;
    std::printf("  mean request time  %.1f ms at the client (server sleeps %ld ms)\n", meanLatency, latencyMs);
    std::printf("  between requests   %.2f ms per item per slot (pipeline work outside the HTTP call)\n",
                (secs - busy) * 1000.0 * concurrency / static_cast<double>(std::max<int64_t>(1, s.usage.requests)));
    std::printf("  CPU time           %.2f s for the job (client and server threads)\n", cpu);
    std::printf("  achieved           %.1f requests/s\n", achieved);
    std::printf("  limit C/L          %.1f requests/s\n", limit);
    std::printf("  ratio              %.3f (target >= 0.90) %s\n", achieved / limit, achieved / limit >= 0.9 ? "OK" : "BELOW TARGET");

    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return s.status == "done" && s.failed == 0 ? 0 : 1;
}
