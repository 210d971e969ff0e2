// Training throughput of the LM trainer (not a test): tokens/s, achieved FLOP/s and the share of
// the machine's matrix-product peak measured in the same run (MFU), for the tiny and the default
// ("small": vocab 8k, hidden 256, 4 layers, 4 heads / 2 KV heads, FFN 688) configurations.
//
//   bench_lm_train [--steps N] [--batch B] [--seq T] [--threads K]
#include "core/util/runtime_env.h"
#include "core/model/device.h"
#include <torch/torch.h>

#include "core/model/dialogue_codec.h"
#include "core/model/model_config.h"
#include "core/train/lm_train_config.h"
#include "core/train/lm_trainer.h"
#include "core/train/lm_training_job.h"
#include "tests/support/lm_corpus.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>

using namespace hw;
using Clock = std::chrono::steady_clock;

namespace {

double gemmPeak()
{
    // Best of a few float32 1024^3 products: what this machine's BLAS achieves on big matrices.
    const auto a = torch::randn({1024, 1024});
    const auto b = torch::randn({1024, 1024});
    double best = 0;
    for (int i = 0; i < 8; ++i) {
        const auto t0 = Clock::now();
        auto c = torch::mm(a, b);
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        best = std::max(best, 2.0 * 1024 * 1024 * 1024 / s);
    }
    return best;
}

// Random dialogues of exactly seqLen tokens: alternating user/agent turns of 12-40 tokens.
std::vector<EncodedDialogue> syntheticData(const SpecialTokens& sp, int64_t vocab, int64_t seqLen, int n)
{
    std::mt19937 rng(1);
    std::vector<EncodedDialogue> out;
    for (int i = 0; i < n; ++i) {
        std::vector<TokenTurn> turns;
        int64_t used = 2;
        for (int t = 0; used < seqLen; ++t) {
            TokenTurn tt;
            tt.role = t % 2 == 0 ? Role::User : Role::Agent;
            const int64_t len = std::min<int64_t>(12 + rng() % 29, seqLen - used - 1);
            if (len < 1)
                break;
            for (int64_t k = 0; k < len; ++k)
                tt.tokens.push_back(7 + static_cast<int64_t>(rng() % static_cast<uint32_t>(vocab - 7)));
            used += len + 1;
            turns.push_back(std::move(tt));
        }
        out.push_back(DialogueCodec::encodeTurns(sp, {}, turns, false, 0.f));
    }
    return out;
}

void run(const char* label, LmTrainConfig c, const ModelConfig& mc, const Tokenizer& tok, int steps, int64_t batch,
         int64_t seq, double peak)
{
    c.batchSize = batch;
    c.maxSteps = steps + 3;
    c.warmupSteps = 0;
    c.logEvery = 1;
    c.evalEvery = 0;
    c.device = "cpu";
    c.maxSeqLen = seq;
    torch::manual_seed(0);
    Transformer model(mc);
    model->initWeights();
    LmTrainer t(model, tok, c, LossTokens::All, "bench");
    t.setData(syntheticData(tok.special(), mc.vocabSize, seq, static_cast<int>(batch * 4)), {});
    MemoryMetricsSink sink;
    TrainHooks h;
    h.sink = &sink;
    t.train(h);
    const auto tps = sink.series("tokens_per_s");
    // Steady state: skip the first 3 steps (allocation, first-touch).
    double sum = 0;
    for (size_t i = 3; i < tps.size(); ++i)
        sum += tps[i];
    const double tokensPerS = sum / static_cast<double>(tps.size() - 3);
    const double flops = tokensPerS * mc.trainingFlopsPerToken(seq);
    std::printf("%-6s params %6.2fM  batch %lldx%lld  %8.0f tokens/s  %6.2f GFLOP/s  MFU %5.1f%%  (%.0f ms/step)\n",
                label, static_cast<double>(mc.parameterCount()) / 1e6, static_cast<long long>(batch),
                static_cast<long long>(seq), tokensPerS, flops / 1e9, 100.0 * flops / peak,
                1000.0 * static_cast<double>(batch * seq) / tokensPerS);
}

} // namespace

int main(int argc, char** argv)
{
    hw::ensureRuntimeEnvironment(argc, argv); // OpenBLAS kernels, OpenMP wait policy
    std::fprintf(stderr, "%s\n", hw::runtimeEnvironmentSummary().c_str());
    hw::configureTorchThreads(); // as the CLI: thread count and the caching CPU allocator
    int steps = 8;
    int64_t batch = 16, seq = 256;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--steps"))
            steps = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--batch"))
            batch = std::atoll(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--seq"))
            seq = std::atoll(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--threads"))
            torch::set_num_threads(std::atoi(argv[i + 1]));
    }
    const auto tok = hwtest::lmTokenizer(hwtest::lmDialogues(40), 300);
    const double peak = gemmPeak();
    std::printf("torch threads %d, float32 GEMM peak %.2f GFLOP/s\n", torch::get_num_threads(), peak / 1e9);
    run("tiny", LmTrainConfig::tiny(), ModelConfig::tiny(tok.vocabSize()), tok, steps, batch, std::min<int64_t>(seq, 192), peak);
    run("small", LmTrainConfig{}, ModelConfig::small(8000), tok, steps, batch, seq, peak);
    return 0;
}
