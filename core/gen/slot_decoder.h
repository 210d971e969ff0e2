#pragma once
// A transformer's KV cache as fixed slots, one sequence per slot, each at its own length, for
// continuous batching (core/gen/generation_engine.h):
//
//   keys/values per layer [slots, kvHeads, capacity, headDim]
//   prefill(slot, tokens, at)   a prompt chunk of one sequence: Transformer::forward on a one-row
//                               view of the slot (the model's own inference path)
//   decode(slots, tokens, pos)  one token for each of any set of slots, in one batch: every matrix
//                               product runs once for all rows; RoPE, the KV write and attention run
//                               per row at that row's own position, so sequences of any lengths
//                               decode together without padding, masks or cache copies
//   copyPrefix(from, to, n)     a shared prompt prefix prefilled once, copied to sibling slots
//
// float32 on the CPU only (what the inference kernels handle); callers check supports().
#include "core/model/inference_kernels.h"
#include "core/model/transformer.h"

#include <cstdint>
#include <vector>

namespace hw {

struct SlotStepOutput {
    torch::Tensor hidden; // [n,H] last hidden state (after the final norm)
    torch::Tensor logits; // [n,V] float32
};

class SlotDecoder {
public:
    SlotDecoder(Transformer model, int64_t slots, int64_t capacity);

    static bool supports(const Transformer& model);
    int64_t slots() const { return m_slots; }
    int64_t capacity() const { return m_capacity; }
    Transformer& model() { return m_model; }

    // Feeds tokens at positions at .. at+T-1 of one slot (positions before `at` already filled).
    SlotStepOutput prefill(int64_t slot, const std::vector<int64_t>& tokens, int64_t at);
    // One token per listed slot at the given position (its current length).
    SlotStepOutput decode(const std::vector<int64_t>& slots, const std::vector<int64_t>& tokens,
                          const std::vector<int64_t>& positions);
    // The first T prompt tokens of several sequences at once (each slot empty before): one
    // batched forward on a scratch cache, then each row copied into its slot.
    SlotStepOutput prefillFresh(const std::vector<int64_t>& slots, const std::vector<std::vector<int64_t>>& tokens);
    void copyPrefix(int64_t from, int64_t to, int64_t length);

private:
    Transformer m_model;
    int64_t m_slots, m_capacity;
    KVCache m_cache;
    std::vector<FusedWeight> m_qkv, m_qkvBias, m_gateUp, m_gateUpBias;
    torch::Tensor m_cos, m_sin; // [capacity, headDim]
};

} // namespace hw
