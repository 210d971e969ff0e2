#include "core/model/inference_kernels.h"

#include "core/model/small_gemm.h"
#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>

namespace hw {

bool useInferenceKernels(const torch::Tensor& x)
{
    return !torch::GradMode::is_enabled() && x.device().is_cpu() && x.scalar_type() == torch::kFloat;
}

bool fuseForInference(const std::vector<torch::Tensor>& weights)
{
    constexpr int64_t kMaxFusedBytes = int64_t(64) << 20;
    int64_t bytes = 0;
    for (const auto& w : weights)
        bytes += w.numel() * int64_t(w.element_size());
    return bytes <= kMaxFusedBytes;
}

torch::Tensor inferenceLinear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b)
{
    const int64_t in = w.size(1), out = w.size(0);
    auto sizes = x.sizes().vec();
    sizes.back() = out;
    const auto x2 = x.reshape({-1, in});
    const int64_t n = x2.size(0);
    torch::Tensor y;
    if (n <= kSmallGemmMaxRows && w.is_contiguous() && (!b.defined() || b.is_contiguous())) {
        // A few rows (decoding): our kernel reads each weight row once for all of them and gives
        // every row the same bits whatever else is in the batch (small_gemm.h). Measured 1.1-1.3x
        // BLAS gemv at one row and 1.2-3.7x its gemm at 2-32 rows (bench_small_gemm).
        const auto xc = x2.contiguous();
        y = torch::empty({n, out}, x2.options());
        smallGemm(xc.data_ptr<float>(), n, in, w.data_ptr<float>(), out, b.defined() ? b.data_ptr<float>() : nullptr,
                  y.data_ptr<float>());
    } else {
        y = b.defined() ? at::addmm(b, x2, w.t()) : at::mm(x2, w.t());
    }
    return y.view(sizes);
}

torch::Tensor inferenceRmsNorm(const torch::Tensor& xIn, const torch::Tensor& weight, double eps)
{
    const auto x = xIn.contiguous();
    const int64_t H = x.size(-1), rows = x.numel() / H;
    auto y = torch::empty_like(x);
    const float* xp = x.data_ptr<float>();
    const auto w = weight.contiguous();
    const float* wp = w.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    for (int64_t r = 0; r < rows; ++r) {
        const float* a = xp + r * H;
        float* o = yp + r * H;
        float ss = 0.f;
        for (int64_t i = 0; i < H; ++i)
            ss += a[i] * a[i];
        const float inv = 1.f / std::sqrt(ss / float(H) + float(eps));
        for (int64_t i = 0; i < H; ++i)
            o[i] = a[i] * inv * wp[i];
    }
    return y;
}

void inferenceRopeSplit(const torch::Tensor& qkvIn, int64_t B, int64_t T, int64_t heads, int64_t kvHeads, int64_t d,
                        const torch::Tensor& cosIn, const torch::Tensor& sinIn, torch::Tensor& q, torch::Tensor& kDst,
                        torch::Tensor& vDst, int64_t offset)
{
    const auto qkv = qkvIn.contiguous();
    const auto cos = cosIn.contiguous(), sin = sinIn.contiguous();
    if (!kDst.is_contiguous() || !vDst.is_contiguous() || !q.is_contiguous())
        throw Error("inferenceRopeSplit: destinations must be contiguous");
    const int64_t width = (heads + 2 * kvHeads) * d;
    const int64_t cap = kDst.size(2);
    const int64_t cosRowStride = cos.size(0) == 1 ? 0 : T * d;
    const float* src = qkv.data_ptr<float>();
    const float* cp = cos.data_ptr<float>();
    const float* sp = sin.data_ptr<float>();
    float* qp = q.data_ptr<float>();
    float* kp = kDst.data_ptr<float>();
    float* vp = vDst.data_ptr<float>();
    for (int64_t b = 0; b < B; ++b) {
        for (int64_t t = 0; t < T; ++t) {
            const float* row = src + (b * T + t) * width;
            const float* c = cp + b * cosRowStride + t * d;
            const float* s = sp + b * cosRowStride + t * d;
            for (int64_t h = 0; h < heads; ++h)
                inferenceRopeRow(row + h * d, c, s, qp + ((b * heads + h) * T + t) * d, d);
            const float* kr = row + heads * d;
            const float* vr = kr + kvHeads * d;
            for (int64_t h = 0; h < kvHeads; ++h) {
                const int64_t at = ((b * kvHeads + h) * cap + offset + t) * d;
                inferenceRopeRow(kr + h * d, c, s, kp + at, d);
                std::copy(vr + h * d, vr + (h + 1) * d, vp + at);
            }
        }
    }
}

torch::Tensor inferenceAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, int64_t past,
                                 const torch::Tensor& additiveMaskIn, double scale)
{
    const int64_t B = q.size(0), heads = q.size(1), T = q.size(2), d = q.size(3);
    const int64_t kvHeads = k.size(1), cap = k.size(2);
    const int64_t L = past + T;
    const int64_t group = heads / kvHeads;
    if (!q.is_contiguous() || !k.is_contiguous() || !v.is_contiguous())
        throw Error("inferenceAttention: inputs must be contiguous");
    torch::Tensor mask;
    const float* mp = nullptr;
    if (additiveMaskIn.defined() && additiveMaskIn.dim() == 4) {
        mask = additiveMaskIn.to(torch::kFloat).contiguous();   // [B,1,T,L]
        mp = mask.data_ptr<float>();
    }
    auto out = torch::empty({B, T, heads * d}, q.options());
    const float* qp = q.data_ptr<float>();
    const float* kp = k.data_ptr<float>();
    const float* vp = v.data_ptr<float>();
    float* op = out.data_ptr<float>();
    std::vector<float> scores(static_cast<size_t>(L));
    const float fscale = float(scale);
    for (int64_t b = 0; b < B; ++b) {
        for (int64_t h = 0; h < heads; ++h) {
            const int64_t kvh = h / group;
            const float* kb = kp + (b * kvHeads + kvh) * cap * d;
            const float* vb = vp + (b * kvHeads + kvh) * cap * d;
            for (int64_t t = 0; t < T; ++t) {
                const float* qr = qp + ((b * heads + h) * T + t) * d;
                // With a mask every key position takes part (the mask alone decides, as in the
                // ATen path); without one, causal: keys up to past + t.
                const int64_t keys = mp ? L : past + t + 1;
                inferenceAttendRow(qr, kb, vb, keys, d, fscale, mp ? mp + (b * T + t) * L : nullptr, scores.data(),
                                   op + (b * T + t) * heads * d + h * d);
            }
        }
    }
    return out;
}

torch::Tensor inferenceSwiGlu(const torch::Tensor& gateUpIn)
{
    const auto gu = gateUpIn.contiguous();
    const int64_t f = gu.size(-1) / 2, rows = gu.numel() / (2 * f);
    auto sizes = gu.sizes().vec();
    sizes.back() = f;
    auto out = torch::empty(sizes, gu.options());
    const float* g = gu.data_ptr<float>();
    float* o = out.data_ptr<float>();
    for (int64_t r = 0; r < rows; ++r) {
        const float* gr = g + r * 2 * f;
        const float* ur = gr + f;
        float* orow = o + r * f;
        for (int64_t i = 0; i < f; ++i)
            orow[i] = gr[i] / (1.f + std::exp(-gr[i])) * ur[i];
    }
    return out;
}

namespace {
// Models may run inference on several threads at once (each its own forward); the check and the
// rebuild are serialised. One lock for all: it is held for a comparison of a few pointers.
std::mutex& fusedMutex()
{
    static std::mutex mutex;
    return mutex;
}
} // namespace

torch::Tensor fusedWeightFor(const void* owner, int which, const std::vector<torch::Tensor>& parts)
{
    // Entries outlive their modules (a module allocated later at the same address finds different
    // weights and rebuilds): a few stale copies per process at most, for the models it loaded.
    static std::map<std::pair<const void*, int>, FusedWeight> table;
    FusedWeight* entry;
    {
        std::lock_guard<std::mutex> lock(fusedMutex());
        entry = &table[{owner, which}];
    }
    return entry->get(parts);
}

const torch::Tensor& FusedWeight::get(const std::vector<torch::Tensor>& parts)
{
    std::lock_guard<std::mutex> lock(fusedMutex());
    std::vector<std::pair<const void*, uint32_t>> key;
    key.reserve(parts.size());
    for (const auto& p : parts)
        key.emplace_back(p.data_ptr(), p.is_inference() ? 0u : uint32_t(p._version()));
    if (!m_fused.defined() || key != m_key) {
        c10::InferenceMode notInference(false); // a plain tensor, usable in and out of InferenceMode
        m_fused = torch::cat(parts, 0);
        m_key = std::move(key);
    }
    return m_fused;
}

} // namespace hw
