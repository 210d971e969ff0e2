#include "core/model/small_gemm.h"

#include <algorithm>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HW_GEMM_X86 1
// GCC 12's AVX-512 headers build some casts from an uninitialised register on purpose.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#define HW_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define HW_TARGET_AVX512 __attribute__((target("avx512f,avx2,fma")))
#else
#define HW_GEMM_X86 0
#endif

namespace hw {

const char* toString(GemmIsa isa)
{
    switch (isa) {
    case GemmIsa::Avx512: return "avx512";
    case GemmIsa::Avx2: return "avx2";
    case GemmIsa::Portable: break;
    }
    return "portable";
}

bool gemmIsaSupported(GemmIsa isa)
{
#if HW_GEMM_X86
    __builtin_cpu_init();
    switch (isa) {
    case GemmIsa::Avx512: return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case GemmIsa::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case GemmIsa::Portable: return true;
    }
    return false;
#else
    return isa == GemmIsa::Portable;
#endif
}

GemmIsa bestGemmIsa()
{
    static const GemmIsa best = gemmIsaSupported(GemmIsa::Avx512) ? GemmIsa::Avx512
                                : gemmIsaSupported(GemmIsa::Avx2)  ? GemmIsa::Avx2
                                                                   : GemmIsa::Portable;
    return best;
}

namespace {

// Portable: eight lane sums over `in` in order, then the same tree as the vector kernels.
float portableDot(const float* a, const float* b, int64_t n)
{
    float acc[8] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};
    int64_t k = 0;
    for (; k + 8 <= n; k += 8)
        for (int j = 0; j < 8; ++j)
            acc[j] += a[k + j] * b[k + j];
    for (int j = 0; k + j < n; ++j)
        acc[j] += a[k + j] * b[k + j];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

void portableRange(const float* x, int64_t n, int64_t in, const float* w, int64_t out, const float* bias, float* y,
                   int64_t o0, int64_t o1)
{
    for (int64_t o = o0; o < o1; ++o)
        for (int64_t r = 0; r < n; ++r)
            y[r * out + o] = portableDot(w + o * in, x + r * in, in) + (bias ? bias[o] : 0.f);
}

#if HW_GEMM_X86

// Four 8-lane sums at once: lane tree ((0+1)+(2+3))+((4+5)+(6+7)) for each vector, whatever the
// other three hold.
HW_TARGET_AVX2 inline __m128 reduce4(__m256 a, __m256 b, __m256 c, __m256 d)
{
    const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}

// Writes the O x R accumulated dot products (8 lanes each) plus bias to y (row stride ldy).
template <int O, int R>
HW_TARGET_AVX2 inline void storeTile(__m256 (&acc)[O][R], const float* bias, float* y, int64_t ldy)
{
    constexpr int kCount = O * R, kPadded = (kCount + 3) / 4 * 4;
    __m256 flat[kPadded];
#pragma GCC unroll 32
    for (int i = 0; i < kPadded; ++i)
        flat[i] = i < kCount ? acc[i / R][i % R] : _mm256_setzero_ps();
    alignas(16) float sums[kPadded];
#pragma GCC unroll 8
    for (int i = 0; i < kPadded; i += 4)
        _mm_store_ps(sums + i, reduce4(flat[i], flat[i + 1], flat[i + 2], flat[i + 3]));
#pragma GCC unroll 8
    for (int o = 0; o < O; ++o)
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r)
            y[r * ldy + o] = sums[o * R + r] + (bias ? bias[o] : 0.f);
}

// O weight rows x R input rows, 8 floats per step; the tail of `in` by masked loads (zeros), so
// every element takes the same steps.
template <int O, int R>
HW_TARGET_AVX2 void tileAvx2(const float* x, int64_t in, const float* w, const float* bias, float* y, int64_t ldy,
                             __m256i tailMask)
{
    __m256 acc[O][R];
#pragma GCC unroll 8
    for (int o = 0; o < O; ++o)
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r)
            acc[o][r] = _mm256_setzero_ps();
    int64_t k = 0;
    for (; k + 8 <= in; k += 8) {
        __m256 wv[O];
#pragma GCC unroll 8
        for (int o = 0; o < O; ++o)
            wv[o] = _mm256_loadu_ps(w + o * in + k);
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
            const __m256 xv = _mm256_loadu_ps(x + r * in + k);
#pragma GCC unroll 8
            for (int o = 0; o < O; ++o)
                acc[o][r] = _mm256_fmadd_ps(wv[o], xv, acc[o][r]);
        }
    }
    if (k < in) {
        __m256 wv[O];
#pragma GCC unroll 8
        for (int o = 0; o < O; ++o)
            wv[o] = _mm256_maskload_ps(w + o * in + k, tailMask);
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
            const __m256 xv = _mm256_maskload_ps(x + r * in + k, tailMask);
#pragma GCC unroll 8
            for (int o = 0; o < O; ++o)
                acc[o][r] = _mm256_fmadd_ps(wv[o], xv, acc[o][r]);
        }
    }
    storeTile<O, R>(acc, bias, y, ldy);
}

// 16 floats per step; the lanes i and i + 8 are added first, then the AVX2 tree.
template <int O, int R>
HW_TARGET_AVX512 void tileAvx512(const float* x, int64_t in, const float* w, const float* bias, float* y, int64_t ldy,
                                 __mmask16 tailMask)
{
    __m512 acc[O][R];
#pragma GCC unroll 8
    for (int o = 0; o < O; ++o)
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r)
            acc[o][r] = _mm512_setzero_ps();
    int64_t k = 0;
    for (; k + 16 <= in; k += 16) {
        __m512 wv[O];
#pragma GCC unroll 8
        for (int o = 0; o < O; ++o)
            wv[o] = _mm512_loadu_ps(w + o * in + k);
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
            const __m512 xv = _mm512_loadu_ps(x + r * in + k);
#pragma GCC unroll 8
            for (int o = 0; o < O; ++o)
                acc[o][r] = _mm512_fmadd_ps(wv[o], xv, acc[o][r]);
        }
    }
    if (k < in) {
        __m512 wv[O];
#pragma GCC unroll 8
        for (int o = 0; o < O; ++o)
            wv[o] = _mm512_maskz_loadu_ps(tailMask, w + o * in + k);
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
            const __m512 xv = _mm512_maskz_loadu_ps(tailMask, x + r * in + k);
#pragma GCC unroll 8
            for (int o = 0; o < O; ++o)
                acc[o][r] = _mm512_fmadd_ps(wv[o], xv, acc[o][r]);
        }
    }
    __m256 folded[O][R];
#pragma GCC unroll 8
    for (int o = 0; o < O; ++o)
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r)
            folded[o][r] = _mm256_add_ps(_mm512_castps512_ps256(acc[o][r]),
                                         _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc[o][r]), 1)));
    storeTile<O, R>(folded, bias, y, ldy);
}

// Outputs [o0, o1) for rows [r0, r0 + R): tiles of O outputs, then single outputs.
template <int O, int R>
HW_TARGET_AVX512 void rowBlockAvx512(const float* x, int64_t in, const float* w, int64_t out, const float* bias,
                                     float* y, int64_t r0, int64_t o0, int64_t o1)
{
    const float* xr = x + r0 * in;
    float* yr = y + r0 * out;
    const __mmask16 mask = __mmask16((1u << (in % 16)) - 1u);
    int64_t o = o0;
    for (; o + O <= o1; o += O)
        tileAvx512<O, R>(xr, in, w + o * in, bias ? bias + o : nullptr, yr + o, out, mask);
    for (; o < o1; ++o)
        tileAvx512<1, R>(xr, in, w + o * in, bias ? bias + o : nullptr, yr + o, out, mask);
}

template <int O, int R>
HW_TARGET_AVX2 void rowBlockAvx2(const float* x, int64_t in, const float* w, int64_t out, const float* bias, float* y,
                                 int64_t r0, int64_t o0, int64_t o1)
{
    const float* xr = x + r0 * in;
    float* yr = y + r0 * out;
    alignas(32) int32_t lanes[8];
    for (int i = 0; i < 8; ++i)
        lanes[i] = i < in % 8 ? -1 : 0;
    const __m256i mask = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes));
    int64_t o = o0;
    for (; o + O <= o1; o += O)
        tileAvx2<O, R>(xr, in, w + o * in, bias ? bias + o : nullptr, yr + o, out, mask);
    for (; o < o1; ++o)
        tileAvx2<1, R>(xr, in, w + o * in, bias ? bias + o : nullptr, yr + o, out, mask);
}

template <int O, int R, bool Wide>
void rowBlock(const float* x, int64_t in, const float* w, int64_t out, const float* bias, float* y, int64_t r0,
              int64_t o0, int64_t o1)
{
    if constexpr (Wide)
        rowBlockAvx512<O, R>(x, in, w, out, bias, y, r0, o0, o1);
    else
        rowBlockAvx2<O, R>(x, in, w, out, bias, y, r0, o0, o1);
}

// Rows in blocks of kRows (8 for AVX-512, 4 for AVX2), outputs [o0, o1). A weight tile is reused
// from cache across the row blocks: the output tiles are the outer loop.
template <bool Wide>
void vectorRange(const float* x, int64_t n, int64_t in, const float* w, int64_t out, const float* bias, float* y,
                 int64_t o0, int64_t o1)
{
    constexpr int64_t kRows = Wide ? 8 : 4;
    // Outputs in chunks small enough that the weight rows stay in L1/L2 while every row block
    // passes over them.
    const int64_t chunk = std::max<int64_t>(12, (int64_t(24) << 10) / std::max<int64_t>(1, in) / 12 * 12);
    for (int64_t c0 = o0; c0 < o1; c0 += chunk) {
        const int64_t c1 = std::min(o1, c0 + chunk);
        for (int64_t r0 = 0; r0 < n; r0 += kRows) {
            switch (std::min(kRows, n - r0)) {
            case 1: rowBlock<4, 1, Wide>(x, in, w, out, bias, y, r0, c0, c1); break;
            case 2: rowBlock<4, 2, Wide>(x, in, w, out, bias, y, r0, c0, c1); break;
            case 3: rowBlock<3, 3, Wide>(x, in, w, out, bias, y, r0, c0, c1); break;
            case 4: rowBlock<3, 4, Wide>(x, in, w, out, bias, y, r0, c0, c1); break;
            case 5: rowBlock<3, 5, Wide>(x, in, w, out, bias, y, r0, c0, c1); break;
            case 6: rowBlock<3, 6, Wide>(x, in, w, out, bias, y, r0, c0, c1); break;
            case 7: rowBlock<3, 7, Wide>(x, in, w, out, bias, y, r0, c0, c1); break;
            default: rowBlock<3, 8, Wide>(x, in, w, out, bias, y, r0, c0, c1); break;
            }
        }
    }
}

#endif

} // namespace

void smallGemm(const float* x, int64_t n, int64_t in, const float* w, int64_t out, const float* bias, float* y,
               GemmIsa isa)
{
    if (n <= 0 || out <= 0)
        return;
#if HW_GEMM_X86
    if (isa == GemmIsa::Avx512)
        return vectorRange<true>(x, n, in, w, out, bias, y, 0, out);
    if (isa == GemmIsa::Avx2)
        return vectorRange<false>(x, n, in, w, out, bias, y, 0, out);
#endif
    portableRange(x, n, in, w, out, bias, y, 0, out);
}

} // namespace hw
