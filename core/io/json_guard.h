#pragma once
#include "core/io/import_limits.h"

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hw {

// What nlohmann::json would accept (or crash on) but an importer must refuse, found by one cheap
// scan before parsing: nesting deeper than maxDepth (copying or writing such a value recurses once
// per level, so 100,000 levels overflow the stack), and NUL characters, raw or written as \u0000
// (SQLite text and every C string downstream would silently cut the text there).
struct JsonTextProblem {
    size_t offset = 0;    // byte offset in the scanned text
    std::string reason;
};
std::optional<JsonTextProblem> findJsonTextProblem(std::string_view text,
                                                   int maxDepth = import_limits::kMaxJsonDepth);

// Byte offsets at which the elements of a top-level JSON array start, in one scan (to name the
// line of each dialogue of a file holding one array of them). Empty when text is not an array.
std::vector<size_t> topLevelElementOffsets(std::string_view text);

// Parses JSON read from a file, every failure an hw::Error "PATH:LINE: reason": syntax errors,
// numbers too large for a double (1e999999), the problems above.
// line > 0: `text` is that line of a JSON Lines file; line == 0: `text` is the whole file.
nlohmann::json parseJsonFromFile(std::string_view text, const std::string& path, int line);

} // namespace hw
