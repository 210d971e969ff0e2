#pragma once
// Reads the `inputs` object of the ILQL golden file format (../shared/reference/ilql/golden.json):
// a tokenised batch with its index tables and the raw head outputs at every token position.
//
//   {"tokens": [B][T], "attn_mask": [B][T], "state_idxs": [B][S], "action_idxs": [B][A],
//    "rewards": [B][A], "terminals": [B][S], "action_mask": [B][A] (optional),
//    "heads": {"logits": [B][T][V], "v": [B][T], "q1", "q2", "tq1", "tq2": [B][T][V]}}
//
// q2/tq2 may be left out (single Q head). Numbers may also be the strings "inf", "-inf", "nan".
#include "core/rl/ilql_heads.h"
#include "core/rl/ilql_loss.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace hw {

struct IlqlReferenceInputs {
    IlqlBatch batch;
    torch::Tensor logits;  // [B,T,V] policy logits per position
    torch::Tensor v;       // [B,T]
    torch::Tensor q1, q2;  // [B,T,V] online Q per position (q2 may be undefined)
    torch::Tensor tq1, tq2;// [B,T,V] target Q per position (tq2 may be undefined)
};

// Accepts the inputs object itself or a whole golden file (an object with "inputs").
// Throws hw::Error naming the key that is missing or malformed.
IlqlReferenceInputs readIlqlReferenceInputs(const nlohmann::json& j);

// Rows [b] of every tensor, positions [0, length): the reference's single-row slices.
IlqlReferenceInputs sliceIlqlReferenceRow(const IlqlReferenceInputs& in, int64_t row, int64_t length,
                                          int64_t nActions);

// The heads' outputs at the slots, as the reference's forward gathers them: V at states, Q rows
// at actions, min of the target heads at the taken token (clipping is the loss's job).
IlqlHeadOutputs gatherReferenceHeads(const IlqlReferenceInputs& in, bool doubleQ);

// Nested JSON arrays of numbers (or "inf"/"-inf"/"nan" strings) -> a tensor of that shape.
torch::Tensor jsonToTensor(const nlohmann::json& j, torch::ScalarType dtype, const std::string& name);

// A float tensor as nested JSON arrays; non-finite values as the strings "-inf", "inf", "nan".
nlohmann::json tensorToJson(const torch::Tensor& t);

} // namespace hw
