// Stage 3 of the hindsight method as a registered stage kind (stage_registry.h).
#include "core/pipeline/label_job.h"
#include "core/pipeline/stage_backend_set.h"
#include "core/pipeline/stage_registry.h"

namespace hw {

StageKind labelStageKind()
{
    StageKind k;
    k.name = "label";
    k.title = "Label: reward the regenerations";
    k.role = "Scores every unlabelled regeneration with the reward model (stage 3).";
    k.roles = {{role::kLabeler, {"llm", "checkpoint"}}};
    k.options = {{"includeImagined", false}};
    k.fields = {{"includeImagined", "Label imagined dialogues too",
                 "Also score the unlabelled zero-shot imagined dialogues of the task.", 0, 0, {}, ""}};
    k.fromLegacy = [](const nlohmann::json& c) {
        StageDescription d;
        d.kind = "label";
        d.task = c.value("task", std::string());
        d.limit = c.value("limit", int64_t(0));
        d.seed = c.value("seed", uint64_t(0));
        d.concurrency = c.value("concurrency", 0);
        d.options = {{"includeImagined", c.value("includeImagined", false)}};
        const nlohmann::json stage = c.value("stage", nlohmann::json::object());
        const int fewShots = stage.is_object() ? stage.value("few_shots", -1) : -1;
        if (auto b = legacyStageBackend(stage, "labeler", fewShots))
            d.backends[role::kLabeler] = *b;
        return d;
    };
    k.run = [](StageRun& r) {
        const StageDescription& d = r.description;
        LabelConfig c;
        c.task = d.task;
        c.includeImagined = d.options["includeImagined"].get<bool>();
        c.limit = d.limit;
        c.seed = d.seed;
        c.concurrency = d.concurrency;
        c.description = d;
        return runLabel(r.project, c, r.backends.labeler(), r.hooks);
    };
    return k;
}

} // namespace hw
