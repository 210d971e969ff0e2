#pragma once
// Decoding-step kernels for float32 CPU inference (no autograd): the per-token work of a small
// transformer is a few microseconds of arithmetic buried under per-op dispatch, temporary tensors
// and layout copies, so the tiny element-wise parts (RMSNorm, RoPE with the KV-cache write,
// attention over a short query block, SwiGLU) run here as plain loops over raw float pointers, and
// the matrix products of up to 32 rows go to our small-row kernel (small_gemm.h), longer ones to BLAS. Used by Transformer::forward only when
// useInferenceKernels() holds; training and other dtypes/devices keep the ATen path.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include <cstdint>
#include <vector>

namespace hw {

// True when x is a float32 CPU tensor and autograd is off (NoGradGuard or InferenceMode).
bool useInferenceKernels(const torch::Tensor& x);

// Query blocks up to this many tokens use inferenceAttention (scalar loops); longer prompt blocks
// use batched GEMMs.
constexpr int64_t kInferenceAttentionMaxQueries = 16;

// Whether weights are small enough to keep a concatenated copy for one matrix product (the copy
// doubles their memory; for large models separate products cost little next to the weights).
bool fuseForInference(const std::vector<torch::Tensor>& weights);

// x [..., in] · wᵀ [in, out] (+ b) -> [..., out], contiguous.
torch::Tensor inferenceLinear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b = {});

// RMSNorm of the last dimension: x * rsqrt(mean(x²) + eps) * weight, contiguous.
torch::Tensor inferenceRmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps);

// RoPE of one head row of `d` floats (rotate-half layout) into `out`: the one definition used by
// prefill (inferenceRopeSplit) and by the slot decoder, so both give bit-identical keys.
inline void inferenceRopeRow(const float* x, const float* c, const float* s, float* out, int64_t d)
{
    const int64_t half = d / 2;
    for (int64_t i = 0; i < half; ++i)
        out[i] = x[i] * c[i] - x[i + half] * s[i];
    for (int64_t i = half; i < d; ++i)
        out[i] = x[i] * c[i] + x[i - half] * s[i];
}

// Dot product of two rows with eight independent partial sums (summed in a fixed order), so the
// compiler can keep several multiply-adds in flight (and in vector registers): a single running
// sum is bound by the latency of one add per element.
inline float inferenceDot(const float* a, const float* b, int64_t n)
{
    float acc[8] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; ++j)
            acc[j] += a[i + j] * b[i + j];
    float tail = 0.f;
    for (; i < n; ++i)
        tail += a[i] * b[i];
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail;
}

// Attention of one query row over `keys` key/value rows of `d` floats (kb, vb: row l at l * d):
// softmax(q·k * scale + mask) · v into out[d]; scores holds at least `keys` floats. The one
// definition used by prefill (inferenceAttention) and by the slot decoder, so a token decoded in a
// batch sees exactly what it would alone.
inline void inferenceAttendRow(const float* q, const float* kb, const float* vb, int64_t keys, int64_t d, float scale,
                               const float* maskRow, float* scores, float* out)
{
    float mx = -std::numeric_limits<float>::infinity();
    for (int64_t l = 0; l < keys; ++l) {
        float sc = inferenceDot(q, kb + l * d, d) * scale;
        if (maskRow)
            sc += maskRow[l];
        scores[l] = sc;
        mx = std::max(mx, sc);
    }
    float total = 0.f;
    for (int64_t l = 0; l < keys; ++l) {
        scores[l] = std::exp(scores[l] - mx);
        total += scores[l];
    }
    const float inv = 1.f / total;
    for (int64_t l = 0; l < keys; ++l)
        scores[l] *= inv;
    // Each output element sums p_l * v_l over the keys in key order; eight elements at a time in
    // local sums (registers), then the rest.
    int64_t i = 0;
    for (; i + 8 <= d; i += 8) {
        float acc[8] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};
        for (int64_t l = 0; l < keys; ++l) {
            const float p = scores[l];
            const float* vr = vb + l * d + i;
            for (int j = 0; j < 8; ++j)
                acc[j] += p * vr[j];
        }
        std::copy(acc, acc + 8, out + i);
    }
    for (; i < d; ++i) {
        float acc = 0.f;
        for (int64_t l = 0; l < keys; ++l)
            acc += scores[l] * vb[l * d + i];
        out[i] = acc;
    }
}

// Splits fused q|k|v rows [B*T, (heads + 2 kvHeads) * d], applies RoPE (cos/sin [1 or B, 1, T, d],
// contiguous) to q and k, writes q to q [B, heads, T, d] and k, v to kDst/vDst [B, kvHeads, cap, d]
// at positions offset .. offset+T-1 (the KV cache, or fresh buffers with offset 0).
void inferenceRopeSplit(const torch::Tensor& qkv, int64_t B, int64_t T, int64_t heads, int64_t kvHeads, int64_t d,
                        const torch::Tensor& cos, const torch::Tensor& sin, torch::Tensor& q, torch::Tensor& kDst,
                        torch::Tensor& vDst, int64_t offset);

// Grouped-query attention of q [B, heads, T, d] over keys/values [B, kvHeads, >= L, d] (first
// L = past + T positions), causal (query t sees keys <= past + t) unless additiveMask [B,1,T,L] is
// given (then that mask alone, as the ATen path). Returns [B, T, heads * d]. For short query blocks.
torch::Tensor inferenceAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, int64_t past,
                                 const torch::Tensor& additiveMask, double scale);

// gate|up rows [n, 2f] -> silu(gate) * up [n, f].
torch::Tensor inferenceSwiGlu(const torch::Tensor& gateUp);

// The concatenation of `parts` along dim 0 kept for (owner, which), e.g. (attention module, 0) for
// its q|k|v weights: FusedWeight instances in one table, so modules need no member for it.
torch::Tensor fusedWeightFor(const void* owner, int which, const std::vector<torch::Tensor>& parts);

// A concatenation of weights along dim 0, rebuilt only when one of them was replaced or written
// (data pointer or version counter changed), e.g. q|k|v for one matrix product per layer.
class FusedWeight {
public:
    const torch::Tensor& get(const std::vector<torch::Tensor>& parts);

private:
    torch::Tensor m_fused;
    std::vector<std::pair<const void*, uint32_t>> m_key;
};

} // namespace hw
