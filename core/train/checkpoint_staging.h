#pragma once
#include <string>
#include <vector>

namespace hw {

// A checkpoint is built in a staging folder beside its target, NAME.tmp-<pid> (CheckpointWriter),
// and a process killed while saving leaves that folder behind (as large as a checkpoint).
// Removes the NAME.tmp-<pid> folders in outDir whose process no longer runs; folders of running
// processes (a save in progress) and everything else are left alone. CheckpointWriter calls this
// for its output folder, so the next run saving there cleans up. Returns the folders removed.
std::vector<std::string> removeStaleCheckpointStaging(const std::string& outDir);

} // namespace hw
