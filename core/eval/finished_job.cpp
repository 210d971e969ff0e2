#include "core/eval/finished_job.h"

#include "core/store/job_store.h"

namespace hw {

std::optional<JobSummary> finishedJob(SharedProject& project, const std::string& kind, const nlohmann::json& config)
{
    const std::string hash = JobRunner::configHash(config);
    return project.with([&](Database& db) -> std::optional<JobSummary> {
        for (const auto& j : JobStore(db).list(kind, 1000)) {
            if (j.status != "done" || j.failed > 0 || j.config.value("config_hash", std::string()) != hash)
                continue;
            JobSummary s;
            s.jobId = j.id;
            s.kind = kind;
            s.status = "done";
            s.total = j.total;
            s.done = j.done;
            s.skipped = j.done;
            return s;
        }
        return std::nullopt;
    });
}

} // namespace hw
