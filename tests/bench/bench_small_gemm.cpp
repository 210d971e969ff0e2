// bench_small_gemm: the decoding-step matrix products (1-32 rows against a weight) of the small and
// large configs, our smallGemm (core/model/small_gemm.h) against what inferenceLinear used before
// it — BLAS gemv for one row, W·xᵀ gemm for more — in the same run, same thread count.
//
//   bench_small_gemm [--threads K] [--isa avx512|avx2|portable] [--ms M]
//
// Prints per shape and row count: GFLOP/s of both, the ratio, and the largest difference between
// the two results (rounding only).
#include "core/model/small_gemm.h"
#include "core/util/runtime_env.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using Clock = std::chrono::steady_clock;

namespace {

template <typename F>
double secondsPerCall(F f, double budgetMs)
{
    f();
    int calls = 1;
    for (;;) {
        const auto t0 = Clock::now();
        for (int i = 0; i < calls; ++i)
            f();
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        if (s * 1000.0 >= budgetMs)
            return s / calls;
        calls *= 2;
    }
}

} // namespace

int main(int argc, char** argv)
{
    hw::ensureRuntimeEnvironment(argc, argv);
    int threads = 1;
    double budgetMs = 60;
    hw::GemmIsa isa = hw::bestGemmIsa();
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--threads" && i + 1 < argc)
            threads = std::atoi(argv[++i]);
        else if (a == "--ms" && i + 1 < argc)
            budgetMs = std::atof(argv[++i]);
        else if (a == "--isa" && i + 1 < argc) {
            const std::string v = argv[++i];
            isa = v == "avx512" ? hw::GemmIsa::Avx512 : v == "avx2" ? hw::GemmIsa::Avx2 : hw::GemmIsa::Portable;
            if (!hw::gemmIsaSupported(isa)) {
                std::fprintf(stderr, "bench_small_gemm: this CPU has no %s\n", v.c_str());
                return 2;
            }
        } else {
            std::fprintf(stderr, "bench_small_gemm: unknown option %s\n", a.c_str());
            return 2;
        }
    }
    torch::set_num_threads(threads);
    torch::NoGradGuard ng;
    torch::manual_seed(1);
    struct Shape {
        const char* name;
        int64_t in, out;
    };
    const std::vector<std::pair<const char*, std::vector<Shape>>> configs = {
        {"small", {{"q|k|v", 256, 512}, {"o", 256, 256}, {"gate|up", 256, 1376}, {"down", 688, 256}, {"head", 256, 8000}}},
        {"large", {{"q|k|v", 512, 1024}, {"o", 512, 512}, {"gate|up", 512, 2752}, {"down", 1376, 512}, {"head", 512, 8000}}},
    };
    std::printf("bench_small_gemm: kernel %s, %d thread(s); y = x[n,in] . W[out,in]^T; baseline = BLAS gemv (n=1) / W.x^T gemm\n",
                hw::toString(isa), threads);
    for (const auto& [config, shapes] : configs) {
        std::printf("%s config\n", config);
        std::printf("  %-8s %5s %5s %3s  %9s %9s  %6s  %s\n", "product", "in", "out", "n", "ours", "blas", "ratio",
                    "max |diff|");
        double oursTotal[9] = {0}, blasTotal[9] = {0};
        const int64_t rows[9] = {1, 2, 4, 8, 16, 32, 64, 128, 256};
        for (const auto& s : shapes) {
            const auto w = torch::randn({s.out, s.in}) * 0.05;
            for (int ri = 0; ri < 9; ++ri) {
                const int64_t n = rows[ri];
                const auto x = torch::randn({n, s.in});
                auto y = torch::empty({n, s.out});
                const double tOurs = secondsPerCall(
                    [&] { hw::smallGemm(x.data_ptr<float>(), n, s.in, w.data_ptr<float>(), s.out, nullptr, y.data_ptr<float>(), isa); },
                    budgetMs);
                torch::Tensor ref;
                const double tBlas = secondsPerCall(
                    [&] { ref = n == 1 ? at::mv(w, x.select(0, 0)).unsqueeze(0) : n <= 32 ? at::mm(w, x.t()).t().contiguous() : at::mm(x, w.t()); },
                    budgetMs);
                const double flops = 2.0 * double(n) * double(s.in) * double(s.out);
                const double diff = (y - ref).abs().max().item<double>();
                std::printf("  %-8s %5lld %5lld %3lld  %6.1f GF %6.1f GF  %5.2fx  %.1e\n", s.name, (long long)s.in,
                            (long long)s.out, (long long)n, flops / tOurs * 1e-9, flops / tBlas * 1e-9, tBlas / tOurs, diff);
                oursTotal[ri] += tOurs;
                blasTotal[ri] += tBlas;
            }
        }
        std::printf("  one layer's products + head, per decoding step:");
        for (int ri = 0; ri < 9; ++ri)
            std::printf("  n=%lld %.2fx", (long long)rows[ri], blasTotal[ri] / oursTotal[ri]);
        std::printf("\n");
    }
    return 0;
}
