#pragma once
// The ILQL loss (Snell et al. 2022), term for term as the authors' PerTokenIQL.get_loss, with one
// deliberate difference: padded action slots are masked out (the reference leaves the first padded
// slot of a shorter, non-terminal row unmasked).
//
// Conventions (the reference's):
//   position p predicts token p+1; the action taken at slot j is tokens[b, action_idxs[b,j] + 1];
//   V is read at state_idxs (S = A + 1 states), Q and target Q at action_idxs;
//   slot j is live when it is a real slot (j < argmax(action_idxs[b]) + 1, or the explicit
//   action mask) and the state before it is not terminal (terminals[b,j] == 0);
//   every mean over slots divides by max(number of live slots, 1).
//
//   V loss    expectile tau of (Q̂(s,a) - V(s))           [mc_returns: reward-to-go - V(s)]
//   Q loss    sum over Q1,Q2 of (r + gamma (1 - term') V(s') - Q(s,a))^2, V(s') detached
//   CQL loss  sum over Q1,Q2 of cross-entropy(Q(s,.) / cql_temp, a)
//   DM loss   sum over Q1,Q2 of sum_a' max(Q(s,a') - Q(s,a) + dm_margin, 0)^2
//   token     cross-entropy of the policy, per token weighted exp(beta (Q̂ - V)) at actions
//             (transition_weight elsewhere, clipped at clip_weight), over all attended tokens
//   Q̂ = clip(min(Q̂1, Q̂2), value_min, value_max) at the taken token.
#include "core/rl/ilql_config.h"
#include "core/rl/ilql_heads.h"

#include <torch/torch.h>

namespace hw {

// One batch of tokenised dialogues with the ILQL index tables (built by the dialogue codec).
struct IlqlBatch {
    torch::Tensor tokens;      // [B,T] int64
    torch::Tensor attnMask;    // [B,T] float, 1 = real token
    torch::Tensor stateIdxs;   // [B,S] int64, S = A + 1, padded with 0
    torch::Tensor actionIdxs;  // [B,A] int64, strictly increasing per row, padded with 0
    torch::Tensor rewards;     // [B,A] float, padded with 0
    torch::Tensor terminals;   // [B,S] float, 1 = terminal (or padding) state
    torch::Tensor actionMask;  // [B,A] float, optional: 1 = real action slot (default: derived)
};

// The policy's logits: full [B,T,V] (exact reference token loss, any transition_weight), or only
// at the action slots [B,A,V] (enough when transition_weight == 0: other tokens weigh nothing).
struct IlqlPolicyOutputs {
    torch::Tensor logits;        // [B,T,V] or undefined
    torch::Tensor actionLogits;  // [B,A,V] (or packed [N,V], see IlqlHeadOutputs::packed) or undefined;
                                 // used when logits is undefined
};

// Loss terms (0-d float tensors; total carries the graph) and detached statistics on live slots.
struct IlqlLossResult {
    torch::Tensor total;
    torch::Tensor tokenLoss;
    torch::Tensor vLoss;      // the V loss used: against Q̂, or reward-to-go when mc_returns
    torch::Tensor qLoss;
    torch::Tensor cqlLoss;
    torch::Tensor dmLoss;
    // Detached statistics (0-d tensors, so reading them is the caller's choice of sync point).
    torch::Tensor meanQ;          // mean of online Q at taken actions (Q1, and Q2 averaged in)
    torch::Tensor meanV;          // mean V(s) at live slots
    torch::Tensor meanAdvantage;  // mean Q̂ - V at live slots
    torch::Tensor meanWeight;     // mean token-loss weight at live slots
    torch::Tensor liveSlots;      // number of live slots (the n of every denominator)
    torch::Tensor meanEntropy;    // π's entropy at live slots; set when the loss got action logits
};

// The reference's intermediate tensors, filled on request (tests, the CLI's --detail).
struct IlqlLossDetail {
    torch::Tensor vsAtStates;        // [B,S]
    torch::Tensor selectTokens;      // [B,A]
    torch::Tensor q1Selected;        // [B,A]
    torch::Tensor q2Selected;        // [B,A]
    torch::Tensor targetQSelected;   // [B,A] clipped
    torch::Tensor vT;                // [B,A]
    torch::Tensor vTp1;              // [B,A]
    torch::Tensor maskLive;          // [B,A]
    torch::Tensor n;                 // 0-d
    torch::Tensor rewardToGo;        // [B,A]
    torch::Tensor awacTokenWeights;  // [B,T] (full-logits path) or [B,A] (action-logits path)
    torch::Tensor tokenCe;           // [B,T-1] or [B,A]
    torch::Tensor vLossQ;            // V loss against Q̂
    torch::Tensor vLossMc;           // V loss against reward-to-go
};

// Number of real action slots per row and the live mask [B,A] (float).
torch::Tensor ilqlRealSlots(const IlqlBatch& batch);
torch::Tensor ilqlLiveMask(const IlqlBatch& batch);

// Discounted reward-to-go over action slots: rtg[j] = sum_{k>=j} gamma^(k-j) r[k].
torch::Tensor ilqlRewardToGo(const torch::Tensor& rewards, double gamma);

// Throws hw::Error naming the tensor when shapes or dtypes do not fit together.
void checkIlqlBatch(const IlqlBatch& batch);

// reportUnweighted: compute terms whose weight is 0 too, for reporting (golden checks, the
// CLI). A trainer passes false: a zero-weight DM term (several passes over [B,A,V]) is then not
// computed and comes back as an undefined tensor.
IlqlLossResult ilqlLoss(const IlqlBatch& batch, const IlqlHeadOutputs& heads,
                        const IlqlPolicyOutputs& policy, const IlqlConfig& config,
                        IlqlLossDetail* detail = nullptr, bool reportUnweighted = true);

} // namespace hw
