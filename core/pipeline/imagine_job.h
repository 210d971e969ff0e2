#pragma once
// Zero-shot generation: N imagined dialogues per persona from the task description alone
// (source "imagined", unlabelled; the label stage can score them with includeImagined).
#include "core/pipeline/job_runner.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hw {

struct ImagineConfig {
    std::string task;
    int perPersona = 10;
    std::vector<std::string> personas;   // names to use; empty = all in personas.json
    // Outcome-conditioned imagination: dialogue i of N gets a target outcome in bin i of
    // [rewardMin, rewardMax] (position in the bin from the seeded RNG), so failures are imagined too.
    bool targetOutcomes = true;
    uint64_t seed = 0;
    int concurrency = 8;
    nlohmann::json stage = nlohmann::json::object();
    // What the job row stores when set (the StageDescription it was run from, stage_registry.h);
    // else this config. Not serialised: it is the record, not a setting.
    nlohmann::json description;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ImagineConfig, task, perPersona, personas, targetOutcomes, seed, concurrency, stage)

// The target of dialogue `index` of `count` for a persona: bin `index` of [rewardMin, rewardMax]
// split in `count`, the position within it drawn from `seed`; anchorMeaning = the nearest anchor's.
ImagineTarget imagineTarget(const Task& task, int index, int count, uint64_t seed);

// Items are "i:<persona>:<index>". Dialogue uids are "imagined-<persona>-<seed>-<index>", so a
// re-run with the same seed does not add copies. extra counts: "dialogues".
JobSummary runImagine(SharedProject& project, const ImagineConfig& config, const std::vector<Persona>& personas,
                      DialogueGenerator& generator, const JobHooks& hooks);

} // namespace hw
