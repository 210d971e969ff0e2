#pragma once
// ILQL decoding as every front end runs it (chat, serve, generate, the trainer's sample replies,
// the continuous-batching engine): one implementation of the perturbed logits,
//
//   full = filter(logits[masked = -inf] / temp) + min(adv, adv_clip)[masked = -inf]
//   adv  = β (Q̂ − V)  (exp_adv)   |   log(β or 1 − β by the sign of Q̂ − V)
//
// which is what ilqlDecode() (checked against the reference's golden decoding cases) computes,
// plus the glue that puts it into generate(): ilqlLogitsHook() applies it to π_β's raw logits, so
// generate() itself must not filter (ilqlSamplingOptions(): temperature 1, no top-k / top-p).
#include "core/model/generation.h"
#include "core/rl/ilql_config.h"
#include "core/rl/ilql_policy.h"

#include <torch/torch.h>

#include <functional>
#include <string>

namespace hw {

// The perturbed logits [N,V] for logits [N,V], v [N], minTargetQ [N,V]. masked: bool [N,V] (or
// broadcastable), true for tokens never sampled; undefined = none.
torch::Tensor ilqlDecodeLogits(const torch::Tensor& logits, const torch::Tensor& v, const torch::Tensor& minTargetQ,
                               const IlqlDecodeConfig& config, const torch::Tensor& masked);

// The advantage term [N,V] (before masking); v [N,1].
torch::Tensor ilqlAdvantage(const torch::Tensor& minTargetQ, const torch::Tensor& v, const IlqlDecodeConfig& config);

// The decoding config a front end asks for: `base` (the checkpoint's) with its sampling knobs
// replaced: temperature <= 0 (greedy) keeps temp 1 for the filter, topK <= 0 and topP >= 1 are
// off, adv_weight = beta. Validated.
IlqlDecodeConfig ilqlDecodeConfigFor(const IlqlDecodeConfig& base, double temperature, int64_t topK, double topP,
                                     double beta);

// Sets generate()'s options and hook for ILQL decoding with `decode`: ilqlSamplingOptions() with the
// seed and banned tokens kept (greedy when go.sampling.temperature <= 0), the separate trunks as
// companions, ilqlLogitsHook(). beta() (optional) is read at every step.
void useIlqlDecoding(GenerationOptions& go, LogitsHook& hook, const IlqlDecodingModel& model,
                     const IlqlDecodeConfig& decode, std::function<double()> beta = {});

// The decoding options a checkpoint was trained with (train_config.json "decode"); defaults when
// absent. Errors name the file and field.
IlqlDecodeConfig loadIlqlDecodeConfig(const std::string& checkpointDir);

} // namespace hw
