#pragma once
// Fused per-row operations on a vocabulary-sized matrix, for the ILQL loss.
//
// For x [N,V], index [N] and a temperature t, one call gives per row n
//   selected[n]   = x[n, index[n]]
//   logSumExp[n]  = log sum_v exp(x[n,v] / t)
//   softmaxMean[n]= sum_v softmax(x[n,:]/t)_v * x[n,v]/t      (no gradient; 0 unless asked)
// so that cross-entropy = logSumExp - selected/t and the softmax entropy = logSumExp - softmaxMean.
// Gradients flow to x through `selected` and `logSumExp`.
//
// Why: composing the same from log_softmax, nll_loss, gather and division writes several
// [N,V] tensors forward and backward (zero-filled scatter buffers, log-probabilities, their
// gradients, and the sums of the gradients of each use). On the CPU this works on cache-sized
// blocks of rows and writes one [N,V] tensor, the gradient, in the backward pass.
#include <torch/torch.h>

namespace hw {

struct RowLogSumExp {
    torch::Tensor selected;      // [N]
    torch::Tensor logSumExp;     // [N]
    torch::Tensor softmaxMean;   // [N], detached
};

RowLogSumExp rowLogSumExpGather(const torch::Tensor& x, const torch::Tensor& index, double temperature = 1.0,
                                bool withSoftmaxMean = false);

} // namespace hw
