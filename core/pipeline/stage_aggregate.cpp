// Stage 4 of the hindsight method as a registered stage kind (stage_registry.h).
#include "core/pipeline/aggregate_job.h"
#include "core/pipeline/stage_registry.h"
#include "core/util/error.h"

namespace hw {

StageKind aggregateStageKind()
{
    StageKind k;
    k.name = "aggregate";
    k.title = "Aggregate: build the training set";
    k.role = "The labelled originals plus labelled regenerations, up to k times the originals (stage 4).";
    k.usesItems = false;
    k.options = {{"k", 5.0}, {"name", ""}, {"includeImagined", false}, {"outputJsonl", ""}};
    k.fields = {{"k", "Target size (× originals)",
                 "The set holds the labelled originals plus regenerations up to k times their number "
                 "(the paper: 5). Fewer available regenerations are all used and the shortfall reported.",
                 1.0, 100.0, {}, ""},
                {"name", "Training set name", "Empty: <task>-hindsight-k<k>, made unique. Shown in the Runs page's "
                 "training-set list.", 0, 0, {}, "automatic"},
                {"includeImagined", "Imagined dialogues count as regenerations",
                 "Labelled zero-shot imagined dialogues join the pool the regenerations are drawn from.", 0, 0, {}, ""}};
    k.validate = [](const StageDescription& d) {
        if (d.options["k"].get<double>() < 1.0)
            throw Error("stage aggregate: options.k must be at least 1");
    };
    k.fromLegacy = [](const nlohmann::json& c) {
        StageDescription d;
        d.kind = "aggregate";
        d.task = c.value("task", std::string());
        d.seed = c.value("seed", uint64_t(0));
        d.options = {{"k", c.value("k", 5.0)},
                     {"name", c.value("name", std::string())},
                     {"includeImagined", c.value("includeImagined", false)},
                     {"outputJsonl", c.value("outputJsonl", std::string())}};
        return d;
    };
    k.run = [](StageRun& r) {
        const StageDescription& d = r.description;
        AggregateConfig c;
        c.task = d.task;
        c.k = d.options["k"].get<double>();
        c.name = d.options["name"].get<std::string>();
        c.includeImagined = d.options["includeImagined"].get<bool>();
        c.outputJsonl = d.options["outputJsonl"].get<std::string>();
        c.seed = d.seed;
        c.description = d;
        return runAggregate(r.project, c, r.hooks).summary;
    };
    return k;
}

} // namespace hw
