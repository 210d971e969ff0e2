#include "core/store/provenance_key.h"

#include <array>

namespace hw {
namespace {

// Keys that identify the maker rather than one call. Everything else is per call or bulky
// (llm_call_id(s), request_hash, seed, finished, dropped_echo, merged_lines, job_id, details,
// items, persona) and would split one model's output into one group per call.
constexpr std::array<const char*, 21> kStableKeys = {
    "kind",          "role",       "profile",          "endpoint",   "model",
    "model_name",    "checkpoint", "step",             "prompt",     "prompt_sha256",
    "prompt_override", "unfinished_prompt", "unfinished_prompt_sha256", "hard", "labeler",
    "dataset",       "temperature", "top_p",           "index",      "task",
    "user"};

} // namespace

nlohmann::json provenanceKey(const nlohmann::json& record)
{
    if (!record.is_object())
        return record;
    nlohmann::json key = nlohmann::json::object();
    for (const char* k : kStableKeys)
        if (auto it = record.find(k); it != record.end())
            key[k] = *it;
    return key;
}

nlohmann::json provenanceKeyOfText(const std::string& text)
{
    const auto j = nlohmann::json::parse(text, nullptr, false);
    return j.is_discarded() ? nlohmann::json(text) : provenanceKey(j);
}

} // namespace hw
