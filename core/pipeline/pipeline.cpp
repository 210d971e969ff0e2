#include "core/pipeline/pipeline.h"

namespace hw {

nlohmann::json PipelineResult::toJson() const
{
    nlohmann::json stagesJson = nlohmann::json::array();
    for (const auto& j : jobs)
        stagesJson.push_back(j.toJson());
    return {{"status", status}, {"stages", stagesJson}};
}

PipelineResult runPipeline(SharedProject& project, const PipelineConfig& config, const PipelineStages& stages,
                           const JobHooks& hooks)
{
    if (!stages.controller || !stages.forward || !stages.labeler)
        throw Error("pipeline: controller, forward model and reward labeler are all needed");
    PipelineResult out;
    auto finished = [&](const JobSummary& s) {
        out.jobs.push_back(s);
        if (s.status != "done") {
            out.status = s.status;
            return false;
        }
        return true;
    };
    if (!finished(runRelabel(project, config.relabel, *stages.controller, hooks)))
        return out;
    if (!finished(runRegenerate(project, config.regenerate, *stages.forward, stages.forwardHard, hooks)))
        return out;
    if (!finished(runLabel(project, config.label, *stages.labeler, hooks)))
        return out;
    AggregateResult agg = runAggregate(project, config.aggregate, hooks);
    out.aggregate = agg;
    if (!finished(agg.summary))
        return out;
    out.status = "done";
    return out;
}

} // namespace hw
