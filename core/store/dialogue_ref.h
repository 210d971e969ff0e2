#pragma once
#include <cstdint>
#include <string>

namespace hw {

class Database;

// What a user types to name one dialogue, resolved to its row id:
//   UID   the dialogue's own id, as in the imported file, the exported JSONL "id" and the
//         Dialogues page (P4G "20180904-045349_715_live", an ESConv content hash, a JSONL id)
//   #N    the project's internal row number N
// A plain number that is no dialogue's own id is taken as a row number, as before. `task`
// (optional) narrows a UID shared by dialogues of several tasks. Throws hw::Error naming the
// project: unknown id, or an id shared by several tasks without `task`.
int64_t resolveDialogueRef(Database& db, const std::string& ref, const std::string& task = "");

} // namespace hw
