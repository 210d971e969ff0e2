#pragma once
// Pipeline stage 2: for chosen suggestions, keep the dialogue up to the replaced agent turn, put
// the better utterance in its place (the researcher's edit wins), and let the forward model write
// the rest; each valid completion is stored as a new dialogue (source "regeneration", parent_id)
// with a regenerations lineage row.
#include "core/pipeline/job_runner.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace hw {

struct RegenerateConfig {
    std::string task;
    // "random": one suggestion per dialogue, picked with the seed among its proposed and accepted
    // ones; "accepted": every accepted suggestion.
    std::string mode = "random";
    int samples = 1;            // completions per prefix
    double hardShare = 0.0;     // share of completions made by the hard forward model (0..1)
    int turnBudget = 0;         // most continuation turns; 0 = the parent's remaining turns + 4 (4..40)
    // Suggestions on imagined dialogues too (never on those the critique rejected); by default
    // only suggestions on originals are regenerated.
    bool includeImagined = false;
    int64_t limit = 0;          // at most this many completions (0 = all)
    uint64_t seed = 0;
    int concurrency = 8;
    nlohmann::json stage = nlohmann::json::object();
    // What the job row stores when set (the StageDescription it was run from, stage_registry.h);
    // else this config. Not serialised: it is the record, not a setting.
    nlohmann::json description;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RegenerateConfig, task, mode, samples, hardShare, turnBudget, includeImagined, limit,
                                                seed, concurrency, stage)

// Items are "s:<suggestion id>:<sample index>", skipping those another job already regenerated.
// `hard` may be null when hardShare is 0. extra counts: "regenerations", "hard".
JobSummary runRegenerate(SharedProject& project, const RegenerateConfig& config, ForwardModel& normal,
                         ForwardModel* hard, const JobHooks& hooks);

// Whether the item uses the hard model: a seeded coin with probability hardShare.
bool isHardSample(uint64_t seed, const std::string& itemKey, double hardShare);

} // namespace hw
