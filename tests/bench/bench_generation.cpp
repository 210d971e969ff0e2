// bench_generation: KV-cache decoding tokens/s of our engine against the PyTorch-eager reference
// (../shared/bench/pytorch-reference, Debian's python3-torch) in the same run, plus the fraction of
// the memory-bandwidth bound at batch 1.
//
//   bench_generation [--rounds N] [--prompt P] [--new N] [--configs small,large] [--threads K]
//                    [--py-threads K] [--python PATH] [--reference DIR] [--no-reference]
//                    [--clients N] [--client-tokens N] [--no-engine]
//
// Engine section (continuous batching, core/gen/generation_engine.h, as `serve` uses it without
// the HTTP layer): N requests (default 16) of --client-tokens new tokens (default 64), different
// prompts, submitted at once, against the same requests served one at a time (each alone in the
// engine); total tokens/s ratio and mean time to first token at N clients over that of one client.
//
// Both sides: greedy, a P-token prompt, N new tokens, batches 1 and 8, prefill included in the time,
// the same config (untied LM head as the reference has), the same OpenBLAS kernels (the reference
// runs as our child, so it inherits the runtime environment ensureRuntimeEnvironment() set).
// The reference runs as one long-lived Python process driven over a pipe, so its runs interleave
// with ours round by round; medians over the rounds are printed with the ratio of those medians.
// The machine may be shared (other builds running): interleaving keeps the ratio fair when the
// load changes, the absolute figures move with it.
//
// Bandwidth bound: every matrix-product weight is read once per decoding step (batch 1), so
// tokens/s cannot exceed copy bandwidth / weight bytes (the issue's definition); the copy bandwidth is
// measured here (best of five 256 MiB copies, read + write bytes). The small config's 20 MB may
// partly stay in the last-level cache, so more than 100% is possible there.
#include "core/gen/generation_engine.h"
#include "core/model/generation.h"
#include "core/model/transformer.h"
#include "core/util/build_paths.h"
#include "core/util/runtime_env.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using Clock = std::chrono::steady_clock;

namespace {

struct Args {
    int rounds = 3;
    int64_t prompt = 32;
    int64_t newTokens = 128;
    std::vector<std::string> configs{"small", "large"};
    int threads = 1;
    int pyThreads = 1;
    std::string python = "/usr/bin/python3";
    std::string reference;
    bool noReference = false;
    int clients = 16;
    int64_t clientTokens = 64;
    bool noEngine = false;
};

[[noreturn]] void usage(const std::string& why)
{
    std::fprintf(stderr, "bench_generation: %s\n", why.c_str());
    std::exit(2);
}

Args parse(int argc, char** argv)
{
    Args a;
    a.reference = std::string(hw::buildSharedDir()) + "/bench/pytorch-reference";
    for (int i = 1; i < argc; ++i) {
        const std::string s = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc)
                usage(s + " needs a value");
            return argv[++i];
        };
        if (s == "--rounds") a.rounds = std::max(1, std::atoi(next().c_str()));
        else if (s == "--prompt") a.prompt = std::atoll(next().c_str());
        else if (s == "--new") a.newTokens = std::atoll(next().c_str());
        else if (s == "--threads") a.threads = std::atoi(next().c_str());
        else if (s == "--py-threads") a.pyThreads = std::atoi(next().c_str());
        else if (s == "--python") a.python = next();
        else if (s == "--reference") a.reference = next();
        else if (s == "--no-reference") a.noReference = true;
        else if (s == "--clients") a.clients = std::max(1, std::atoi(next().c_str()));
        else if (s == "--client-tokens") a.clientTokens = std::atoll(next().c_str());
        else if (s == "--no-engine") a.noEngine = true;
        else if (s == "--configs") {
            a.configs.clear();
            std::string list = next();
            size_t at = 0;
            while (at <= list.size()) {
                const size_t comma = list.find(',', at);
                const std::string item = list.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
                if (item != "small" && item != "large")
                    usage("unknown config '" + item + "' (small, large)");
                a.configs.push_back(item);
                if (comma == std::string::npos)
                    break;
                at = comma + 1;
            }
        } else
            usage("unknown option " + s);
    }
    return a;
}

hw::ModelConfig configNamed(const std::string& name)
{
    auto c = hw::ModelConfig::small(8000);
    if (name == "large") {
        c.hiddenSize = 512;
        c.numHiddenLayers = 8;
        c.numAttentionHeads = 8;
        c.numKeyValueHeads = 4;
        c.intermediateSize = 1376;
    }
    c.tieWordEmbeddings = false; // as the reference model
    return c;
}

// The reference driver: one Python process, one JSON line per "BATCH\n" request.
const char* kDriver = R"PY(
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import torch
from llama_ilql import LlamaILQL, LlamaConfig
from generate_bench import generate_cached
h, L, nh, kvh, ffn, prompt_len, new, threads = map(int, sys.argv[2:10])
torch.set_num_threads(threads)
torch.manual_seed(0)
cfg = LlamaConfig(vocab=8000, hidden=h, layers=L, heads=nh, kv_heads=kvh, ffn=ffn, max_seq=prompt_len + new + 8)
model = LlamaILQL(cfg).eval()
prompts = {}
print(json.dumps({"ready": True, "threads": torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    B = int(line)
    if B not in prompts:
        prompts[B] = torch.randint(0, cfg.vocab, (B, prompt_len))
        generate_cached(model, prompts[B], 8, 0.0)   # warm-up
    t0 = time.perf_counter()
    generate_cached(model, prompts[B], new, 0.0)
    print(json.dumps({"batch": B, "seconds": time.perf_counter() - t0}), flush=True)
)PY";

class Reference {
public:
    bool start(const Args& a, const hw::ModelConfig& c, std::string& why)
    {
        const std::string script = "/tmp/hw_bench_generation_driver_" + std::to_string(getpid()) + ".py";
        std::ofstream(script) << kDriver;
        int toChild[2], fromChild[2];
        if (pipe(toChild) != 0 || pipe(fromChild) != 0) {
            why = "pipe failed";
            return false;
        }
        m_pid = fork();
        if (m_pid == 0) {
            dup2(toChild[0], 0);
            dup2(fromChild[1], 1);
            close(toChild[1]);
            close(fromChild[0]);
            if (a.pyThreads > 1)
                setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
            std::vector<std::string> args{a.python, script, a.reference, std::to_string(c.hiddenSize),
                                          std::to_string(c.numHiddenLayers), std::to_string(c.numAttentionHeads),
                                          std::to_string(c.numKeyValueHeads), std::to_string(c.intermediateSize),
                                          std::to_string(a.prompt), std::to_string(a.newTokens),
                                          std::to_string(a.pyThreads)};
            std::vector<char*> argv;
            for (auto& s : args)
                argv.push_back(s.data());
            argv.push_back(nullptr);
            execv(a.python.c_str(), argv.data());
            _exit(127);
        }
        close(toChild[0]);
        close(fromChild[1]);
        m_in = fdopen(toChild[1], "w");
        m_out = fdopen(fromChild[0], "r");
        const auto hello = readLine();
        std::remove(script.c_str());
        if (hello.empty()) {
            why = "the reference did not start (" + a.python + " with python3-torch, " + a.reference + ")";
            return false;
        }
        return true;
    }
    double run(int64_t batch)
    {
        std::fprintf(m_in, "%ld\n", long(batch));
        std::fflush(m_in);
        const auto line = readLine();
        if (line.empty())
            return -1;
        return nlohmann::json::parse(line).value("seconds", -1.0);
    }
    ~Reference()
    {
        if (m_in)
            std::fclose(m_in);
        if (m_out)
            std::fclose(m_out);
        if (m_pid > 0)
            waitpid(m_pid, nullptr, 0);
    }

private:
    std::string readLine()
    {
        char buf[4096];
        if (!m_out || !std::fgets(buf, sizeof buf, m_out))
            return {};
        return buf;
    }
    pid_t m_pid = -1;
    FILE* m_in = nullptr;
    FILE* m_out = nullptr;
};

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

struct EngineFigures {
    double tokensPerSecond = 0;
    double meanFirstTokenSeconds = 0;
};

// n requests through the engine, all at once (together) or each after the previous (alone).
EngineFigures engineRun(hw::GenerationEngine& engine, const hw::ModelConfig& cfg, const Args& a, int n, bool together)
{
    std::vector<hw::EngineRequest> requests;
    for (int i = 0; i < n; ++i) {
        hw::EngineRequest r;
        std::vector<int64_t> p(size_t(a.prompt));
        for (size_t t = 0; t < p.size(); ++t)
            p[t] = int64_t(3 + (size_t(i) * 131 + t * 17) % size_t(cfg.vocabSize - 3));
        r.prompts = {p};
        r.options.maxNewTokens = a.clientTokens;
        r.options.sampling.temperature = 0;
        requests.push_back(std::move(r));
    }
    const auto t0 = Clock::now();
    std::vector<hw::GenerationResult> results;
    if (together) {
        std::vector<std::future<hw::GenerationResult>> futures;
        for (auto& r : requests)
            futures.push_back(engine.submit(std::move(r)));
        for (auto& f : futures)
            results.push_back(f.get());
    } else {
        for (auto& r : requests)
            results.push_back(engine.submit(std::move(r)).get());
    }
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    EngineFigures f;
    int64_t tokens = 0;
    for (const auto& r : results) {
        tokens += r.generatedTokens;
        f.meanFirstTokenSeconds += r.firstTokenSeconds / double(results.size());
    }
    f.tokensPerSecond = double(tokens) / wall;
    return f;
}

double copyBandwidth()
{
    auto a = torch::ones({int64_t(64) << 20});
    auto b = torch::empty_like(a);
    double best = 0;
    for (int i = 0; i < 5; ++i) {
        const auto t0 = Clock::now();
        b.copy_(a);
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        best = std::max(best, 2.0 * double(a.numel()) * 4.0 / s);
    }
    return best;
}

} // namespace

int main(int argc, char** argv)
{
    hw::ensureRuntimeEnvironment(argc, argv);
    const Args args = parse(argc, argv);
    torch::set_num_threads(args.threads);
    const double bandwidth = copyBandwidth();
    std::printf("bench_generation: greedy, prompt %ld, %ld new tokens, KV cache; ours %d thread(s), reference %d "
                "thread(s); %d interleaved rounds, medians\n",
                long(args.prompt), long(args.newTokens), args.threads, args.pyThreads, args.rounds);
    std::printf("copy bandwidth %.1f GB/s (read + write)\n", bandwidth / 1e9);
    for (const auto& name : args.configs) {
        const auto cfg = configNamed(name);
        torch::manual_seed(0);
        hw::Transformer model(cfg);
        model->eval();
        Reference ref;
        std::string why;
        const bool haveRef = !args.noReference && ref.start(args, cfg, why);
        if (!args.noReference && !haveRef)
            std::printf("  (no reference: %s)\n", why.c_str());
        std::map<int64_t, std::vector<double>> ours, theirs;
        for (int round = 0; round < args.rounds; ++round) {
            for (int64_t b : {int64_t(1), int64_t(8)}) {
                std::vector<std::vector<int64_t>> prompts(size_t(b), std::vector<int64_t>(size_t(args.prompt)));
                for (size_t i = 0; i < prompts.size(); ++i)
                    for (size_t t = 0; t < prompts[i].size(); ++t)
                        prompts[i][t] = int64_t(3 + (i * 131 + t * 17) % size_t(cfg.vocabSize - 3));
                hw::GenerationOptions g;
                g.sampling.temperature = 0;
                g.maxNewTokens = args.newTokens;
                if (round == 0) {
                    auto warm = g;
                    warm.maxNewTokens = 8;
                    hw::generate(model, prompts, warm);
                }
                if (haveRef) {
                    const double s = ref.run(b);
                    if (s > 0)
                        theirs[b].push_back(double(b * args.newTokens) / s);
                }
                const auto r = hw::generate(model, prompts, g);
                ours[b].push_back(double(r.generatedTokens) / r.seconds);
            }
        }
        const double weightBytes = double(cfg.matmulParameterCount()) * 4.0;
        std::printf("%s config (vocab %ld, hidden %ld, %ld layers, %ld/%ld heads, ffn %ld; %.1f MB of weights per step)\n",
                    name.c_str(), long(cfg.vocabSize), long(cfg.hiddenSize), long(cfg.numHiddenLayers),
                    long(cfg.numAttentionHeads), long(cfg.numKeyValueHeads), long(cfg.intermediateSize), weightBytes / 1e6);
        for (int64_t b : {int64_t(1), int64_t(8)}) {
            const double o = median(ours[b]), p = median(theirs[b]);
            std::printf("  batch %ld  ours %8.1f tok/s   pytorch %8.1f tok/s   ratio %5.2fx", long(b), o, p, p > 0 ? o / p : 0.0);
            if (b == 1) {
                const double bound = bandwidth / weightBytes; // step time >= weight bytes / copy bandwidth
                std::printf("   bandwidth bound %.0f tok/s (%.0f%% reached)", bound, 100.0 * o / bound);
            }
            std::printf("\n");
        }
        if (args.noEngine)
            continue;
        hw::EngineOptions eo;
        eo.maxBatch = std::max(args.clients, 1);
        eo.maxQueue = args.clients * 2;
        eo.maxLength = args.prompt + args.clientTokens + 8;
        hw::GenerationEngine engine(model, eo);
        engineRun(engine, cfg, args, 2, true); // warm-up
        std::vector<double> aloneTps, togetherTps, ttft1, ttftN;
        for (int round = 0; round < args.rounds; ++round) {
            const auto alone = engineRun(engine, cfg, args, args.clients, false);
            const auto together = engineRun(engine, cfg, args, args.clients, true);
            aloneTps.push_back(alone.tokensPerSecond);
            togetherTps.push_back(together.tokensPerSecond);
            ttft1.push_back(alone.meanFirstTokenSeconds);
            ttftN.push_back(together.meanFirstTokenSeconds);
        }
        const double a1 = median(aloneTps), aN = median(togetherTps), f1 = median(ttft1), fN = median(ttftN);
        std::printf("  engine: %d clients x %ld tokens at once %8.1f tok/s, one at a time %8.1f tok/s, ratio %5.2fx; "
                    "mean first token %.1f ms vs %.1f ms alone (%.2fx)\n",
                    args.clients, long(args.clientTokens), aN, a1, a1 > 0 ? aN / a1 : 0.0, fN * 1e3, f1 * 1e3,
                    f1 > 0 ? fN / f1 : 0.0);
    }
    return 0;
}
