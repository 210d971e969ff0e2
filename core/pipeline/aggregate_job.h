#pragma once
// Pipeline stage 4: the training set = the task's labelled originals plus labelled regenerations,
// up to k times the number of originals (paper: 5x). When more regenerations are available than
// needed, a seeded uniform sample is taken; when fewer, all are used and the shortfall reported.
#include "core/pipeline/job_runner.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace hw {

struct AggregateConfig {
    std::string task;
    double k = 5.0;                 // target size = round(k * originals)
    std::string name;               // "" = "<task>-hindsight-k<k>" (made unique)
    bool includeImagined = false;   // labelled imagined dialogues count as regenerations
    uint64_t seed = 0;
    std::string outputJsonl;        // also export the set here when not empty
    // What the job row stores when set (the StageDescription it was run from, stage_registry.h);
    // else this config. Not serialised: it is the record, not a setting.
    nlohmann::json description;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AggregateConfig, task, k, name, includeImagined, seed, outputJsonl)

struct AggregateResult {
    int64_t setId = 0;
    std::string name;
    int64_t originals = 0;          // labelled originals included
    int64_t available = 0;          // labelled regenerations (and imagined) available
    int64_t regenerations = 0;      // included
    int64_t target = 0;             // k * originals
    int64_t size = 0;               // originals + regenerations
    int64_t shortfall = 0;          // target - size when not enough regenerations
    double achievedK = 0.0;         // size / originals
    std::string warning;            // with a shortfall: what was reached and what to do about it
    // An existing set had the same settings and exactly these dialogues: it is returned (setId,
    // name) and no new set is made.
    bool reused = false;
    JobSummary summary;             // extra holds the fields above
};

// One job ("aggregate", a single item). When the newest set with the same settings (output file
// aside) already holds exactly the dialogues selected, it is reused (AggregateResult::reused)
// instead of a copy. Throws hw::Error (no task, no labelled originals). A shortfall is not an
// error; summary.extra carries "k", "achieved_k", "shortfall" and, when short, "warning".
AggregateResult runAggregate(SharedProject& project, const AggregateConfig& config, const JobHooks& hooks);

} // namespace hw
