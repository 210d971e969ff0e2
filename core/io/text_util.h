#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Small text helpers shared by the importers and the report writers.
namespace hw::text {

// Python's " ".join(s.split()): runs of Unicode whitespace (as str.isspace) become one space,
// leading and trailing whitespace go. Invalid UTF-8 bytes are kept as they are.
std::string collapseWhitespace(std::string_view s);

// Strips ASCII whitespace at both ends.
std::string trim(std::string_view s);

// A whole string that is a finite number ("3", " 2.5 ", "1e2"); nullopt otherwise.
std::optional<double> parseNumber(std::string_view s);

// 1-based line number of a byte offset (counts '\n' before it).
int lineAt(std::string_view text, size_t offset);

// The whole file, or hw::Error "PATH: cannot read ...", "PATH: is a folder ...", or a file larger
// than import_limits::kMaxDocumentBytes.
std::string readFile(const std::string& path);

// "dir/train.json" -> "train.json"
std::string baseName(const std::string& path);

std::string toLower(std::string_view s);

// A CSV field: as is, or in double quotes (inner quotes doubled) when it holds , " CR or LF.
std::string csvField(std::string_view s);

// A number with a fixed count of decimals ("%.*f"): 0.5, 2 -> "0.50".
std::string fixed(double v, int decimals);

} // namespace hw::text
