#pragma once
// Matrix products of a few rows against a weight matrix (decoding steps: 1-32 sequences at a time),
// y[n, out] = x[n, in] · w[out, in]ᵀ (+ bias), float32, row-major, contiguous.
//
// BLAS is built for large products: with a handful of rows it either packs the whole weight for
// little reuse (gemm) or reads it once per row (gemv). Here each weight row is loaded once per
// block of rows (up to 8 with AVX-512, 4 with AVX2) and multiplied against all of them from
// registers, so 8 sequences cost little more memory traffic than one.
//
// Batch invariance: every output element is the same sequence of operations (lane-wise fused
// multiply-adds over `in` in order, then one fixed reduction tree) whatever n is and wherever its
// row sits in the batch, so a sequence decoded with others gives exactly the bits it gives alone.
// The instruction set is chosen once per process (the best the CPU has); results are only compared
// within one process.
#include <cstdint>

namespace hw {

enum class GemmIsa { Portable, Avx2, Avx512 };

// The best kernel this CPU runs (AVX-512F, AVX2 + FMA, else portable C++).
GemmIsa bestGemmIsa();
bool gemmIsaSupported(GemmIsa isa);
const char* toString(GemmIsa isa);

// Rows up to which inferenceLinear uses smallGemm instead of BLAS.
constexpr int64_t kSmallGemmMaxRows = 32;

// y = x · wᵀ (+ bias when not null), on the calling thread: a decoding-step product is too small
// to gain from splitting, and the generation engines of several models already share the cores.
void smallGemm(const float* x, int64_t n, int64_t in, const float* w, int64_t out, const float* bias, float* y,
               GemmIsa isa = bestGemmIsa());

} // namespace hw
