#pragma once
// ILQL's perturbed sampling distribution for one decoding step, as the reference's sample_raw:
//
//   logits[pad] = -inf;  edited = top_p(top_k(logits / temp))        (policy filtered FIRST)
//   adv = adv_weight * (Q̂ - V)            (exp_adv)   |  log(adv_weight or 1 - adv_weight by sign)
//   adv = min(adv, adv_clip);  adv[pad] = -inf
//   full = edited + adv;  probs = softmax(full)
//
// i.e. π(a|s) ∝ π_β(a|s)·exp(β(Q̂(s,a) − V(s))) with β = adv_weight. Q̂ is min(Q̂1,Q̂2), clipped
// to the value range by the caller (IlqlHeads::targetQValues + ilqlClipValues).
#include "core/rl/ilql_config.h"

#include <torch/torch.h>

#include <optional>

namespace hw {

struct IlqlDecodeOutput {
    torch::Tensor probs;       // [N,V]
    torch::Tensor fullLogits;  // [N,V], -inf where a token is filtered out
};

// logits [N,V] (or [V]), v [N] (or 0-d), minTargetQ [N,V] (or [V]).
// maskTokenId: a token never sampled (the reference's pad); none = no such token.
IlqlDecodeOutput ilqlDecode(const torch::Tensor& logits, const torch::Tensor& v,
                            const torch::Tensor& minTargetQ, const IlqlDecodeConfig& config,
                            std::optional<int64_t> maskTokenId);

// The reference's process_logits: divide by temp, then keep the top-k, then the top-p nucleus
// (the smallest prefix of the sorted distribution whose mass reaches p, plus ties).
torch::Tensor ilqlFilterLogits(const torch::Tensor& logits, double temp, std::optional<int64_t> topK,
                               std::optional<double> topP);

} // namespace hw
