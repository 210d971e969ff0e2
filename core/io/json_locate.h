#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hw {

// A step into a JSON document: an array index or an object key.
using JsonPathStep = std::variant<size_t, std::string>;

// Byte offset at which the value at `path` starts in the JSON text, or std::string_view::npos.
// Used after a document parsed fine but one of its values is wrong, to name the line it is on
// (nlohmann::json keeps no source positions). Keys are compared as written, without unescaping.
size_t locateJsonValue(std::string_view text, const std::vector<JsonPathStep>& path);

// Like locateJsonValue, but falls back to the deepest step that could be found (0 if none).
size_t locateJsonValueOrParent(std::string_view text, std::vector<JsonPathStep> path);

} // namespace hw
