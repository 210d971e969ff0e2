#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Small text helpers shared by the importers.
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

} // namespace hw::text
