#pragma once
// All four stages in a row: relabel -> regenerate -> label -> aggregate. Each stage is its own
// resumable job; running the pipeline again continues where it stopped.
#include "core/pipeline/aggregate_job.h"
#include "core/pipeline/label_job.h"
#include "core/pipeline/regenerate_job.h"
#include "core/pipeline/relabel_job.h"

#include <vector>

namespace hw {

struct PipelineConfig {
    RelabelConfig relabel;
    RegenerateConfig regenerate;
    LabelConfig label;
    AggregateConfig aggregate;
};

struct PipelineStages {
    HindsightController* controller = nullptr;
    ForwardModel* forward = nullptr;
    ForwardModel* forwardHard = nullptr;   // needed when regenerate.hardShare > 0
    RewardLabeler* labeler = nullptr;
};

struct PipelineResult {
    std::vector<JobSummary> jobs;          // one per stage run, in order
    std::optional<AggregateResult> aggregate;
    std::string status;                    // done | cancelled | failed (first stage not done)
    // {"status", "stages": [summary...], "totals": {"items": {total, done, failed, skipped,
    //  processed}, requests, cache_hits, retries, prompt_tokens, completion_tokens, tokens, cost,
    //  latency_ms, seconds}} with the totals summed over the stages.
    nlohmann::json toJson() const;
};

// Stops at the first stage that is cancelled or fails. hooks.onProgress sees each stage's job.
PipelineResult runPipeline(SharedProject& project, const PipelineConfig& config, const PipelineStages& stages,
                           const JobHooks& hooks);

} // namespace hw
