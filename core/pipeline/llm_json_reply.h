#pragma once
// The JSON value an LLM reply holds: the first balanced JSON array or object (by its opening
// bracket), code fences and prose around it ignored. Used by the personas and critique stages.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace hw {

// The first balanced value opened by `open` ('[' or '{'), brackets inside strings skipped, parsed.
// nullopt when there is none or it is not valid JSON; `why` then says which.
std::optional<nlohmann::json> firstJsonValue(const std::string& reply, char open, std::string* why = nullptr);

} // namespace hw
