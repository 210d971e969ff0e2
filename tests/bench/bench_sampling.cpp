// bench_sampling: time of one sampling decision over an 8k vocabulary (filterLogits with top-p /
// top-k, then softmax and a draw), the per-row work of every decoding step that samples.
#include "core/model/generation.h"
#include "core/util/runtime_env.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>

int main(int argc, char** argv)
{
    hw::ensureRuntimeEnvironment(argc, argv);
    torch::set_num_threads(1);
    torch::NoGradGuard ng;
    torch::manual_seed(3);
    const auto base = torch::randn({1, 8000}) * 3;
    struct Case {
        const char* name;
        double temperature, topP;
        int64_t topK;
    };
    for (const Case c : {Case{"greedy", 0, 1, 0}, Case{"temperature 0.7", 0.7, 1, 0}, Case{"top-p 0.95", 1.0, 0.95, 0},
                         Case{"top-k 50", 1.0, 1, 50}, Case{"top-k 50 + top-p 0.9", 0.8, 0.9, 50}}) {
        hw::SamplingOptions o;
        o.temperature = c.temperature;
        o.topP = c.topP;
        o.topK = c.topK;
        const int iters = 2000;
        const auto t0 = std::chrono::steady_clock::now();
        double sink = 0;
        for (int i = 0; i < iters; ++i) {
            auto l = base.clone();
            hw::filterLogits(l, o);
            const auto p = torch::softmax(l.to(torch::kDouble), -1);
            sink += p[0][0].item<double>();
        }
        const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / iters;
        const auto t1 = std::chrono::steady_clock::now();
        for (int i = 0; i < iters; ++i) {
            auto l = base.clone();
            hw::filterLogits(l, o);
        }
        const double filterUs = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t1).count() / iters;
        std::printf("%-24s %8.1f us per decision, %8.1f us of it filtering (%g)\n", c.name, us, filterUs, sink > 0 ? 0.0 : 1.0);
    }
}
