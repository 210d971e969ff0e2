// Time of one full ILQL training step (not a test): forward trunk, heads, loss, backward, AdamW,
// Polyak update, for the small config (vocab 8k, hidden 256, 4 layers, 4 heads / 2 KV heads,
// FFN 688) on a batch of 16 x 256 tokens; achieved FLOP/s and MFU against the float32 GEMM peak
// measured in the same run.
//
// Two ways of doing the same step are timed side by side:
//   ours       value/Q heads only at the state/action slots, the LM head only at the actions,
//              target Q only at the taken tokens (IlqlTrainer::trainStep)
//   reference  what a direct port of the reference does (PyTorch eager style): LM head and all
//              four Q heads over every position [B,T,V], then gathered; timed first, with
//              libtorch's default allocator as PyTorch has. (It calls our ilqlLoss, so it gets our
//              fused row logsumexp too: if anything, the ratio flatters the reference.)
// Ours is timed with one trunk shared by π and the heads (the same work as the reference-style
// step, compared against it) and with the trainer's default separate π_β (two trunks).
//
//   bench_ilql_step [--steps N] [--batch B] [--seq T] [--threads K] [--no-reference]
//   bench_ilql_step --profile     per-op self time of one step of ours (--profile-shapes: per input shape)
#include "core/util/runtime_env.h"
#include "core/model/cpu_caching_allocator.h"
#include "bench_profile.h"
#include <torch/torch.h>

#include "core/model/dialogue_codec.h"
#include "core/model/model_config.h"
#include "core/rl/ilql_heads.h"
#include "core/rl/ilql_loss.h"
#include "core/train/adamw.h"
#include "core/train/ilql_trainer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>

using namespace hw;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }

double gemmPeak()
{
    // Best of float32 products of a few shapes: 1024^3 and the shapes of this step's big products.
    double best = 0;
    for (auto [m, k, n] : {std::tuple<int64_t, int64_t, int64_t>{1024, 1024, 1024}, {2048, 512, 8000}, {4096, 256, 688}}) {
        const auto a = torch::randn({m, k});
        const auto b = torch::randn({k, n});
        for (int i = 0; i < 5; ++i) {
            const auto t0 = Clock::now();
            auto c = torch::mm(a, b);
            best = std::max(best, 2.0 * double(m) * double(k) * double(n) / seconds(t0));
        }
    }
    return best;
}

SpecialTokens benchSpecial()
{
    SpecialTokens s;
    s.pad = 0;
    s.bos = 1;
    s.endOfState = 2;
    s.beginAction = 3;
    s.endOfAction = 4;
    s.endOfDialogue = 5;
    s.unk = 6;
    return s;
}

// Dialogues of exactly seqLen tokens: alternating user/agent turns of 12-40 tokens, reward at the end.
std::vector<EncodedDialogue> syntheticData(int64_t vocab, int64_t seqLen, int n)
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
        out.push_back(DialogueCodec::encodeTurns(benchSpecial(), {}, turns, false, float(rng() % 3)));
    }
    return out;
}

struct Flops {
    double total = 0;
    double trunk = 0, lmHead = 0, heads = 0;
};

// Useful FLOPs of our step: trunk fwd+bwd on every token, LM head and Q heads on action slots,
// V on states, target heads at the taken token only (forward).
Flops stepFlops(const ModelConfig& mc, const std::vector<EncodedDialogue>& rows, int64_t seqLen)
{
    Flops f;
    double tokens = 0, actions = 0, states = 0;
    for (const auto& r : rows) {
        tokens += double(r.tokens.size());
        actions += double(r.actionIdxs.size());
        states += double(r.stateIdxs.size());
    }
    const double H = double(mc.hiddenSize), V = double(mc.vocabSize);
    const double perTokenNoHead = mc.trainingFlopsPerToken(seqLen) - 6.0 * V * H;
    f.trunk = perTokenNoHead * tokens;
    f.lmHead = 6.0 * V * H * actions;
    const double mlpIn = 2.0 * H * 2.0 * H;                                  // Linear(H,2H)
    f.heads = 3.0 * states * (mlpIn + 2.0 * 2.0 * H)                         // V
              + 2.0 * 3.0 * actions * (mlpIn + 2.0 * 2.0 * H * V)            // Q1, Q2
              + 2.0 * actions * (mlpIn + 2.0 * 2.0 * H);                     // targets at the taken token
    f.total = f.trunk + f.lmHead + f.heads;
    return f;
}

// The reference's way: every head on every position, then gathered.
struct ReferenceStep {
    Transformer trunk{nullptr};
    IlqlHeads heads{nullptr};
    std::unique_ptr<AdamW> opt;
    IlqlConfig config;

    double step(const std::vector<EncodedDialogue>& rows)
    {
        const auto b = collate(rows, 0, 8);
        IlqlBatch ib{b.tokens, b.attentionMask, b.stateIdxs, b.actionIdxs, b.rewards, b.terminals, b.actionSlotMask};
        ForwardOptions fo;
        fo.computeLogits = true;
        const auto out = trunk->forward(ib.tokens, fo);                     // logits [B,T,V]
        const auto v = heads->values(out.hidden);                            // [B,T]
        const auto q1 = heads->q1->forward(out.hidden);                      // [B,T,V]
        const auto q2 = heads->q2->forward(out.hidden);
        torch::Tensor tq;
        {
            torch::NoGradGuard g;
            tq = torch::minimum(heads->targetQ1->forward(out.hidden), heads->targetQ2->forward(out.hidden));
        }
        const auto select = ilqlSelectTokens(ib.tokens, ib.actionIdxs);
        IlqlHeadOutputs ho;
        ho.vStates = v.gather(1, ib.stateIdxs);
        ho.q1 = gatherPositions(q1, ib.actionIdxs);
        ho.q2 = gatherPositions(q2, ib.actionIdxs);
        ho.targetQSelected = gatherPositions(tq, ib.actionIdxs).gather(2, select.unsqueeze(2)).squeeze(2);
        IlqlPolicyOutputs policy;
        policy.logits = out.logits;
        const auto r = ilqlLoss(ib, ho, policy, config);
        opt->zeroGrad();
        r.total.backward();
        opt->clipGradNorm(1.0);
        opt->step();
        heads->polyakUpdate(0.005);
        return r.total.item<double>();
    }
};

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    hw::ensureRuntimeEnvironment(argc, argv); // OpenBLAS kernels, OpenMP wait policy
    std::fprintf(stderr, "%s\n", hw::runtimeEnvironmentSummary().c_str());
    int steps = 4;
    int64_t batch = 16, seq = 256;
    int threads = 0;
    bool skipReference = false;
    bool profile = false, profileShapes = false;
    for (int i = 1; i < argc; ++i) {
        auto next = [&] { return i + 1 < argc ? argv[++i] : "0"; };
        if (!std::strcmp(argv[i], "--steps"))
            steps = std::atoi(next());
        else if (!std::strcmp(argv[i], "--batch"))
            batch = std::atoll(next());
        else if (!std::strcmp(argv[i], "--seq"))
            seq = std::atoll(next());
        else if (!std::strcmp(argv[i], "--threads"))
            threads = std::atoi(next());
        else if (!std::strcmp(argv[i], "--no-reference"))
            skipReference = true;
        else if (!std::strcmp(argv[i], "--profile"))
            profile = true;
        else if (!std::strcmp(argv[i], "--profile-shapes"))
            profile = profileShapes = true;
    }
    if (threads > 0)
        torch::set_num_threads(threads);
    torch::manual_seed(0);
    const auto mc = ModelConfig::small(8000);
    const auto rows = syntheticData(mc.vocabSize, seq, int(batch));
    const auto flops = stepFlops(mc, rows, seq);
    int64_t actions = 0;
    for (const auto& r : rows)
        actions += int64_t(r.actionIdxs.size());

    const double peak = gemmPeak();
    std::printf("ILQL step, small config (vocab %lld, hidden %lld, %lld layers, %lld/%lld heads, FFN %lld), "
                "batch %lld x %lld tokens (%lld action slots), torch threads %d\n",
                (long long)mc.vocabSize, (long long)mc.hiddenSize, (long long)mc.numHiddenLayers,
                (long long)mc.numAttentionHeads, (long long)mc.numKeyValueHeads, (long long)mc.intermediateSize,
                (long long)batch, (long long)seq, (long long)actions, torch::get_num_threads());
    std::printf("float32 GEMM peak measured now: %.1f GFLOP/s\n", peak / 1e9);

    IlqlTrainConfig cfg;
    cfg.device = "cpu";
    cfg.batchSize = batch;
    cfg.gradAccumSteps = 1;

    // The reference's way (what a PyTorch-eager port does), timed with libtorch's default
    // allocator like PyTorch itself: first, before the caching allocator is installed.
    auto referenceStep = [&] {
        ReferenceStep ref;
        torch::manual_seed(0);
        ref.trunk = Transformer(mc);
        ref.trunk->initWeights();
        ref.heads = IlqlHeads(IlqlHeadsOptions{mc.hiddenSize, mc.vocabSize, true});
        auto params = decayGroups(*ref.trunk, "trunk.");
        for (auto& p : decayGroups(*ref.heads, "heads."))
            params.push_back(p);
        ref.opt = std::make_unique<AdamW>(params, cfg.optimizer);
        ref.step(rows);
        std::vector<double> rt;
        for (int i = 0; i < steps; ++i) {
            const auto t0 = Clock::now();
            ref.step(rows);
            rt.push_back(seconds(t0));
        }
        return median(rt);
    };
    double refDefault = 0;
    if (!skipReference && !profile) {
        refDefault = referenceStep();
        std::printf("reference-style (all heads on all positions), default allocator: step %.3f s (median of %d)\n",
                    refDefault, steps);
    }

    const bool cached = hw::installCachingCpuAllocator();
    // Ours, timed in two set-ups: "shared" is the same work as the reference-style step (one
    // trunk for π and the value heads, target Q heads only); "separate" is the trainer's default
    // (π_β its own transformer, trained by the token loss, next to the value trunk: two trunks).
    auto oursStep = [&](const std::string& policy, bool doProfile) {
        auto c = cfg;
        c.policy = policy;
        torch::manual_seed(0);
        Transformer model(mc);
        model->initWeights();
        IlqlTrainer trainer(model, std::nullopt, benchSpecial(), c);
        trainer.trainStep(rows);   // warm-up (allocations, first-touch)
        if (doProfile) {
            hwbench::printOpProfile(("one ILQL step (ours, " + policy + ")").c_str(), [&] { trainer.trainStep(rows); },
                                    40, profileShapes);
            return std::make_pair(0.0, 0.0);
        }
        std::vector<double> times;
        for (int i = 0; i < steps; ++i) {
            const auto t0 = Clock::now();
            trainer.trainStep(rows);
            times.push_back(seconds(t0));
        }
        return std::make_pair(median(times), *std::min_element(times.begin(), times.end()));
    };
    if (profile) {
        oursStep("shared", true);
        return 0;
    }
    const auto [ours, oursMin] = oursStep("shared", false);
    std::printf("ours, shared trunk (%s): step %.3f s (median of %d; min %.3f)  useful %.1f GFLOP (trunk %.1f, "
                "LM head %.1f, heads %.1f)  %.1f GFLOP/s  MFU %.1f%%\n",
                cached ? "caching CPU allocator" : "default allocator, HW_CPU_CACHE_MB=0", ours, steps, oursMin,
                flops.total / 1e9, flops.trunk / 1e9, flops.lmHead / 1e9, flops.heads / 1e9, flops.total / ours / 1e9,
                100.0 * flops.total / ours / peak);
    const auto [sep, sepMin] = oursStep("separate", false);
    std::printf("ours, separate pi_beta (trainer default, two trunks): step %.3f s (median of %d; min %.3f)\n", sep,
                steps, sepMin);
    if (!skipReference) {
        std::printf("ratio ours / reference-style (default allocator): %.2fx\n", ours / refDefault);
        if (cached) {
            const double refCached = referenceStep();
            std::printf("reference-style with the caching allocator too: step %.3f s -> ours is %.2fx of it\n",
                        refCached, ours / refCached);
        }
    }
    std::printf("target: ours (shared) <= 0.5x of the PyTorch-eager step (4.0-5.1 s on the 2-core reference machine), i.e. <= 2.0-2.55 s\n");
    return 0;
}
