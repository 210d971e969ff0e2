#pragma once
// Small text helpers shared by the reply parsers and the turn matcher. UTF-8 throughout.
#include <string>
#include <string_view>
#include <vector>

namespace hw::reply {

// Length in bytes of the quote character at s[i] (", ', `, “ ” ‘ ’ « » „ ‚), 0 when none.
size_t quoteAt(std::string_view s, size_t i);
// Trims ASCII whitespace.
std::string trim(std::string_view s);
// Removes <think>...</think> blocks (reasoning models) and ``` fence lines.
std::string stripReasoning(std::string_view s);
// Removes markdown emphasis markers (** __ *) around and inside a short label.
std::string stripEmphasis(std::string_view s);
// Splits into lines (\n, \r\n), keeping empty lines.
std::vector<std::string> lines(std::string_view s);
// For fuzzy comparison: lowercase ASCII, curly quotes and dashes folded, punctuation dropped,
// whitespace collapsed. Non-ASCII letters are kept as they are.
std::string normalize(std::string_view s);
std::vector<std::string> tokens(std::string_view normalized);
// Levenshtein distance on bytes, giving up (returning max+1) beyond `max`.
size_t editDistance(std::string_view a, std::string_view b, size_t max);
// Lowercase ASCII copy.
std::string lower(std::string_view s);

} // namespace hw::reply
