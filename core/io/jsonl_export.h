#pragma once
#include "core/io/chat_json.h"
#include "core/util/progress.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace hw {

class Database;

struct ExportOptions {
    std::string task;          // only this task; "" = all
    bool labeledOnly = false;  // skip dialogues without a reward
    // Plain: messages carry only role and content (OpenAI / TRL chat files); the default keeps
    // each turn's annotations so that a re-import restores them.
    ChatMessageStyle messages = ChatMessageStyle::Annotated;
};

struct ExportResult {
    int64_t dialogues = 0;
    int64_t turns = 0;
    std::string path;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ExportResult, dialogues, turns, path)

// Writes the project's dialogues as chat-layout JSON Lines (core/io/chat_json.h), in id order.
// The file is written to a temporary file created exclusively beside it (core/io/atomic_file.h)
// and renamed at the end, so a failure or a stop request (hw::Cancelled) never leaves a
// half-written file behind and a symbolic link planted there is never followed.
ExportResult exportJsonl(Database& db, const std::string& path, const ExportOptions& options = {},
                         const ProgressFn& progress = {}, const StopToken& stop = {});

} // namespace hw
