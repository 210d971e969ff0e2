#pragma once
#include "core/util/progress.h"

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hw {

class Database;

enum class ImportFormat { Esconv, P4g, Jsonl };

std::string toString(ImportFormat format);                  // "esconv" | "p4g" | "jsonl"
ImportFormat importFormatFromString(const std::string& s);   // throws hw::Error

struct ImportOptions {
    std::string defaultTask;  // JSONL: task of lines that have no "task" field
};

// Counts of one import. labeled/unlabeled/flagged describe the dialogues read from the files
// (duplicates included), inserted/duplicates what happened to them.
struct ImportResult {
    int64_t read = 0;
    int64_t inserted = 0;
    int64_t duplicates = 0;  // already in the project (same task and uid), left untouched
    int64_t labeled = 0;
    int64_t unlabeled = 0;
    int64_t flagged = 0;     // any DialogueFlag set (failed, reward out of range)
    std::map<std::string, int64_t> insertedPerTask;
    std::vector<std::string> files;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ImportResult, read, inserted, duplicates, labeled,
                                                unlabeled, flagged, insertedPerTask, files)

// Imports files of one format into the project as ONE transaction: everything is read and checked
// first, then inserted; any error (hw::Error "FILE:LINE: reason") or a stop request
// (hw::Cancelled) leaves the project exactly as it was. Re-importing the same data inserts nothing;
// a dialogue id seen twice with different turns (in the files, or in the files and the project)
// and a reward far outside its task's range (core/io/reward_range_check.h) are errors.
//   esconv: HF JSON Lines files or original JSON arrays (detected per file), or a folder of them
//   p4g:    a folder holding full_dialog.csv and full_info.csv, or those two files
//   jsonl:  chat-layout JSON Lines files (see core/io/chat_json.h)
ImportResult importFiles(Database& db, ImportFormat format, const std::vector<std::string>& paths,
                         const ImportOptions& options = {}, const ProgressFn& progress = {},
                         const StopToken& stop = {});

} // namespace hw
