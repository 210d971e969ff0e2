#include "core/rl/ilql_heads.h"

#include "core/util/error.h"

#include <string>

namespace hw {

IlqlMlpImpl::IlqlMlpImpl(int64_t hidden, int64_t out)
{
    fc1 = register_module("fc1", torch::nn::Linear(hidden, 2 * hidden));
    fc2 = register_module("fc2", torch::nn::Linear(2 * hidden, out));
}

torch::Tensor IlqlMlpImpl::forward(const torch::Tensor& x)
{
    return fc2->forward(torch::relu(fc1->forward(x)));
}

torch::Tensor IlqlMlpImpl::forwardAt(const torch::Tensor& x, const torch::Tensor& columns)
{
    const auto h = torch::relu(fc1->forward(x));                 // [N,2H]
    const auto w = fc2->weight.index_select(0, columns);          // [N,2H]
    return (h * w).sum(-1) + fc2->bias.index_select(0, columns);  // [N]
}

IlqlHeadsImpl::IlqlHeadsImpl(const IlqlHeadsOptions& options) : m_options(options)
{
    if (options.hidden <= 0 || options.vocab <= 0)
        throw Error("ILQL heads: hidden size and vocabulary size must be positive");
    v = register_module("v", IlqlMlp(options.hidden, 1));
    q1 = register_module("q1", IlqlMlp(options.hidden, options.vocab));
    targetQ1 = register_module("target_q1", IlqlMlp(options.hidden, options.vocab));
    if (options.doubleQ) {
        q2 = register_module("q2", IlqlMlp(options.hidden, options.vocab));
        targetQ2 = register_module("target_q2", IlqlMlp(options.hidden, options.vocab));
    }
    hardUpdate();
    for (auto& p : targetQ1->parameters())
        p.set_requires_grad(false);
    if (targetQ2)
        for (auto& p : targetQ2->parameters())
            p.set_requires_grad(false);
}

IlqlHeadOutputs IlqlHeadsImpl::forward(const torch::Tensor& hidden, const torch::Tensor& targetHidden,
                                       const IlqlSlots& slots)
{
    if (hidden.dim() != 3 || hidden.size(2) != m_options.hidden)
        throw Error("ILQL heads: hidden states must be [B,T," + std::to_string(m_options.hidden) + "]");
    IlqlHeadOutputs out;
    out.vStates = v->forward(gatherPositions(hidden, slots.stateIdxs)).squeeze(-1);
    const auto actionHidden = gatherPositions(hidden, slots.actionIdxs);   // [B,A,H]
    const auto qIn = slots.packed.defined() ? ilqlPackRows(actionHidden, slots.packed) : actionHidden;
    out.packed = slots.packed;
    out.q1 = q1->forward(qIn);
    if (q2)
        out.q2 = q2->forward(qIn);
    {
        torch::NoGradGuard noGrad;
        const auto th = targetHidden.defined() ? gatherPositions(targetHidden, slots.actionIdxs)
                                               : actionHidden.detach();
        const auto flat = th.reshape({-1, m_options.hidden});
        const auto cols = slots.selectTokens.reshape({-1});
        auto tq = targetQ1->forwardAt(flat, cols);
        if (targetQ2)
            tq = torch::minimum(tq, targetQ2->forwardAt(flat, cols));
        out.targetQSelected = tq.view(slots.selectTokens.sizes());
    }
    return out;
}

torch::Tensor IlqlHeadsImpl::values(const torch::Tensor& hidden)
{
    return v->forward(hidden).squeeze(-1);
}

torch::Tensor IlqlHeadsImpl::targetQValues(const torch::Tensor& hidden)
{
    torch::NoGradGuard noGrad;
    auto tq = targetQ1->forward(hidden);
    if (targetQ2)
        tq = torch::minimum(tq, targetQ2->forward(hidden));
    return tq;
}

torch::Tensor IlqlHeadsImpl::qValues(const torch::Tensor& hidden)
{
    auto q = q1->forward(hidden);
    if (q2)
        q = torch::minimum(q, q2->forward(hidden));
    return q;
}

void IlqlHeadsImpl::polyakUpdate(double alpha)
{
    hw::polyakUpdate(targetQ1->parameters(), q1->parameters(), alpha);
    if (targetQ2)
        hw::polyakUpdate(targetQ2->parameters(), q2->parameters(), alpha);
}

void IlqlHeadsImpl::hardUpdate()
{
    hw::polyakUpdate(targetQ1->parameters(), q1->parameters(), 1.0);
    if (targetQ2)
        hw::polyakUpdate(targetQ2->parameters(), q2->parameters(), 1.0);
}

std::vector<torch::Tensor> IlqlHeadsImpl::onlineParameters() const
{
    std::vector<torch::Tensor> out;
    for (const IlqlMlp* m : {&v, &q1, &q2})
        if (*m)
            for (const auto& p : (*m)->parameters())
                out.push_back(p);
    return out;
}

void polyakUpdate(const std::vector<torch::Tensor>& target, const std::vector<torch::Tensor>& online,
                  double alpha)
{
    if (target.size() != online.size())
        throw Error("Polyak update: " + std::to_string(target.size()) + " target tensors but "
                    + std::to_string(online.size()) + " online tensors");
    torch::NoGradGuard noGrad;
    for (size_t i = 0; i < target.size(); ++i) {
        if (!target[i].sizes().equals(online[i].sizes()))
            throw Error("Polyak update: tensor " + std::to_string(i) + " differs in shape");
        if (alpha == 1.0) {
            target[i].copy_(online[i]);
            continue;
        }
        // alpha * online + (1 - alpha) * target, as the reference, in one in-place pass
        // (target + alpha * (online - target); equal up to float rounding, checked against golden.json).
        target[i].lerp_(online[i], alpha);
    }
}

torch::Tensor ilqlSelectTokens(const torch::Tensor& tokens, const torch::Tensor& actionIdxs)
{
    using torch::indexing::Slice;
    return tokens.index({Slice(), Slice(1, torch::indexing::None)}).gather(1, actionIdxs);
}

torch::Tensor ilqlPackedSlots(const torch::Tensor& real)
{
    return (real.reshape({-1}) > 0).nonzero().reshape({-1});
}

torch::Tensor ilqlPackRows(const torch::Tensor& x, const torch::Tensor& packed)
{
    auto sizes = x.sizes().vec();
    std::vector<int64_t> flat = {sizes[0] * sizes[1]};
    flat.insert(flat.end(), sizes.begin() + 2, sizes.end());
    return x.reshape(flat).index_select(0, packed);
}

torch::Tensor gatherPositions(const torch::Tensor& x, const torch::Tensor& idx)
{
    auto sizes = x.sizes().vec();
    sizes[1] = idx.size(1);
    auto index = idx;
    for (int64_t d = 2; d < x.dim(); ++d)
        index = index.unsqueeze(-1);
    return x.gather(1, index.expand(sizes));
}

torch::Tensor ilqlClipValues(const torch::Tensor& q, const IlqlConfig& config)
{
    if (!config.value_min && !config.value_max)
        return q;
    return torch::clamp(q, config.value_min ? c10::optional<c10::Scalar>(*config.value_min) : c10::nullopt,
                        config.value_max ? c10::optional<c10::Scalar>(*config.value_max) : c10::nullopt);
}

} // namespace hw
