// bench_model: throughput of the model engine on this machine, with the machine's own
// matrix-product peak measured in the same run, so the MFU ratio needs no outside number.
//
//   bench_model [--steps N] [--batch B] [--seq T] [--gen N] [--json]
//   bench_model --profile              per-op self time of one training step (autograd profiler)
//   bench_model --compare-threads      runs itself with HW_TORCH_THREADS=1 and =2 (both with
//                                      OMP_WAIT_POLICY=PASSIVE, set before start-up as OpenMP
//                                      requires) and prints both results side by side.
//
// Figures: fp32 GEMM peak (torch::mm, 2048^3 and the tall 4096x256x1376 of the FFN), training forward+backward
// tokens/s and achieved FLOP/s (6 * matmul params * tokens + attention) for the default small
// config (vocab 8k, hidden 256, 4 layers, 4 heads / 2 KV heads, FFN 688, batch 16 x 256) -> MFU,
// the AdamW step, and generation tokens/s with and without the KV cache.
#include "core/util/runtime_env.h"
#include "core/model/device.h"
#include "core/model/generation.h"
#include "core/model/transformer.h"

#include "bench_profile.h"
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>

using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }

void sync(const torch::Device& d)
{
    if (d.is_cuda())
        torch::cuda::synchronize();
}

// Best of several timed runs of m x k x n fp32 products.
double gemmPeak(const torch::Device& dev, int64_t m, int64_t k, int64_t n, int reps)
{
    auto a = torch::randn({m, k}, torch::TensorOptions().device(dev));
    auto b = torch::randn({k, n}, torch::TensorOptions().device(dev));
    auto c = torch::mm(a, b);
    sync(dev);
    double best = 0;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = Clock::now();
        torch::mm_out(c, a, b);
        sync(dev);
        best = std::max(best, 2.0 * double(m) * double(k) * double(n) / seconds(t0));
    }
    return best;
}

struct Args {
    int steps = 4;
    int64_t batch = 16;
    int64_t seq = 256;
    int64_t gen = 64;
    bool json = false;
    bool compare = false;
    bool profile = false;
};

Args parse(int argc, char** argv)
{
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string s = argv[i];
        auto next = [&] { return i + 1 < argc ? std::atoll(argv[++i]) : 0LL; };
        if (s == "--steps") a.steps = int(next());
        else if (s == "--batch") a.batch = next();
        else if (s == "--seq") a.seq = next();
        else if (s == "--gen") a.gen = next();
        else if (s == "--json") a.json = true;
        else if (s == "--compare-threads") a.compare = true;
        else if (s == "--profile") a.profile = true;
        else {
            std::cerr << "bench_model: unknown option " << s << "\n";
            std::exit(2);
        }
    }
    return a;
}

nlohmann::json run(const Args& args)
{
    hw::configureTorchThreads();
    const torch::Device dev(hw::defaultDeviceName());
    nlohmann::json out;
    out["device"] = dev.str();
    out["torch_threads"] = torch::get_num_threads();
    out["omp_wait_policy"] = std::getenv("OMP_WAIT_POLICY") ? std::getenv("OMP_WAIT_POLICY") : "";
    torch::manual_seed(0);

    // The machine may be shared (other processes, a busy CI box), so the GEMM peak is probed
    // between the training steps and both are summarised the same way (fastest run): the MFU
    // ratio then compares like with like even when the load changes during the run.
    const int64_t big = dev.is_cuda() ? 8192 : 2048;
    double peakSquare = 0, peakTall = 0;
    auto probe = [&] {
        peakSquare = std::max(peakSquare, gemmPeak(dev, big, big, big, dev.is_cuda() ? 10 : 2));
        // the training GEMMs' shape family: tall-skinny (tokens x hidden x 2*ffn)
        peakTall = std::max(peakTall, gemmPeak(dev, args.batch * args.seq, 256, 1376, 2));
    };

    // training forward + backward, small config
    const auto cfg = hw::ModelConfig::small(8000);
    hw::Transformer model(cfg);
    model->to(dev);
    model->train();
    torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(1e-4));
    auto tokens = torch::randint(0, cfg.vocabSize, {args.batch, args.seq + 1}, torch::TensorOptions().dtype(torch::kLong).device(dev));
    auto inputs = tokens.narrow(1, 0, args.seq), targets = tokens.narrow(1, 1, args.seq);
    auto fwdBwd = [&] {
        auto logits = model->forward(inputs).logits;
        auto loss = torch::nn::functional::cross_entropy(logits.reshape({-1, cfg.vocabSize}), targets.reshape({-1}));
        opt.zero_grad();
        loss.backward();
        return loss;
    };
    fwdBwd();
    opt.step();
    sync(dev);
    double fb = 1e30, fbMean = 0, fwd = 1e30, stepTime = 1e30;
    for (int s = 0; s < args.steps; ++s) {
        probe();
        {
            torch::NoGradGuard ng;
            const auto t0 = Clock::now();
            auto logits = model->forward(inputs).logits;
            torch::nn::functional::cross_entropy(logits.reshape({-1, cfg.vocabSize}), targets.reshape({-1}));
            sync(dev);
            fwd = std::min(fwd, seconds(t0));
        }
        const auto t1 = Clock::now();
        fwdBwd();
        sync(dev);
        const double t = seconds(t1);
        fb = std::min(fb, t);
        fbMean += t / args.steps;
        const auto t2 = Clock::now();
        opt.step();
        sync(dev);
        stepTime = std::min(stepTime, seconds(t2));
    }
    probe();
    const double peak = std::max(peakSquare, peakTall);
    out["gemm_peak_gflops"] = peak / 1e9;
    out["gemm_square_gflops"] = peakSquare / 1e9;
    out["gemm_tall_gflops"] = peakTall / 1e9;
    out["train_fwd_bwd_mean_seconds"] = fbMean;
    const double tokensPerStep = double(args.batch * args.seq);
    const double flops = cfg.trainingFlopsPerToken(args.seq) * tokensPerStep;
    out["params"] = cfg.parameterCount();
    out["matmul_params"] = cfg.matmulParameterCount();
    out["train_flops_per_step"] = flops;
    out["train_fwd_bwd_seconds"] = fb;
    out["train_forward_seconds"] = fwd;
    out["adamw_step_seconds"] = stepTime;
    out["train_tokens_per_second"] = tokensPerStep / fb;
    out["train_gflops"] = flops / fb / 1e9;
    out["mfu"] = flops / fb / peak;
    out["mfu_with_optimizer"] = flops / (fb + stepTime) / peak;
    out["forward_gflops"] = flops / 3.0 / fwd / 1e9;

    // 3. generation, batch 1 and 8, prompt 32
    model->eval();
    for (int64_t b : {int64_t(1), int64_t(8)}) {
        std::vector<std::vector<int64_t>> prompts(size_t(b), std::vector<int64_t>(32, 7));
        for (size_t i = 0; i < prompts.size(); ++i)
            prompts[i][0] = 1 + int64_t(i);
        hw::GenerationOptions g;
        g.maxNewTokens = args.gen;
        g.sampling.temperature = 1.0;
        g.sampling.seed = 1;
        for (bool cache : {true, false}) {
            g.useCache = cache;
            const auto r = hw::generate(model, prompts, g);
            const std::string key = std::string("gen_b") + std::to_string(b) + (cache ? "_cache" : "_nocache");
            out[key + "_tokens_per_second"] = double(r.generatedTokens) / r.seconds;
            out[key + "_first_token_ms"] = r.firstTokenSeconds * 1e3;
        }
    }
    return out;
}

// Self time per op name over one forward+backward step.
void profileStep(const Args& args)
{
    hw::configureTorchThreads();
    const auto cfg = hw::ModelConfig::small(8000);
    hw::Transformer model(cfg);
    model->train();
    auto tokens = torch::randint(0, cfg.vocabSize, {args.batch, args.seq + 1}, torch::kLong);
    auto inputs = tokens.narrow(1, 0, args.seq), targets = tokens.narrow(1, 1, args.seq);
    auto step = [&] {
        auto logits = model->forward(inputs).logits;
        auto loss = torch::nn::functional::cross_entropy(logits.reshape({-1, cfg.vocabSize}), targets.reshape({-1}));
        model->zero_grad();
        loss.backward();
    };
    step();
    hwbench::printOpProfile("one fwd+bwd step", step);
}

void print(const nlohmann::json& r)
{
    std::printf("device %s, torch threads %d, OMP_WAIT_POLICY=%s\n", r["device"].get<std::string>().c_str(),
                r["torch_threads"].get<int>(), r["omp_wait_policy"].get<std::string>().c_str());
    std::printf("  fp32 GEMM peak          %8.1f GFLOP/s  (2048^3 %.1f, tall %.1f)\n", r["gemm_peak_gflops"].get<double>(),
                r["gemm_square_gflops"].get<double>(), r["gemm_tall_gflops"].get<double>());
    std::printf("  train fwd+bwd           %8.3f s/step  %8.0f tokens/s  %6.1f GFLOP/s  MFU %.1f%%  (mean %.3f s)\n",
                r["train_fwd_bwd_seconds"].get<double>(), r["train_tokens_per_second"].get<double>(),
                r["train_gflops"].get<double>(), 100 * r["mfu"].get<double>(), r["train_fwd_bwd_mean_seconds"].get<double>());
    std::printf("  + AdamW step            %8.3f s       MFU incl. optimizer %.1f%%\n", r["adamw_step_seconds"].get<double>(),
                100 * r["mfu_with_optimizer"].get<double>());
    std::printf("  forward only            %8.3f s/step  %6.1f GFLOP/s\n", r["train_forward_seconds"].get<double>(),
                r["forward_gflops"].get<double>());
    for (const char* b : {"b1", "b8"})
        std::printf("  generate %s             cache %7.1f tok/s (first %5.1f ms)   no cache %7.1f tok/s\n", b,
                    r[std::string("gen_") + b + "_cache_tokens_per_second"].get<double>(),
                    r[std::string("gen_") + b + "_cache_first_token_ms"].get<double>(),
                    r[std::string("gen_") + b + "_nocache_tokens_per_second"].get<double>());
}

} // namespace

int main(int argc, char** argv)
{
    hw::ensureRuntimeEnvironment(argc, argv); // OpenBLAS kernels, OpenMP wait policy
    std::fprintf(stderr, "%s\n", hw::runtimeEnvironmentSummary().c_str());
    const Args args = parse(argc, argv);
    if (args.profile) {
        profileStep(args);
        return 0;
    }
    if (args.compare) {
        // OpenMP reads OMP_WAIT_POLICY once at start-up: each setting needs its own process.
        nlohmann::json results = nlohmann::json::array();
        for (int threads : {1, 2}) {
            std::string cmd = "OMP_WAIT_POLICY=PASSIVE HW_TORCH_THREADS=" + std::to_string(threads) + " '"
                              + std::string(argv[0]) + "' --json --steps " + std::to_string(args.steps) + " --batch "
                              + std::to_string(args.batch) + " --seq " + std::to_string(args.seq) + " --gen "
                              + std::to_string(args.gen);
            FILE* p = popen(cmd.c_str(), "r");
            if (!p)
                return 1;
            std::string text;
            char buf[4096];
            size_t n;
            while ((n = fread(buf, 1, sizeof buf, p)) > 0)
                text.append(buf, n);
            if (pclose(p) != 0) {
                std::cerr << "bench_model: child run failed\n" << text;
                return 1;
            }
            const auto r = nlohmann::json::parse(text);
            print(r);
            results.push_back(r);
        }
        const double t1 = results[0]["train_fwd_bwd_seconds"].get<double>() + results[0]["adamw_step_seconds"].get<double>();
        const double t2 = results[1]["train_fwd_bwd_seconds"].get<double>() + results[1]["adamw_step_seconds"].get<double>();
        std::printf("threads: training step 1 thread %.3f s vs 2 threads %.3f s -> %d wins (%.0f%%)\n", t1, t2,
                    t1 <= t2 ? 1 : 2, 100.0 * std::abs(t1 - t2) / std::max(t1, t2));
        const double g1 = results[0]["gen_b1_cache_tokens_per_second"].get<double>();
        const double g2 = results[1]["gen_b1_cache_tokens_per_second"].get<double>();
        std::printf("threads: generation b1 1 thread %.1f tok/s vs 2 threads %.1f tok/s -> %d wins\n", g1, g2, g1 >= g2 ? 1 : 2);
        return 0;
    }
    const auto r = run(args);
    if (args.json)
        std::cout << r.dump() << "\n";
    else
        print(r);
    return 0;
}
