#include "core/rl/ilql_policy.h"

#include "core/rl/ilql_sampling.h"
#include "core/util/error.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

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
        // generate() ran with ilqlSamplingOptions(): `logits` are π_β's raw logits with only the
        // banned tokens (and any caller's bans, e.g. stop tokens at the first step) at -inf, so
        // those are exactly the masked tokens of the decoding below.
        const auto values = ilqlValuesAt(model, ctx);
        IlqlDecodeConfig c = decode;
        if (beta)
            c.adv_weight = beta();
        const auto masked = torch::isneginf(logits);
        return ilqlDecodeLogits(logits, values.v.to(logits.device()), values.q.to(logits.device()), c, masked);
    };
}

SamplingOptions ilqlSamplingOptions(const IlqlDecodeConfig& decode, uint64_t seed)
{
    (void)decode; // temperature, top-k and top-p are applied by ilqlDecodeLogits in the hook
    SamplingOptions s;
    s.temperature = 1.0; // 0 for greedy (argmax of the hook's logits)
    s.seed = seed;
    return s;
}

IlqlDecodeConfig ilqlDecodeConfigFor(const IlqlDecodeConfig& base, double temperature, int64_t topK, double topP,
                                     double beta)
{
    IlqlDecodeConfig c = base;
    c.temp = temperature > 0 ? temperature : 1.0;
    c.top_k = topK > 0 ? std::optional<int64_t>(topK) : std::nullopt;
    c.top_p = topP > 0 && topP < 1.0 ? std::optional<double>(topP) : std::nullopt;
    c.adv_weight = beta;
    c.validate();
    return c;
}

void useIlqlDecoding(GenerationOptions& go, LogitsHook& hook, const IlqlDecodingModel& model,
                     const IlqlDecodeConfig& decode, std::function<double()> beta)
{
    const bool greedy = go.sampling.temperature <= 0;
    auto banned = go.sampling.bannedTokens;
    go.sampling = ilqlSamplingOptions(decode, go.sampling.seed);
    if (greedy)
        go.sampling.temperature = 0.0;
    go.sampling.bannedTokens = std::move(banned);
    go.companions = ilqlCompanionTrunks(model);
    hook = ilqlLogitsHook(model, decode, std::move(beta));
}

IlqlDecodeConfig loadIlqlDecodeConfig(const std::string& dir)
{
    const std::string path = dir + "/train_config.json";
    std::ifstream in(path);
    if (!in)
        return {};
    try {
        const auto j = nlohmann::json::parse(in);
        if (j.is_object() && j.contains("decode") && j["decode"].is_object())
            return j["decode"].get<IlqlDecodeConfig>();
    } catch (const std::exception& e) {
        throw Error(path + ": " + e.what());
    }
    return {};
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
