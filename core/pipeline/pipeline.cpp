#include "core/pipeline/pipeline.h"

namespace hw {

nlohmann::json PipelineResult::toJson() const
{
    nlohmann::json stagesJson = nlohmann::json::array();
    // Totals over the stages run: what the whole pipeline cost and did, in the stage summaries'
    // own terms ("items" mixes units: dialogues relabelled, regenerations made, labels...).
    int64_t total = 0, done = 0, failed = 0, skipped = 0, processed = 0;
    StageUsage usage;
    double seconds = 0.0;
    for (const auto& j : jobs) {
        stagesJson.push_back(j.toJson());
        total += j.total;
        done += j.done;
        failed += j.failed;
        skipped += j.skipped;
        processed += j.processed;
        usage += j.usage;
        seconds += j.seconds;
    }
    nlohmann::json totals = usage.toJson();
    totals["items"] = {{"total", total}, {"done", done}, {"failed", failed}, {"skipped", skipped}, {"processed", processed}};
    totals["tokens"] = usage.promptTokens + usage.completionTokens;
    totals["seconds"] = seconds;
    return {{"status", status}, {"stages", stagesJson}, {"totals", totals}};
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
