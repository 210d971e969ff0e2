#pragma once
#include <cstddef>
#include <cstdint>

// Limits every importer applies to its input, so that a hostile or broken file gets a clear
// "FILE:LINE: reason" instead of exhausting memory or the stack. The README lists them.
namespace hw::import_limits {

// Longest line of a JSON Lines file, and longest CSV record (a real dialogue is a few KB).
inline constexpr size_t kMaxLineBytes = size_t(16) << 20;
// Largest file read as one document (ESConv's original JSON array, the P4G CSV files).
inline constexpr uint64_t kMaxDocumentBytes = uint64_t(512) << 20;
// Deepest nesting of JSON arrays/objects (ESConv and chat lines need fewer than 10).
inline constexpr int kMaxJsonDepth = 128;
// A reward further than this many times the task's range outside the range is an error rather
// than a flagged out-of-range value (1e308 on a [-4, 4] task would make every mean meaningless).
inline constexpr double kFarOutsideSpans = 10.0;

} // namespace hw::import_limits
