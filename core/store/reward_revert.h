#pragma once
#include <cstdint>

namespace hw {

class Database;

// Takes one reward label back, as if it had never been given: deletes the reward_labels row and
// makes the dialogue's current reward (value and source) that of its newest remaining label, or
// unlabeled when none remains. Undoing a manual edit this way restores the earlier label exactly,
// with its own source and provenance, instead of recording a new label that claims to be it.
// Throws hw::Error when there is no label with that id.
void revertRewardLabel(Database& db, int64_t labelId);

} // namespace hw
