#pragma once
// Run presets: named sets of defaults for a pipeline run and an agent run. "default" is the
// workbench's own defaults; "paper" makes a run match Hong et al. 2024 ("Interactive Dialogue
// Agents via RL on Hindsight Regenerations") where the workbench's defaults drifted from it:
//   - aggregate reaches 5x the original data, and regenerate is asked for enough completions per
//     dialogue to get there (the workbench's default is one, which leaves a 5x target short);
//   - a share of the regenerations comes from the "hard" forward model (difficult users), as the
//     paper's forward model does (the workbench's default is none);
//   - ILQL's CQL weight is the paper's Table 3 alpha = 0.0 (the workbench's default, 1.0, is the
//     ILQL reference's vis_dial configuration).
// Explicit options always win over a preset; a preset only changes what was left unset.
#include <optional>
#include <string>
#include <vector>

namespace hw {

struct RunPreset {
    std::string name;
    double aggregateK = 5.0;                 // training set = k x the labelled originals
    double hardShare = 0.0;                  // share of regenerations by the hard forward model
    bool samplesForK = false;                // completions per dialogue from k (regenerationsFor)
    int samples = 1;                         // completions per dialogue otherwise
    std::optional<double> cqlLossWeight;     // ILQL's CQL weight; nullopt = the trainer's default
};

// "default" or "paper"; throws hw::Error naming the known presets.
const RunPreset& runPreset(const std::string& name);
std::vector<std::string> runPresetNames();

// Completions to request per regenerated suggestion (one suggestion per dialogue, the random
// mode) so that aggregate can reach k x the originals: k - 1 per original, plus a quarter more
// (at least one) for completions that fail to parse or to get a reward; aggregate samples the
// surplus down to exactly k x.
int regenerationsFor(double k);

} // namespace hw
