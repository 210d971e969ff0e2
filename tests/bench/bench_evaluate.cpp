// bench_evaluate: episodes per minute of `hindsight evaluate` with an endpoint agent and an LLM
// user simulator on a server that answers every request after a fixed latency L. Episodes are
// sequences of calls (agent turn, user turn, ..., decision), so with C episodes in flight the best
// possible rate is C / L requests per second; the evaluation job (episode runner, call cache,
// one transaction per episode) should reach at least 90% of it. Prints achieved vs limit and the
// ratio, measured in one run; then the same evaluation one episode at a time, for the speed-up.
//
//   bench_evaluate [--latency-ms 50] [--concurrency 32] [--episodes 64] [--max-turns 10]
//
// --local: offline evaluation instead, a π_β checkpoint agent against the local simulator
// (forward model for the user's turns, reward model for the outcome), all trained here for a few
// steps on a small counseling corpus (--preset small: hidden 256, 4 layers; tiny: hidden 32).
// The same episodes run one at a time (generate() per turn, the previous behaviour) and with K
// in flight, where each local model decodes every episode's turn in one batch per step on its
// generation engine; prints episodes/min of both and the ratio (target >= 4x at K = 16).
//
// Models start from the shipped dialogue model (resources/pretrained/dialogue-small, found through
// HW_SOURCE_DIR or the working directory) unless --init none or --init DIR.
//
//   bench_evaluate --local [--k 16] [--episodes 32] [--max-turns 3] [--preset small] [--steps 60]
//                  [--init DIR|none] [--models DIR (keep/reuse the trained models)] [--skip-one]
#include "core/eval/eval_backends.h"
#include "core/eval/eval_persona.h"
#include "core/eval/evaluation_job.h"
#include "core/eval/evaluation_request.h"
#include "core/train/checkpoint.h"
#include "core/train/lm_training_job.h"
#include "tests/support/lm_corpus.h"
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

std::string argText(int argc, char** argv, const char* name, const std::string& fallback)
{
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == name)
            return argv[i + 1];
    return fallback;
}

bool hasFlag(int argc, char** argv, const char* name)
{
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]) == name)
            return true;
    return false;
}

std::string trainModel(const std::string& project, LmRole role, const std::string& preset, int steps,
                       const std::string& outDir, const std::string& init)
{
    LmJobOptions o;
    o.projectPath = project;
    o.role = role;
    o.config = LmTrainConfig::tiny();
    o.config.modelPreset = preset;
    o.config.device = "cpu";
    o.config.maxSteps = steps;
    o.config.optimizer.lr = preset == "tiny" ? 1e-2 : 2e-3;
    o.config.evalEvery = 0;
    if (!init.empty()) {
        o.config.init = init; // its architecture and tokenizer
        o.config.optimizer.lr = 1e-3;
    }
    o.outDir = outDir;
    o.record = false;
    return runLmTrainingJob(o).train.checkpointDir;
}

// Offline evaluation, one episode at a time vs K in flight (see the header).
int benchLocal(int argc, char** argv, const std::string& dir)
{
    const int k = static_cast<int>(argValue(argc, argv, "--k", 16));
    const int episodes = static_cast<int>(argValue(argc, argv, "--episodes", 32));
    const int maxTurns = static_cast<int>(argValue(argc, argv, "--max-turns", 3));
    const int steps = static_cast<int>(argValue(argc, argv, "--steps", 60));
    const std::string preset = argText(argc, argv, "--preset", "small");
    // The demo's starting point: the shipped small dialogue model (hidden 256, 4 layers, 4k
    // vocabulary), fine-tuned here; --init none trains from scratch (400-token vocabulary).
    std::string init = argText(argc, argv, "--init", "");
    if (init.empty()) {
        const char* src = std::getenv("HW_SOURCE_DIR");
        const std::string shipped = std::string(src ? src : ".") + "/resources/pretrained/dialogue-small";
        if (std::filesystem::exists(shipped + "/config.json"))
            init = shipped;
    }
    if (init == "none")
        init.clear();
    // --models DIR keeps the trained models there for the next run (trained when missing).
    const std::string models = argText(argc, argv, "--models", dir);
    std::filesystem::create_directories(models);
    const std::string project = models + "/local.hwb";
    const bool fresh = !std::filesystem::exists(project);
    if (fresh)
        hwtest::insertDialogues(project, hwtest::lmDialogues(48, 11));
    const auto t0 = std::chrono::steady_clock::now();
    auto model = [&](LmRole role, int n, const std::string& name) {
        const std::string out = models + "/" + name;
        if (!fresh && std::filesystem::exists(out))
            return resolveCheckpointDir(out);
        return trainModel(project, role, preset, n, out, init);
    };
    const std::string forward = model(LmRole::Forward, steps, "forward");
    const std::string reward = model(LmRole::Reward, steps / 2, "reward");
    const std::string policy = model(LmRole::PolicySft, steps, "policy");
    std::fprintf(stderr, "three %s models (%d steps from %s) ready in %.1f s\n", preset.c_str(), steps,
                 init.empty() ? "scratch" : init.c_str(),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    const bool skipOne = hasFlag(argc, argv, "--skip-one");

    auto run = [&](int concurrency, const std::string& path) {
        std::filesystem::copy_file(project, path, std::filesystem::copy_options::overwrite_existing);
        Database db = Database::open(path);
        SharedProject shared(db);
        EvaluationRequest r;
        r.task = "counseling";
        r.agents = {"ckpt:" + policy + ",name=policy"};
        r.simulator = "local:" + forward + ",reward=" + reward;
        r.personas = "grief,breakup";
        r.episodesPerPersona = std::max(1, episodes / 2);
        r.maxTurns = maxTurns;
        r.seed = 7;
        r.concurrency = concurrency;
        r.device = "cpu";
        r.promptDirs = {PromptLibrary::builtinDir()};
        Measured m;
        const auto start = std::chrono::steady_clock::now();
        m.summary = runEvaluationRequest(shared, r, {}).summary;
        m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        int64_t turns = 0, chars = 0;
        Statement st(db, "SELECT count(*), coalesce(sum(length(t.text)), 0) FROM turns t JOIN eval_episodes e "
                         "ON e.dialogue_id = t.dialogue_id");
        if (st.step()) {
            turns = st.int64(0);
            chars = st.int64(1);
        }
        std::printf("  %2d in flight   %lld episodes (%s), %lld turns (%lld chars) in %.2f s: %.1f episodes/min\n",
                    concurrency, static_cast<long long>(m.summary.processed), m.summary.status.c_str(),
                    static_cast<long long>(turns), static_cast<long long>(chars), m.seconds,
                    static_cast<double>(m.summary.processed) / m.seconds * 60.0);
        std::fflush(stdout);
        return m;
    };
    std::printf("bench_evaluate --local: π_β checkpoint vs local simulator (%s models), %d agent turns, counseling\n",
                preset.c_str(), maxTurns);
    const Measured one = skipOne ? Measured{} : run(1, dir + "/one.hwb");
    const Measured many = run(k, dir + "/many.hwb");
    const double epmOne = static_cast<double>(one.summary.processed) / one.seconds * 60.0;
    const double epm = static_cast<double>(many.summary.processed) / many.seconds * 60.0;
    const double ratio = epmOne > 0 ? epm / epmOne : 0.0;
    std::printf("  speed-up       %.2fx at K = %d (target >= 4x at K = 16) %s\n", ratio, k,
                ratio >= 4.0 ? "OK" : "BELOW TARGET");
    return (skipOne || one.summary.status == "done") && many.summary.status == "done" ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    hw::ensureRuntimeEnvironment(argc, argv);
    std::fprintf(stderr, "%s\n", hw::runtimeEnvironmentSummary().c_str());
    if (hasFlag(argc, argv, "--local")) {
        const std::string dir
            = (std::filesystem::temp_directory_path() / ("bench_evaluate_local_" + std::to_string(::getpid()))).string();
        std::filesystem::create_directories(dir);
        const int rc = benchLocal(argc, argv, dir);
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
        return rc;
    }
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
