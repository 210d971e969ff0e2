#pragma once
// Masks secrets in text that may reach a log, an error message or the project file.
#include <string>
#include <string_view>
#include <vector>

namespace hw {

// Replaces with "***":
// - every occurrence of each value in `secrets` (values shorter than 4 characters are ignored),
// - the token after "Bearer " and after "api-key:"/"api_key="/"x-api-key:" (any case),
// - OpenAI-style keys "sk-..." (8+ key characters after the prefix).
std::string maskSecrets(std::string_view text, const std::vector<std::string>& secrets = {});

// Shortens text for an error message: at most maxChars bytes (cut on a UTF-8 boundary) with "…"
// appended when cut; newlines become spaces.
std::string excerpt(std::string_view text, size_t maxChars = 300);

} // namespace hw
