#pragma once
// The ILQL value heads that sit on a language model trunk's last hidden state.
//
//   hidden [B,T,H] --gather state_idxs---> V      : Linear(H,2H) -> ReLU -> Linear(2H,1)
//                  --gather action_idxs--> Q1, Q2 : Linear(H,2H) -> ReLU -> Linear(2H,vocab)
//   target hidden  --gather action_idxs--> Q̂1, Q̂2 (Polyak copies of Q1, Q2, no gradient),
//                                          evaluated only at the taken token: min(Q̂1,Q̂2)[a]
//
// The target hidden states are the trunk's own (detached) hidden states when the targets are
// heads only, or those of a separate target trunk (the reference's seperate_target); the trunk
// itself lives in core/model/ and is Polyak-averaged with polyakUpdate() below.
#include "core/rl/ilql_config.h"

#include <torch/torch.h>

#include <vector>

namespace hw {

// Linear(in, 2*in) -> ReLU -> Linear(2*in, out), as the reference's heads (advanced_mlp off).
class IlqlMlpImpl : public torch::nn::Module {
public:
    IlqlMlpImpl(int64_t hidden, int64_t out);
    torch::Tensor forward(const torch::Tensor& x);                      // [...,H] -> [...,out]
    // Output only at one column per row: x [N,H], columns [N] -> [N]. The same value as
    // forward(x).gather(-1, columns) without the [N,out] matrix.
    torch::Tensor forwardAt(const torch::Tensor& x, const torch::Tensor& columns);

    torch::nn::Linear fc1{nullptr};
    torch::nn::Linear fc2{nullptr};
};
TORCH_MODULE(IlqlMlp);

// Index tables of a batch, in the reference's conventions (see IlqlBatch in ilql_loss.h).
struct IlqlSlots {
    torch::Tensor stateIdxs;     // [B,S] int64
    torch::Tensor actionIdxs;    // [B,A] int64
    torch::Tensor selectTokens;  // [B,A] int64: tokens[b, action_idxs[b,j] + 1]
    // Optional [N] int64 positions in the flattened [B*A] slots of the real (not padded) action
    // slots: when given, the Q rows are computed only there and come back packed as [N,V].
    torch::Tensor packed;
};

// What the loss needs from the heads, already at the state/action slots.
struct IlqlHeadOutputs {
    torch::Tensor vStates;          // [B,S]   V at state_idxs
    torch::Tensor q1;               // [B,A,V] online Q1 rows at action_idxs (CQL/DM need full rows)
    torch::Tensor q2;               // [B,A,V] online Q2 rows (undefined when double_q is off)
    torch::Tensor targetQSelected;  // [B,A]   min(Q̂1,Q̂2) at the taken token, unclipped, no grad
    // When defined ([N] int64, see IlqlSlots::packed), q1, q2 and the policy's actionLogits are
    // packed [N,V]: rows only for the real action slots, so padding costs no vocabulary work.
    torch::Tensor packed;
};

// [N] positions in the flattened [B,A] slots where `real` ([B,A], 1 = real slot) is set.
torch::Tensor ilqlPackedSlots(const torch::Tensor& real);
// Rows of x [B,A,...] at packed positions -> [N,...].
torch::Tensor ilqlPackRows(const torch::Tensor& x, const torch::Tensor& packed);

struct IlqlHeadsOptions {
    int64_t hidden = 0;
    int64_t vocab = 0;
    bool doubleQ = true;
};

class IlqlHeadsImpl : public torch::nn::Module {
public:
    explicit IlqlHeadsImpl(const IlqlHeadsOptions& options);

    // Training forward. targetHidden may be undefined (heads-only targets: hidden is used,
    // detached). Only V at states, Q rows at actions and target Q at taken tokens are computed.
    IlqlHeadOutputs forward(const torch::Tensor& hidden, const torch::Tensor& targetHidden,
                            const IlqlSlots& slots);

    // Decoding: V [..] and min(Q̂1,Q̂2) [..,V] at every given position (hidden [..,H]).
    torch::Tensor values(const torch::Tensor& hidden);
    torch::Tensor targetQValues(const torch::Tensor& hidden);
    // Online min(Q1,Q2) [..,V], for inspection.
    torch::Tensor qValues(const torch::Tensor& hidden);

    // target <- alpha * online + (1 - alpha) * target, for Q̂1 (and Q̂2).
    void polyakUpdate(double alpha);
    void hardUpdate();   // target <- online

    // V, Q1, Q2: what the optimizer updates (the targets have requires_grad off).
    std::vector<torch::Tensor> onlineParameters() const;

    const IlqlHeadsOptions& options() const { return m_options; }

    IlqlMlp v{nullptr};
    IlqlMlp q1{nullptr};
    IlqlMlp q2{nullptr};         // null when doubleQ is off
    IlqlMlp targetQ1{nullptr};
    IlqlMlp targetQ2{nullptr};   // null when doubleQ is off

private:
    IlqlHeadsOptions m_options;
};
TORCH_MODULE(IlqlHeads);

// Soft update of any pair of parameter lists of equal shapes (heads or a whole target trunk):
// target <- alpha * online + (1 - alpha) * target, in place and without autograd.
void polyakUpdate(const std::vector<torch::Tensor>& target, const std::vector<torch::Tensor>& online,
                  double alpha);

// tokens[:,1:].gather(1, action_idxs): the token taken at each action slot.
torch::Tensor ilqlSelectTokens(const torch::Tensor& tokens, const torch::Tensor& actionIdxs);

// Rows of x [B,T,...] at idx [B,K] along dim 1 -> [B,K,...].
torch::Tensor gatherPositions(const torch::Tensor& x, const torch::Tensor& idx);

// Clips target Q to [value_min, value_max] where set (the reference's clip_values).
torch::Tensor ilqlClipValues(const torch::Tensor& q, const IlqlConfig& config);

} // namespace hw
