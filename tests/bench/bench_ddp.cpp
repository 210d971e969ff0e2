// Data-parallel scaling on this machine (not a test): the same optimizer steps of the "small" LM
// configuration (vocab 8k, hidden 256, 4 layers) on the same global batch, by one process and by
// 2 ranks over Gloo on loopback, one thread each; all figures measured in this run.
//
//   bench_ddp [--steps N] [--batch B] [--seq T] [--tiny]
//
// Prints ms per optimizer step for 1 and 2 ranks, the speed-up and scaling efficiency
// (t1 / (2 t2)), the time rank 0 waited per step for gradient all-reduces that backward did not
// hide (comm_wait), and what one blocking all-reduce of the whole gradient costs here.
#include "core/util/runtime_env.h"
#include "core/model/device.h"
#include <torch/torch.h>

#include "core/dist/local_launcher.h"
#include "core/dist/process_group.h"
#include "core/model/dialogue_codec.h"
#include "core/model/model_config.h"
#include "core/train/lm_train_config.h"
#include "core/train/lm_trainer.h"
#include "core/train/metrics_sink.h"
#include "tests/support/lm_corpus.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>

using namespace hw;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    int steps = 6;
    int64_t batch = 8, seq = 128;
    bool tiny = false;
};

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

struct Measured {
    double msPerStep = 0, commWaitMs = 0, allreduceMs = 0, overlap = 0;
    int64_t params = 0;
};

// Trains warm-up + steps optimizer steps; ms/step from the steady-state tokens/s.
Measured train(const Options& o, ProcessGroup* pg)
{
    const auto tok = hwtest::lmTokenizer(hwtest::lmDialogues(40), 300);
    LmTrainConfig c = o.tiny ? LmTrainConfig::tiny() : LmTrainConfig{};
    const ModelConfig mc = o.tiny ? ModelConfig::tiny(tok.vocabSize()) : ModelConfig::small(8000);
    const int warm = 2;
    c.batchSize = o.batch;
    c.maxSteps = o.steps + warm;
    c.warmupSteps = 0;
    c.logEvery = 1;
    c.evalEvery = 0;
    c.device = "cpu";
    c.maxSeqLen = o.seq;
    torch::manual_seed(0);
    Transformer model(mc);
    model->initWeights();
    LmTrainer t(model, tok, c, LossTokens::All, "bench");
    t.setData(syntheticData(tok.special(), mc.vocabSize, o.seq, static_cast<int>(o.batch * 4)), {});
    MemoryMetricsSink sink;
    TrainHooks h;
    h.sink = &sink;
    h.dist = pg;
    t.train(h);
    Measured m;
    m.params = mc.parameterCount();
    if (pg && pg->rank() != 0)
        return m;
    const auto tps = sink.series("tokens_per_s");
    double s = 0;
    for (size_t i = warm; i < tps.size(); ++i)
        s += static_cast<double>(o.batch * o.seq) / tps[i];   // seconds of that step
    m.msPerStep = 1000.0 * s / static_cast<double>(tps.size() - warm);
    if (pg) {
        const auto wait = sink.series("comm_wait_s");
        double w = 0;
        for (size_t i = warm; i < wait.size(); ++i)
            w += wait[i];
        m.commWaitMs = 1000.0 * w / static_cast<double>(wait.size() - warm);
        const auto ov = sink.series("comm_overlap");
        double o2 = 0;
        for (size_t i = warm; i < ov.size(); ++i)
            o2 += ov[i];
        m.overlap = o2 / static_cast<double>(ov.size() - warm);
    }
    return m;
}

int worker(const Options& o)
{
    try {
        torch::set_num_threads(1);
        ProcessGroup pg(*DistConfig::fromEnvironment());
        auto m = train(o, &pg);
        // One blocking all-reduce of a buffer the size of the gradient, for comparison.
        auto flat = torch::ones({m.params});
        pg.allreduceSum(flat);
        const int reps = 5;
        const auto t0 = Clock::now();
        for (int i = 0; i < reps; ++i)
            pg.allreduceSum(flat);
        m.allreduceMs = 1000.0 * std::chrono::duration<double>(Clock::now() - t0).count() / reps;
        if (pg.rank() == 0) {
            std::ofstream f(std::getenv("HW_BENCH_DDP_OUT"));
            f << m.msPerStep << " " << m.commWaitMs << " " << m.allreduceMs << " " << m.overlap << "\n";
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rank failed: %s\n", e.what());
        return 1;
    }
}

} // namespace

int main(int argc, char** argv)
{
    hw::ensureRuntimeEnvironment(argc, argv);
    Options o;
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) {
        args.emplace_back(argv[i]);
        if (!std::strcmp(argv[i], "--tiny"))
            o.tiny = true;
        else if (i + 1 < argc && !std::strcmp(argv[i], "--steps"))
            o.steps = std::atoi(argv[i + 1]);
        else if (i + 1 < argc && !std::strcmp(argv[i], "--batch"))
            o.batch = std::atoll(argv[i + 1]);
        else if (i + 1 < argc && !std::strcmp(argv[i], "--seq"))
            o.seq = std::atoll(argv[i + 1]);
    }
    if (std::getenv("WORLD_SIZE"))
        return worker(o);

    std::fprintf(stderr, "%s\n", hw::runtimeEnvironmentSummary().c_str());
    if (!ProcessGroup::available()) {
        std::printf("built without c10d: no distributed training to measure\n");
        return 0;
    }
    torch::set_num_threads(1);
    const auto one = train(o, nullptr);

    const auto out = (std::filesystem::temp_directory_path() / ("bench_ddp." + std::to_string(::getpid()))).string();
    LocalLaunchConfig lc;
    lc.program = std::filesystem::read_symlink("/proc/self/exe").string();
    lc.args = args;
    lc.nproc = 2;
    lc.env = {{"OMP_NUM_THREADS", "1"}, {"HW_BENCH_DDP_OUT", out}};
    const auto r = launchLocalRanks(lc);
    if (!r.ok) {
        std::printf("2 ranks failed: %s\n", r.message.c_str());
        return 1;
    }
    Measured two;
    std::ifstream f(out);
    f >> two.msPerStep >> two.commWaitMs >> two.allreduceMs >> two.overlap;
    std::filesystem::remove(out);

    std::printf("%s config, %.2fM parameters (%.1f MB of float32 gradients), global batch %lldx%lld, 1 thread per rank\n",
                o.tiny ? "tiny" : "small", static_cast<double>(one.params) / 1e6,
                static_cast<double>(one.params) * 4 / 1e6, static_cast<long long>(o.batch),
                static_cast<long long>(o.seq));
    std::printf("1 rank : %8.1f ms/step\n", one.msPerStep);
    std::printf("2 ranks: %8.1f ms/step   speed-up %.2fx   scaling efficiency %.0f%%\n", two.msPerStep,
                one.msPerStep / two.msPerStep, 100.0 * one.msPerStep / (2.0 * two.msPerStep));
    std::printf("communication per step (2 ranks): %.1f ms waited after backward (not hidden), "
                "%.1f ms for one blocking all-reduce of the whole gradient; %.0f%% of the buckets started "
                "during backward\n",
                two.commWaitMs, two.allreduceMs, 100.0 * two.overlap);
    return 0;
}
