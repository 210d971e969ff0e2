// bench_evaluate: episodes per minute of `hindsight evaluate` with an endpoint agent and an LLM
// user simulator on a server that answers every request after a fixed latency L. Episodes are
// sequences of calls (agent turn, user turn, ..., decision), so with C episodes in flight the best
// possible rate is C / L requests per second; the evaluation job (episode runner, call cache,
// one transaction per episode) should reach at least 90% of it. Prints achieved vs limit and the
// ratio, measured in one run; then the same evaluation one episode at a time, for the speed-up.
//
//   bench_evaluate [--latency-ms 50] [--concurrency 32] [--episodes 64] [--max-turns 10]
#include "core/eval/eval_backends.h"
#include "core/eval/eval_persona.h"
#include "core/eval/evaluation_job.h"
#include "core/net/http_server.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/util/runtime_env.h"
#include "tests/support/pipeline_fixture.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <unistd.h>

using namespace hw;

namespace {

std::string reply(const std::string& body)
{
    const auto j = nlohmann::json::parse(body, nullptr, false);
    std::string prompt;
    if (j.is_object() && j.contains("messages"))
        for (const auto& m : j["messages"])
            prompt += m.value("content", "") + "\n";
    std::string content;
    if (prompt.find("Final Donation Amount: X") != std::string::npos)
        content = "Final Donation Amount: $1";
    else if (prompt.find("Write your next message as the") != std::string::npos)
        content = "Tell me more (" + std::to_string(prompt.size()) + ").";
    else
        content = "Your gift helps children get food and school; would you give a little?";
    nlohmann::json r = {
        {"id", "bench"},
        {"object", "chat.completion"},
        {"model", j.is_object() ? j.value("model", "") : ""},
        {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", content}}}, {"finish_reason", "stop"}}}},
        {"usage", {{"prompt_tokens", static_cast<int64_t>(prompt.size() / 4)}, {"completion_tokens", 12}}}};
    return r.dump();
}

long argValue(int argc, char** argv, const char* name, long fallback)
{
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == name)
            return std::strtol(argv[i + 1], nullptr, 10);
    return fallback;
}

struct Measured {
    JobSummary summary;
    double seconds = 0.0;
};

Measured evaluate(const std::string& path, const std::string& url, int concurrency, int episodes, int maxTurns,
                  uint64_t seed)
{
    Database db = Database::open(path);
    SharedProject project(db);
    const Task task = *DialogueStore(db).task("persuasion");
    const PromptLibrary prompts({PromptLibrary::builtinDir()});
    const auto personas = selectPersonas(loadEvalPersonas(prompts, task), {});
    EvalBackendOptions bo;
    bo.promptDirs = {PromptLibrary::builtinDir()};
    bo.endpointsFile = path + ".no-endpoints.json";
    bo.concurrency = concurrency;
    bo.personaSet = "bench";
    EvalBackends backends(project, task, {parseAgentSpec("endpoint:" + url + ",model=agent,prompt=plain")},
                          parseSimulatorSpec("endpoint:" + url + ",model=sim"), bo);
    EvaluationConfig cfg;
    cfg.task = "persuasion";
    cfg.episodesPerPersona = std::max<int>(1, episodes / static_cast<int>(personas.size()));
    cfg.maxTurns = maxTurns;
    cfg.seed = seed;
    cfg.concurrency = concurrency;
    Measured m;
    const auto t0 = std::chrono::steady_clock::now();
    m.summary = runEvaluation(project, cfg, personas, {{"agent", "endpoint", backends.agents()[0]}},
                              backends.simulator(), {});
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return m;
}

} // namespace

int main(int argc, char** argv)
{
    hw::ensureRuntimeEnvironment(argc, argv);
    std::fprintf(stderr, "%s\n", hw::runtimeEnvironmentSummary().c_str());
    const long latencyMs = argValue(argc, argv, "--latency-ms", 50);
    const int concurrency = static_cast<int>(argValue(argc, argv, "--concurrency", 32));
    const int episodes = static_cast<int>(argValue(argc, argv, "--episodes", 64));
    const int maxTurns = static_cast<int>(argValue(argc, argv, "--max-turns", 10));

    const std::string dir = (std::filesystem::temp_directory_path() / ("bench_evaluate_" + std::to_string(::getpid()))).string();
    std::filesystem::create_directories(dir);
    const std::string path = dir + "/bench.hwb";
    hwtest::makeProject(path, "persuasion", 4);

    std::atomic<int64_t> served{0};
    HttpServer server([&](const HttpServerRequest& req) {
        std::this_thread::sleep_for(std::chrono::milliseconds(latencyMs));
        ++served;
        return HttpServerResponse::json(200, reply(req.body));
    });
    server.start();
    const std::string url = server.baseUrl() + "/v1";

    const Measured wide = evaluate(path, url, concurrency, episodes, maxTurns, 1);
    // One episode at a time, fewer episodes (same per-episode work), another seed: nothing cached.
    const int fewEpisodes = std::max(4, episodes / 8);
    const Measured one = evaluate(path, url, 1, fewEpisodes, maxTurns, 2);
    server.stop();

    const auto& s = wide.summary;
    const double achieved = static_cast<double>(s.usage.requests) / wide.seconds;
    const double limit = static_cast<double>(concurrency) / (static_cast<double>(latencyMs) / 1000.0);
    const double epm = static_cast<double>(s.processed) / wide.seconds * 60.0;
    const double epmOne = static_cast<double>(one.summary.processed) / one.seconds * 60.0;
    std::printf("bench_evaluate: endpoint agent vs LLM simulator, %d agent turns, server latency %ld ms\n", maxTurns,
                latencyMs);
    std::printf("  %d in flight       %lld episodes (%s), %lld requests in %.2f s: %.1f episodes/min\n", concurrency,
                static_cast<long long>(s.processed), s.status.c_str(), static_cast<long long>(s.usage.requests),
                wide.seconds, epm);
    std::printf("  1 in flight        %lld episodes (%s), %lld requests in %.2f s: %.1f episodes/min\n",
                static_cast<long long>(one.summary.processed), one.summary.status.c_str(),
                static_cast<long long>(one.summary.usage.requests), one.seconds, epmOne);
    std::printf("  speed-up           %.1fx\n", epmOne > 0 ? epm / epmOne : 0.0);
    std::printf("  achieved           %.1f requests/s\n", achieved);
    std::printf("  limit C/L          %.1f requests/s\n", limit);
    std::printf("  ratio              %.3f (target >= 0.90) %s\n", achieved / limit,
                achieved / limit >= 0.9 ? "OK" : "BELOW TARGET");
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return s.status == "done" ? 0 : 1;
}
