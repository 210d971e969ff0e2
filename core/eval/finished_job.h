#pragma once
// A re-run of an evaluation that already finished must send nothing and add no second copy of
// its episodes: the JobRunner resumes only unfinished jobs, so evaluation jobs look for a
// finished one with the same description first and report it as is.
#include "core/pipeline/job_runner.h"

#include <optional>

namespace hw {

// The newest job of `kind` whose config hash matches `config`, finished with no failed item.
std::optional<JobSummary> finishedJob(SharedProject& project, const std::string& kind, const nlohmann::json& config);

} // namespace hw
