#include "core/rl/ilql_decode.h"

#include "core/model/generation.h"
#include "core/rl/ilql_sampling.h"
#include "core/util/error.h"

#include <limits>
#include <string>

namespace hw {

namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

torch::Tensor as2d(const torch::Tensor& t) { return t.dim() == 1 ? t.unsqueeze(0) : t; }
} // namespace

torch::Tensor ilqlFilterLogits(const torch::Tensor& logits, double temp, std::optional<int64_t> topK,
                               std::optional<double> topP)
{
    auto out = logits / temp;
    const auto V = out.size(-1);
    if (topK && *topK < V)
        out = keepTopK(out, *topK); // exactly k, as the reference's scatter of -inf over the bottom V-k
    if (topP) {
        const auto sorted = std::get<0>(out.sort(-1, /*descending=*/true));
        const auto cumulative = torch::softmax(sorted, -1).cumsum(-1);
        const auto count = (cumulative <= *topP).sum(-1, /*keepdim=*/true).clamp_max(V - 1);
        const auto threshold = sorted.gather(-1, count);
        out = out.masked_fill(out < threshold, kNegInf);
    }
    return out;
}

torch::Tensor ilqlAdvantage(const torch::Tensor& q, const torch::Tensor& v, const IlqlDecodeConfig& config)
{
    torch::Tensor adv;
    if (config.exp_adv) {
        adv = (q - v) * config.adv_weight;
    } else {
        const auto sign = ((q - v) > 0.0).to(torch::kFloat);
        adv = torch::log(sign * config.adv_weight + (1.0 - sign) * (1.0 - config.adv_weight));
    }
    if (config.adv_clip)
        adv = torch::clamp_max(adv, *config.adv_clip);
    return adv;
}

torch::Tensor ilqlDecodeLogits(const torch::Tensor& logitsIn, const torch::Tensor& vIn, const torch::Tensor& minTargetQIn,
                               const IlqlDecodeConfig& config, const torch::Tensor& masked)
{
    config.validate();
    const auto logits = as2d(logitsIn).to(torch::kFloat);
    const auto q = as2d(minTargetQIn).to(torch::kFloat);
    const auto v = vIn.reshape({-1, 1}).to(torch::kFloat);
    const auto N = logits.size(0);
    if (!q.sizes().equals(logits.sizes()) || v.size(0) != N)
        throw Error("ILQL decoding: logits [N,V], target Q [N,V] and V [N] do not fit together");

    torch::NoGradGuard noGrad;
    auto full = torch::zeros_like(logits);
    if (config.include_logits) {
        auto l = masked.defined() ? logits.masked_fill(masked, kNegInf) : logits;
        full = ilqlFilterLogits(l, config.temp, config.top_k, config.top_p);
    }
    if (config.include_adv) {
        auto adv = ilqlAdvantage(q, v.to(q.device()), config);
        if (masked.defined())
            adv = adv.masked_fill(masked, kNegInf);
        full = full + adv;
    }
    return full;
}

IlqlDecodeOutput ilqlDecode(const torch::Tensor& logitsIn, const torch::Tensor& vIn,
                            const torch::Tensor& minTargetQIn, const IlqlDecodeConfig& config,
                            std::optional<int64_t> maskTokenId)
{
    const int64_t V = logitsIn.size(-1);
    if (maskTokenId && (*maskTokenId < 0 || *maskTokenId >= V))
        throw Error("ILQL decoding: masked token id " + std::to_string(*maskTokenId) + " is outside the vocabulary");
    torch::Tensor masked;
    if (maskTokenId) {
        masked = torch::zeros({1, V}, torch::TensorOptions().dtype(torch::kBool).device(logitsIn.device()));
        masked[0][*maskTokenId] = true;
    }
    const auto full = ilqlDecodeLogits(logitsIn, vIn, minTargetQIn, config, masked);
    IlqlDecodeOutput out;
    out.fullLogits = logitsIn.dim() == 1 ? full.squeeze(0) : full;
    const auto probs = torch::softmax(full, -1);
    out.probs = logitsIn.dim() == 1 ? probs.squeeze(0) : probs;
    return out;
}

} // namespace hw
