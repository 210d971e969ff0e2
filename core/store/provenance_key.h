#pragma once
// What made a piece of data, without the per-call details: the stable part of a provenance or
// generator record (kind, endpoint/model or checkpoint+step, prompt id and hash, hard flag,
// labeller, dataset, sampling settings). Per-call fields (llm_call_id, request_hash, seed,
// finished, job_id, details, retrieval items, ...) are dropped, so records made by the same model
// and prompt compare equal and lineage can count them per group instead of one entry per call.
#include <nlohmann/json.hpp>
#include <string>

namespace hw {

// The stable fields of `record` (an object; anything else is returned unchanged). Nested
// objects under kept keys (e.g. a retrieval controller's "index") are kept whole.
nlohmann::json provenanceKey(const nlohmann::json& record);

// provenanceKey() of a stored JSON text; text that is not JSON is kept as a string.
nlohmann::json provenanceKeyOfText(const std::string& text);

} // namespace hw
