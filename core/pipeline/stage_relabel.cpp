// Stage 1 of the hindsight method as a registered stage kind (stage_registry.h).
#include "core/pipeline/relabel_job.h"
#include "core/pipeline/stage_backend_set.h"
#include "core/pipeline/stage_registry.h"
#include "core/util/error.h"

namespace hw {

StageKind relabelStageKind()
{
    StageKind k;
    k.name = "relabel";
    k.title = "Relabel: hindsight suggestions";
    k.role = "Asks the hindsight controller for better agent turns in each original dialogue (stage 1).";
    k.roles = {{role::kController, {"llm", "retrieval"}}};
    k.options = {{"suggestions", 3}, {"includeImagined", false}};
    k.fields = {{"suggestions", "Suggestions per dialogue",
                 "Agent turns the controller names as worth improving in each dialogue (the paper: 3).", 1, 20, {}, ""},
                {"includeImagined", "Include imagined dialogues",
                 "Also ask about imagined dialogues (those the critique rejected excepted), so hindsight "
                 "relabelling can start from zero-shot data.", 0, 0, {}, ""}};
    k.validate = [](const StageDescription& d) {
        if (d.options["suggestions"].get<int>() < 1)
            throw Error("stage relabel: options.suggestions must be at least 1");
    };
    k.fromLegacy = [](const nlohmann::json& c) {
        StageDescription d;
        d.kind = "relabel";
        d.task = c.value("task", std::string());
        d.dialogueIds = c.value("dialogueIds", std::vector<int64_t>{});
        d.limit = c.value("limit", int64_t(0));
        d.seed = c.value("seed", uint64_t(0));
        d.concurrency = c.value("concurrency", 0);
        d.options = {{"suggestions", c.value("suggestions", 3)}, {"includeImagined", c.value("includeImagined", false)}};
        if (auto b = legacyStageBackend(c.value("stage", nlohmann::json::object()), "controller"))
            d.backends[role::kController] = *b;
        return d;
    };
    k.run = [](StageRun& r) {
        const StageDescription& d = r.description;
        RelabelConfig c;
        c.task = d.task;
        c.dialogueIds = d.dialogueIds;
        c.limit = d.limit;
        c.suggestions = d.options["suggestions"].get<int>();
        c.includeImagined = d.options["includeImagined"].get<bool>();
        c.seed = d.seed;
        c.concurrency = d.concurrency;
        c.description = d;
        return runRelabel(r.project, c, r.backends.controller(), r.hooks);
    };
    return k;
}

} // namespace hw
