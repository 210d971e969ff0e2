#include "core/rl/ilql_policy.h"

#include "core/util/error.h"

#include <cmath>

namespace hw {

namespace {

// Last-position hidden states [b,H] of `model` on each row's sequence so far (right-padded;
// causal attention makes the padding harmless).
torch::Tensor lastHidden(Transformer model, const LogitsHookContext& ctx)
{
    if (!ctx.sequences)
        throw Error("ILQL decoding: a separate value or target trunk needs the sequences in the hook context");
    const auto rows = ctx.rows.to(torch::kCPU);
    std::vector<int64_t> lengths;
    int64_t longest = 0;
    for (int64_t i = 0; i < rows.size(0); ++i) {
        const auto& seq = (*ctx.sequences)[static_cast<size_t>(rows[i].item<int64_t>())];
        lengths.push_back(static_cast<int64_t>(seq.size()));
        longest = std::max(longest, lengths.back());
    }
    auto tokens = torch::zeros({rows.size(0), longest}, torch::kLong);
    auto acc = tokens.accessor<int64_t, 2>();
    for (int64_t i = 0; i < rows.size(0); ++i) {
        const auto& seq = (*ctx.sequences)[static_cast<size_t>(rows[i].item<int64_t>())];
        for (size_t t = 0; t < seq.size(); ++t)
            acc[i][static_cast<int64_t>(t)] = seq[t];
    }
    ForwardOptions fo;
    fo.computeLogits = false;
    const auto h = model->forward(tokens.to(model->device()), fo).hidden;
    const auto last = (torch::tensor(lengths, torch::kLong) - 1).to(h.device());
    return h.index({torch::arange(rows.size(0), last.options()), last});
}

} // namespace

std::vector<Transformer> ilqlCompanionTrunks(const IlqlDecodingModel& model)
{
    std::vector<Transformer> out;
    for (const auto& t : {model.valueTrunk, model.targetTrunk})
        if (t)
            out.push_back(t);
    return out;
}

IlqlValues ilqlValuesAt(const IlqlDecodingModel& modelIn, const LogitsHookContext& ctx)
{
    IlqlDecodingModel model = modelIn;   // module holders share their modules; these are not const
    torch::NoGradGuard noGrad;
    const size_t trunks = ilqlCompanionTrunks(model).size();
    if (!ctx.companionHidden.empty() && ctx.companionHidden.size() != trunks)
        throw Error("ILQL decoding: generate() ran " + std::to_string(ctx.companionHidden.size())
                    + " companion models, the ILQL model has " + std::to_string(trunks)
                    + " separate trunks (use ilqlCompanionTrunks)");
    size_t nextCompanion = 0;
    auto trunkHidden = [&](Transformer trunk) {
        return ctx.companionHidden.empty() ? lastHidden(trunk, ctx) : ctx.companionHidden[nextCompanion++];
    };
    const auto dtype = model.heads->v->fc1->weight.dtype();
    const auto hidden = (model.valueTrunk ? trunkHidden(model.valueTrunk) : ctx.hidden).to(dtype);
    IlqlValues out;
    out.v = model.heads->values(hidden).to(torch::kFloat);
    const auto targetHidden = model.targetTrunk ? trunkHidden(model.targetTrunk).to(dtype) : hidden;
    out.q = ilqlClipValues(model.heads->targetQValues(targetHidden), model.config).to(torch::kFloat);
    return out;
}

LogitsHook ilqlLogitsHook(const IlqlDecodingModel& model, const IlqlDecodeConfig& decode, std::function<double()> beta)
{
    decode.validate();
    return [model, decode, beta](const torch::Tensor& logits, const LogitsHookContext& ctx) -> torch::Tensor {
        if (!decode.include_adv)
            return {};
        const auto values = ilqlValuesAt(model, ctx);
        const double w = beta ? beta() : decode.adv_weight;
        const auto diff = values.q.to(logits.device()) - values.v.to(logits.device()).unsqueeze(-1);
        torch::Tensor adv;
        if (decode.exp_adv) {
            adv = diff * w;
        } else {
            const auto sign = (diff > 0.0).to(torch::kFloat);
            adv = torch::log(sign * w + (1.0 - sign) * (1.0 - w));
        }
        if (decode.adv_clip)
            adv = torch::clamp_max(adv, *decode.adv_clip);
        return logits + adv;   // entries filtered to -inf stay -inf
    };
}

SamplingOptions ilqlSamplingOptions(const IlqlDecodeConfig& decode, uint64_t seed)
{
    SamplingOptions s;
    s.temperature = decode.temp;
    s.topK = decode.top_k.value_or(0);
    s.topP = decode.top_p.value_or(1.0);
    s.seed = seed;
    return s;
}

IlqlDecodeOutput ilqlNextTokenDistribution(const IlqlDecodingModel& modelIn, const std::vector<int64_t>& prompt,
                                           const IlqlDecodeConfig& decode, std::optional<int64_t> maskTokenId)
{
    IlqlDecodingModel model = modelIn;
    if (prompt.empty())
        throw Error("ILQL decoding: empty prompt");
    torch::NoGradGuard noGrad;
    const auto device = model.trunk->device();
    const auto tokens = torch::tensor(prompt, torch::kLong).unsqueeze(0).to(device);
    ForwardOptions fo;
    fo.computeLogits = false;
    const auto out = model.trunk->forward(tokens, fo);
    const auto hidden = out.hidden.select(1, out.hidden.size(1) - 1);          // [1,H]
    const auto logits = model.trunk->logits(hidden).to(torch::kFloat);         // [1,V]
    LogitsHookContext ctx;
    ctx.rows = torch::zeros({1}, torch::kLong);
    ctx.hidden = hidden;
    const std::vector<std::vector<int64_t>> sequences{prompt};
    ctx.sequences = &sequences;
    const auto values = ilqlValuesAt(model, ctx);
    const auto r = ilqlDecode(logits.cpu(), values.v.cpu(), values.q.cpu(), decode, maskTokenId);
    return {r.probs.squeeze(0), r.fullLogits.squeeze(0)};
}

} // namespace hw
