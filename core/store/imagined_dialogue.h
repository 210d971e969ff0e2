#pragma once
// What the critique stage (critique_job.h) decided about an imagined dialogue. A dialogue the
// critic rejected (metadata.imagined.critique.verdict = "reject") stays in the project with its
// critique, for the researcher, but no later stage uses it: label, aggregate, relabel/regenerate
// and training-set selection all ask here. The one definition, for C++ and for SQL.
#include <nlohmann/json.hpp>
#include <string>

namespace hw {

inline constexpr const char* kCritiqueReject = "reject";

// True when `metadata` (a dialogue's) holds a critique whose verdict is reject.
bool isRejectedImagined(const nlohmann::json& metadata);

// The negation as an SQL condition on the dialogues row `alias`:
// "coalesce(json_extract(d.metadata, '$.imagined.critique.verdict'), '') != 'reject'".
std::string notRejectedImaginedSql(const std::string& alias = "d");

} // namespace hw
