#pragma once
// Pipeline stage 3: the reward labeler on each unlabelled regeneration. The reward is stored as a
// label with source "llm" and the labeler's provenance (prompt, model, llm_call id, job id).
// Persuasion dialogues the labeler calls unfinished are discarded: flagged kFlagUnfinished, with
// a label without value, and left out of training sets.
#include "core/pipeline/job_runner.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace hw {

struct LabelConfig {
    std::string task;
    bool includeImagined = false;   // label imagined dialogues too
    int64_t limit = 0;
    uint64_t seed = 0;
    int concurrency = 8;
    nlohmann::json stage = nlohmann::json::object();
    // What the job row stores when set (the StageDescription it was run from, stage_registry.h);
    // else this config. Not serialised: it is the record, not a setting.
    nlohmann::json description;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LabelConfig, task, includeImagined, limit, seed, concurrency, stage)

// Items are "r:<dialogue id>": regenerations (and imagined dialogues when asked) without reward,
// not labelled by another job. extra counts: "labeled", "discarded".
JobSummary runLabel(SharedProject& project, const LabelConfig& config, RewardLabeler& labeler, const JobHooks& hooks);

} // namespace hw
