#include "core/rl/ilql_loss.h"

#include "core/rl/row_logsumexp.h"

#include "core/util/error.h"

#include <string>

namespace hw {

using torch::indexing::None;
using torch::indexing::Slice;

namespace {

std::string shapeOf(const torch::Tensor& t)
{
    if (!t.defined())
        return "undefined";
    std::string s = "[";
    for (int64_t i = 0; i < t.dim(); ++i)
        s += (i ? "," : "") + std::to_string(t.size(i));
    return s + "]";
}

void require(bool ok, const std::string& what)
{
    if (!ok)
        throw Error("ILQL loss: " + what);
}

torch::Tensor cols(const torch::Tensor& t, int64_t from, int64_t to)
{
    return t.index({Slice(), Slice(from, to == 0 ? None : c10::optional<int64_t>(to))});
}

// Expectile regression of V toward a (detached) target on live slots.
torch::Tensor expectileLoss(const torch::Tensor& target, const torch::Tensor& v, const torch::Tensor& mask,
                            const torch::Tensor& denom, double tau)
{
    const auto t = target.detach();
    const auto diff2 = (t - v).pow(2);
    const auto above = (t >= v).to(torch::kFloat);
    const auto below = (t < v).to(torch::kFloat);
    return ((above * tau * diff2 + below * (1.0 - tau) * diff2) * mask).sum() / denom;
}

torch::Tensor crossEntropyRows(const torch::Tensor& logits, const torch::Tensor& targets)
{
    const auto v = logits.size(-1);
    namespace F = torch::nn::functional;
    return F::cross_entropy(logits.reshape({-1, v}), targets.reshape({-1}),
                            F::CrossEntropyFuncOptions().reduction(torch::kNone))
        .view(targets.sizes());
}

} // namespace

void checkIlqlBatch(const IlqlBatch& b)
{
    require(b.tokens.defined() && b.tokens.dim() == 2, "tokens must be [B,T], got " + shapeOf(b.tokens));
    const auto B = b.tokens.size(0), T = b.tokens.size(1);
    require(b.attnMask.defined() && b.attnMask.dim() == 2 && b.attnMask.size(0) == B && b.attnMask.size(1) == T,
            "attn_mask must be [B,T] like tokens " + shapeOf(b.tokens) + ", got " + shapeOf(b.attnMask));
    require(b.actionIdxs.defined() && b.actionIdxs.dim() == 2 && b.actionIdxs.size(0) == B,
            "action_idxs must be [B,A], got " + shapeOf(b.actionIdxs));
    const auto A = b.actionIdxs.size(1);
    require(b.stateIdxs.defined() && b.stateIdxs.dim() == 2 && b.stateIdxs.size(0) == B
                && b.stateIdxs.size(1) == A + 1,
            "state_idxs must be [B,A+1] = [" + std::to_string(B) + "," + std::to_string(A + 1) + "], got "
                + shapeOf(b.stateIdxs));
    require(b.rewards.defined() && b.rewards.sizes().equals(b.actionIdxs.sizes()),
            "rewards must be [B,A] like action_idxs, got " + shapeOf(b.rewards));
    require(b.terminals.defined() && b.terminals.sizes().equals(b.stateIdxs.sizes()),
            "terminals must be [B,S] like state_idxs, got " + shapeOf(b.terminals));
    require(!b.actionMask.defined() || b.actionMask.sizes().equals(b.actionIdxs.sizes()),
            "action_mask must be [B,A] like action_idxs, got " + shapeOf(b.actionMask));
    require(b.tokens.scalar_type() == torch::kLong && b.actionIdxs.scalar_type() == torch::kLong
                && b.stateIdxs.scalar_type() == torch::kLong,
            "tokens, state_idxs and action_idxs must be int64");
    if (A > 0 && b.actionIdxs.device().is_cpu()) {   // (a GPU check would cost a sync per step)
        require(b.actionIdxs.min().item<int64_t>() >= 0 && b.actionIdxs.max().item<int64_t>() < T - 1,
                "action_idxs must lie in [0, T-2] (an action predicts the next token)");
    }
    require(b.stateIdxs.numel() == 0 || !b.stateIdxs.device().is_cpu()
                || (b.stateIdxs.min().item<int64_t>() >= 0 && b.stateIdxs.max().item<int64_t>() < T),
            "state_idxs must lie in [0, T-1]");
}

torch::Tensor ilqlRealSlots(const IlqlBatch& batch)
{
    if (batch.actionMask.defined())
        return batch.actionMask.to(torch::kFloat);
    const auto A = batch.actionIdxs.size(1);
    const auto opts = torch::TensorOptions().dtype(torch::kFloat).device(batch.actionIdxs.device());
    if (A == 0)
        return torch::zeros({batch.actionIdxs.size(0), 0}, opts);
    // The reference's own count of real slots (get_weights): argmax of the zero-padded,
    // increasing action_idxs, plus one.
    const auto n = batch.actionIdxs.argmax(1, /*keepdim=*/true) + 1;                 // [B,1]
    const auto j = torch::arange(A, batch.actionIdxs.options()).unsqueeze(0);        // [1,A]
    return (j < n).to(opts);
}

torch::Tensor ilqlLiveMask(const IlqlBatch& batch)
{
    const auto terminals = batch.terminals.to(torch::kFloat);
    return ilqlRealSlots(batch) * (1.0 - cols(terminals, 0, -1));
}

torch::Tensor ilqlRewardToGo(const torch::Tensor& rewards, double gamma)
{
    // As the reference's get_downstream_rs: ratios of a cumulative product of gamma, so the
    // float32 rounding is the reference's too.
    const auto r = rewards.to(torch::kFloat);
    const auto gammaRow = torch::full(r.sizes(), gamma, r.options()).cumprod(1);        // [B,A]
    const auto gammaTensor = torch::triu(gammaRow.unsqueeze(1) / gammaRow.unsqueeze(2)); // [B,A,A]
    return (gammaTensor * r.unsqueeze(1)).sum(2);
}

IlqlLossResult ilqlLoss(const IlqlBatch& batch, const IlqlHeadOutputs& heads,
                        const IlqlPolicyOutputs& policy, const IlqlConfig& config, IlqlLossDetail* detail,
                        bool reportUnweighted)
{
    checkIlqlBatch(batch);
    const auto B = batch.tokens.size(0), T = batch.tokens.size(1), A = batch.actionIdxs.size(1);
    require(heads.vStates.defined() && heads.vStates.sizes().equals(batch.stateIdxs.sizes()),
            "V at states must be [B,S], got " + shapeOf(heads.vStates));
    const bool packed = heads.packed.defined();
    const int64_t N = packed ? heads.packed.size(0) : B * A;
    if (packed)
        require(heads.q1.defined() && heads.q1.dim() == 2 && heads.q1.size(0) == N,
                "packed Q1 must be [N,V] with N = " + std::to_string(N) + " real slots, got " + shapeOf(heads.q1));
    else
        require(heads.q1.defined() && heads.q1.dim() == 3 && heads.q1.size(0) == B && heads.q1.size(1) == A,
                "Q1 at actions must be [B,A,V], got " + shapeOf(heads.q1));
    const auto V = heads.q1.size(-1);
    require(!config.double_q || (heads.q2.defined() && heads.q2.sizes().equals(heads.q1.sizes())),
            "double_q needs Q2 at actions [B,A,V] like Q1, got " + shapeOf(heads.q2));
    require(heads.targetQSelected.defined() && heads.targetQSelected.sizes().equals(batch.actionIdxs.sizes()),
            "target Q at taken actions must be [B,A], got " + shapeOf(heads.targetQSelected));
    const auto& lw = config.loss_weights;

    const auto terminals = batch.terminals.to(torch::kFloat);
    const auto attn = batch.attnMask.to(torch::kFloat);
    const auto rewards = batch.rewards.to(torch::kFloat);
    const auto real = ilqlRealSlots(batch);
    const auto mask = real * (1.0 - cols(terminals, 0, -1));       // live slots [B,A]
    const auto n = mask.sum();
    const auto denom = n.clamp_min(1.0);

    const auto vt = cols(heads.vStates, 0, -1);
    const auto vtp1 = cols(heads.vStates, 1, 0);
    const auto select = ilqlSelectTokens(batch.tokens, batch.actionIdxs);     // [B,A]
    const auto targetQ = ilqlClipValues(heads.targetQSelected, config).detach();

    // A term whose weight is 0 is still reported but builds no autograd graph.
    auto term = [](double weight, const auto& compute) {
        if (weight != 0.0)
            return compute();
        torch::NoGradGuard noGrad;
        return compute();
    };

    // Packed layout: [N] per-row values go back to [B,A] with zeros at padded slots.
    const auto selectRows = packed ? select.reshape({-1}).index_select(0, heads.packed) : select.reshape({-1});
    auto unpack = [&](const torch::Tensor& rows) {
        if (!packed)
            return rows.view({B, A});
        return torch::zeros({B * A}, rows.options()).index_copy(0, heads.packed, rows).view({B, A});
    };

    // Q at the taken actions and logsumexp(Q / cql_temp) per slot, in one fused pass over each
    // [B,A,V] head (row_logsumexp.h). The logsumexp only carries a graph when CQL is weighted.
    const bool qUnused = !reportUnweighted && lw.q_loss_weight == 0.0 && lw.cql_loss_weight == 0.0
                         && lw.dm_loss_weight == 0.0;
    auto rowsOf = [&](const torch::Tensor& q) {
        RowLogSumExp r;
        if (qUnused) { // behaviour cloning: no Q term is weighted, nothing reads these
            r.selected = r.logSumExp = torch::zeros({B, A}, q.options());
            return r;
        }
        const auto flat = q.reshape({-1, V});
        const auto& idx = selectRows;
        if (lw.cql_loss_weight != 0.0 || !q.requires_grad()) {
            r = rowLogSumExpGather(flat, idx, config.cql_temp);
        } else {
            r.selected = flat.gather(1, idx.unsqueeze(1)).squeeze(1);
            torch::NoGradGuard noGrad;
            r.logSumExp = rowLogSumExpGather(flat, idx, config.cql_temp).logSumExp;
        }
        r.selected = unpack(r.selected);
        r.logSumExp = unpack(r.logSumExp);
        return r;
    };
    const auto q1Rows = rowsOf(heads.q1);
    const auto q2Rows = config.double_q ? rowsOf(heads.q2) : RowLogSumExp{};
    const auto q1Sel = q1Rows.selected;
    const auto q2Sel = config.double_q ? q2Rows.selected : torch::Tensor();

    // V: expectile regression toward Q̂ (or the Monte-Carlo return).
    const auto rtg = ilqlRewardToGo(rewards * real, config.gamma);   // padded rewards never count
    const auto vLossQ = term(lw.mc_returns ? 0.0 : lw.v_loss_weight,
                             [&] { return expectileLoss(targetQ, vt, mask, denom, config.tau); });
    const auto vLossMc = term(lw.mc_returns ? lw.v_loss_weight : 0.0,
                              [&] { return expectileLoss(rtg, vt, mask, denom, config.tau); });
    const auto vLoss = lw.mc_returns ? vLossMc : vLossQ;

    // Q: one-step Bellman target with the online V of the next state, detached.
    const auto bellman = (1.0 - cols(terminals, 1, 0)) * vtp1.detach() * config.gamma + rewards;
    const auto qLoss = term(lw.q_loss_weight, [&] {
        auto l = ((bellman - q1Sel).pow(2) * mask).sum() / denom;
        if (config.double_q)
            l = l + ((bellman - q2Sel).pow(2) * mask).sum() / denom;
        return l;
    });

    // CQL: Q rows as logits over the vocabulary, pushed toward the data's action.
    const auto cqlLoss = term(lw.cql_loss_weight, [&] {
        auto l = (q1Rows.logSumExp - q1Sel / config.cql_temp) * mask;
        if (config.double_q)
            l = l + (q2Rows.logSumExp - q2Sel / config.cql_temp) * mask;
        return l.sum() / denom;
    });

    // DM: squared hinge of every other action's Q above the data action's Q (not detached, as
    // the reference).
    const bool skipDm = lw.dm_loss_weight == 0.0 && !reportUnweighted;
    const auto dmLoss = skipDm ? torch::Tensor() : term(lw.dm_loss_weight, [&] {
        auto hinge = [&](const torch::Tensor& q, const torch::Tensor& qSel) {
            const auto sel = packed ? ilqlPackRows(qSel.unsqueeze(-1), heads.packed) : qSel.unsqueeze(-1);
            return unpack(torch::clamp_min(q - sel + config.dm_margin, 0.0).pow(2).sum(-1).reshape({-1})) * mask;
        };
        auto l = hinge(heads.q1, q1Sel);
        if (config.double_q)
            l = l + hinge(heads.q2, q2Sel);
        return l.sum() / denom;
    });

    // Token loss weights at action slots: AWAC exp(beta * (Q̂ - V)), or the sign-based variant.
    torch::Tensor actionWeights;
    {
        torch::NoGradGuard noGrad;
        const auto adv = targetQ - vt.detach();
        if (config.exp_weights) {
            actionWeights = torch::exp(adv * config.beta);
        } else {
            const auto sign = (adv > 0.0).to(torch::kFloat);
            actionWeights = sign * config.beta + (1.0 - sign) * (1.0 - config.beta);
        }
    }
    auto clipWeights = [&](const torch::Tensor& w) {
        return config.clip_weight ? torch::clamp_max(w, *config.clip_weight) : w;
    };
    const auto attnNextSum = cols(attn, 1, 0).sum();
    const auto tokenDenom = attnNextSum.clamp_min(1.0);
    torch::Tensor tokenWeights, tokenCe, actionEntropy;
    const auto tokenLoss = term(lw.awac_weight, [&] {
        if (policy.logits.defined()) {
            require(policy.logits.dim() == 3 && policy.logits.size(0) == B && policy.logits.size(1) == T
                        && policy.logits.size(2) == V,
                    "policy logits must be [B,T,V], got " + shapeOf(policy.logits));
            // Scatter-add so that padded slots (index 0, weight 0) never overwrite a real slot at 0.
            torch::Tensor w;
            {
                torch::NoGradGuard noGrad;
                const auto zeros = torch::zeros({B, T}, attn.options());
                const auto atActions = zeros.scatter_add(1, batch.actionIdxs, actionWeights * real);
                const auto isAction = zeros.scatter_add(1, batch.actionIdxs, real);
                w = clipWeights(torch::where(isAction > 0.0, atActions,
                                             torch::full_like(atActions, config.transition_weight)));
            }
            tokenWeights = w;
            tokenCe = crossEntropyRows(cols(policy.logits, 0, -1), cols(batch.tokens, 1, 0));
            return (tokenCe * cols(w, 0, -1) * cols(attn, 1, 0)).sum() / tokenDenom;
        }
        if (packed)
            require(policy.actionLogits.defined() && policy.actionLogits.dim() == 2
                        && policy.actionLogits.size(0) == N && policy.actionLogits.size(1) == V,
                    "packed policy logits at actions must be [N,V] like Q1, got " + shapeOf(policy.actionLogits));
        else
            require(policy.actionLogits.defined() && policy.actionLogits.dim() == 3
                        && policy.actionLogits.size(0) == B && policy.actionLogits.size(1) == A
                        && policy.actionLogits.size(2) == V,
                    "policy logits at actions must be [B,A,V], got " + shapeOf(policy.actionLogits));
        const double otherWeight = config.clip_weight ? std::min(config.transition_weight, *config.clip_weight)
                                                      : config.transition_weight;
        require(otherWeight == 0.0, "transition_weight > 0 weighs every token: pass the full policy logits");
        const auto w = clipWeights(actionWeights) * real;
        tokenWeights = w;
        // Cross-entropy and (for free) π's entropy at each action slot, in one fused pass.
        const auto rows = rowLogSumExpGather(policy.actionLogits.reshape({-1, V}), selectRows, 1.0, true);
        const auto lse = unpack(rows.logSumExp);
        tokenCe = lse - unpack(rows.selected);
        actionEntropy = lse.detach() - unpack(rows.softmaxMean);
        const auto attnAction = attn.gather(1, batch.actionIdxs + 1);
        return (tokenCe * w * attnAction).sum() / tokenDenom;
    });

    IlqlLossResult r;
    r.tokenLoss = tokenLoss;
    r.vLoss = vLoss;
    r.qLoss = qLoss;
    r.cqlLoss = cqlLoss;
    r.dmLoss = dmLoss;
    r.total = tokenLoss * lw.awac_weight + vLoss * lw.v_loss_weight + qLoss * lw.q_loss_weight
              + cqlLoss * lw.cql_loss_weight + (skipDm ? torch::zeros_like(cqlLoss) : dmLoss * lw.dm_loss_weight);
    {
        torch::NoGradGuard noGrad;
        const auto qMean = config.double_q ? (q1Sel + q2Sel) * 0.5 : q1Sel;
        r.meanQ = (qMean.detach() * mask).sum() / denom;
        r.meanV = (vt.detach() * mask).sum() / denom;
        r.meanAdvantage = ((targetQ - vt.detach()) * mask).sum() / denom;
        r.meanWeight = (clipWeights(actionWeights) * mask).sum() / denom;
        r.liveSlots = n;
        if (actionEntropy.defined())
            r.meanEntropy = (actionEntropy * mask).sum() / denom;
    }
    if (detail) {
        detail->vsAtStates = heads.vStates.detach();
        detail->selectTokens = select;
        detail->q1Selected = q1Sel.detach();
        detail->q2Selected = config.double_q ? q2Sel.detach() : torch::Tensor();
        detail->targetQSelected = targetQ;
        detail->vT = vt.detach();
        detail->vTp1 = vtp1.detach();
        detail->maskLive = mask;
        detail->n = n;
        detail->rewardToGo = rtg;
        detail->awacTokenWeights = tokenWeights.defined() ? tokenWeights.detach() : tokenWeights;
        detail->tokenCe = tokenCe.defined() ? tokenCe.detach() : tokenCe;
        detail->vLossQ = vLossQ.detach();
        detail->vLossMc = vLossMc.detach();
    }
    return r;
}

} // namespace hw
