#pragma once
// Pipeline stage 1: ask the hindsight controller about each selected dialogue and store its
// suggestions (status "proposed"; unusable ones as "failed" with the raw reply).
#include "core/pipeline/job_runner.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hw {

struct RelabelConfig {
    std::string task;                  // task name (required)
    std::vector<int64_t> dialogueIds;  // explicit selection; empty = every original of the task
    int64_t limit = 0;                 // at most this many dialogues (0 = all)
    int suggestions = 3;               // asked per dialogue (paper: 3)
    bool includeImagined = false;      // imagined dialogues too (not rejected by the critique)
    uint64_t seed = 0;
    int concurrency = 8;               // items in flight
    nlohmann::json stage = nlohmann::json::object(); // controller description (endpoint, model), for the job record
    // What the job row stores when set (the StageDescription it was run from, stage_registry.h);
    // else this config. Not serialised: it is the record, not a setting.
    nlohmann::json description;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RelabelConfig, task, dialogueIds, limit, suggestions, includeImagined, seed,
                                                concurrency, stage)

// Dialogues picked: originals (not regenerations or imagined; imagined ones too with
// includeImagined, except those the critique rejected) of the task, in id order, that have
// no usable suggestion from another job (so a re-run only does what is missing, and dialogues
// whose replies all failed are tried again). extra counts: "suggestions", "failed_suggestions".
JobSummary runRelabel(SharedProject& project, const RelabelConfig& config, HindsightController& controller,
                      const JobHooks& hooks);

} // namespace hw
