#pragma once
#include "core/data/dialogue.h"

#include <string>
#include <vector>

namespace hw {

struct P4gFiles {
    std::string dialog; // full_dialog.csv: "", Unit, Turn, B4, B2
    std::string info;   // full_info.csv: B2, B3, B4, B6, B7, personality and demographic columns
};

// A folder holding full_dialog.csv and full_info.csv, or the two files in any order (told apart
// by their header). Throws hw::Error when they cannot be found.
P4gFiles resolveP4gFiles(const std::vector<std::string>& paths);

// Reads PersuasionForGood into persuasion dialogues (not stored), in order of first appearance.
//   uid    = B2; one turn per row of full_dialog (agent = persuader, B4 = 0), {"turn": Turn}
//   reward = persuadee's (B4 = 1) donation B6 clipped to [0, 2]; raw value in metadata
//            ("donation_raw"); kFlagRewardOutOfRange when the raw value is outside [0, 2];
//            none when there is no persuadee row or its B6 is blank
//   metadata.persuader / metadata.persuadee = that role's full_info columns
// Throws hw::Error "FILE:LINE: reason" for malformed input. `lines`, when given, receives the
// full_dialog.csv line of each dialogue's first row. (A donation far outside [0, 2] is clipped
// and flagged like any out-of-range one, so it cannot distort a mean.)
std::vector<Dialogue> readP4g(const P4gFiles& files, std::vector<int>* lines = nullptr);

} // namespace hw
