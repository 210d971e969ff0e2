#pragma once
// Where an imagined dialogue came from and what became of it, in one record:
//   persona (+ hidden state) -> target outcome -> dialogue (generator) -> critique -> reward labels
// (`hindsight lineage`, the GUI's lineage view). A regeneration whose parent was imagined gets its
// own labels and its parent's lineage under "derived_from".
#include <nlohmann/json.hpp>
#include <string>

namespace hw {

class Database;

// The dialogue with this uid (in `task`, or in any task when empty: then it must be unique).
//   {"dialogue": {"id", "uid", "task", "source", "turns", "agent_turns"},
//    "persona": {"name", "description", "hidden"},
//    "target_outcome": {"value", "anchor"} | null,
//    "generator": {...provenance of the imagine call},
//    "critique": {"verdict", "problems", "critic", "rewritten", "original_turns"} | null,
//    "excluded": true when the critique rejected it (no later stage uses it),
//    "reward": current value | null,
//    "reward_labels": [{"id", "value", "source", "provenance", "created_at"}, ...] (oldest first),
//    "derived_from": {the parent's lineage}}                                   (regenerations only)
// Throws hw::Error for an unknown or ambiguous uid, or a dialogue neither imagined nor made from one.
nlohmann::json imaginedLineage(Database& db, const std::string& uid, const std::string& task = "");

} // namespace hw
