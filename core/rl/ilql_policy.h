#pragma once
// ILQL decoding on the KV-cache generation engine (core/model/generation.h):
//
//   π(a|s) ∝ π_β(a|s) · exp(β (Q̂(s,a) − V(s)))
//
// generate() filters π_β's logits (temperature, top-k, top-p) and then calls the logits hook,
// which adds the advantage term — the reference's order. β (the decoding config's adv_weight) is
// read at every step, so it can be changed while a reply is being generated.
#include "core/model/generation.h"
#include "core/model/transformer.h"
#include "core/rl/ilql_config.h"
#include "core/rl/ilql_decode.h"
#include "core/rl/ilql_heads.h"

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace hw {

// The parts of an ILQL model that decoding needs.
struct IlqlDecodingModel {
    Transformer trunk{nullptr};        // π_β: the model generate() runs (its logits)
    Transformer valueTrunk{nullptr};   // trunk of the V/Q heads; null = `trunk` itself (shared)
    IlqlHeads heads{nullptr};
    Transformer targetTrunk{nullptr};  // separate target trunk, or null (targets on the value trunk)
    IlqlConfig config;                 // value_min / value_max clip Q̂
};

// The trunks besides π_β that decoding must run (value trunk, then target trunk; null ones left
// out): pass them as GenerationOptions::companions so each keeps its own KV cache and a token
// costs one incremental step in every trunk. Empty for the shared layout.
std::vector<Transformer> ilqlCompanionTrunks(const IlqlDecodingModel& model);

// The advantage term at the current positions: V [b], Q̂ [b,V] (clipped, min of the two heads).
// A separate value or target trunk's hidden states come from context.companionHidden (generate()
// run with ilqlCompanionTrunks() as companions). Without companions they are recomputed from the
// whole sequences so far (O(T) per token: one-off distributions only, not decoding loops).
struct IlqlValues {
    torch::Tensor v;
    torch::Tensor q;
};
IlqlValues ilqlValuesAt(const IlqlDecodingModel& model, const LogitsHookContext& context);

// A hook for generate() that turns π_β's logits into ILQL's decoding distribution through
// ilqlDecodeLogits() (core/rl/ilql_sampling.h), the implementation checked against the reference's
// golden decoding cases. generate() must run with ilqlSamplingOptions() (it filters nothing; its
// banned tokens are the masked tokens) and ilqlCompanionTrunks(model) as companions; see
// useIlqlDecoding(). beta() is called at every step (run-time β); when empty, adv_weight is used.
LogitsHook ilqlLogitsHook(const IlqlDecodingModel& model, const IlqlDecodeConfig& decode,
                          std::function<double()> beta = {});

// generate()'s sampling options for ilqlLogitsHook: temperature 1 (set 0 for greedy), no top-k /
// top-p (the hook applies the decoding config's), the seed.
SamplingOptions ilqlSamplingOptions(const IlqlDecodeConfig& decode, uint64_t seed);

// The exact perturbed distribution after a prompt (no sampling): policy logits, V and Q̂ at the
// prompt's last position through ilqlDecode(). maskTokenId as in ilqlDecode().
IlqlDecodeOutput ilqlNextTokenDistribution(const IlqlDecodingModel& model, const std::vector<int64_t>& prompt,
                                           const IlqlDecodeConfig& decode, std::optional<int64_t> maskTokenId);

} // namespace hw
