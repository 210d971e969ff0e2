// Zero-shot imagined dialogues (Hong et al. 2023) as a registered stage kind (stage_registry.h):
// the worked example of README "Adding a stage".
#include "core/pipeline/imagine_job.h"
#include "core/pipeline/personas.h"
#include "core/pipeline/stage_backend_set.h"
#include "core/pipeline/stage_registry.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/util/error.h"

namespace hw {

StageKind imagineStageKind()
{
    StageKind k;
    k.name = "imagine";
    k.title = "Imagine: zero-shot dialogues";
    k.role = "Whole dialogues from the task description and each simulated user persona.";
    k.roles = {{role::kGenerator, {"llm"}}};
    k.usesLimit = false;
    k.options = {{"perPersona", 10}, {"personas", nlohmann::json::array()}, {"targetOutcomes", true}};
    k.fields = {{"perPersona", "Dialogues per persona", "Imagined dialogues written for each simulated user persona.",
                 1, 10000, {}, ""},
                {"targetOutcomes", "Target outcomes",
                 "Write each persona's dialogues towards outcomes spread over the reward range (failures "
                 "included), with the persona's hidden state; off: any outcome.", 0, 0, {}, ""}};
    k.validate = [](const StageDescription& d) {
        if (d.options["perPersona"].get<int>() < 1)
            throw Error("stage imagine: options.perPersona must be at least 1");
        for (const auto& p : d.options["personas"])
            if (!p.is_string())
                throw Error("stage imagine: options.personas must be a list of persona names");
    };
    k.fromLegacy = [](const nlohmann::json& c) {
        StageDescription d;
        d.kind = "imagine";
        d.task = c.value("task", std::string());
        d.seed = c.value("seed", uint64_t(0));
        d.concurrency = c.value("concurrency", 0);
        d.options = {{"perPersona", c.value("perPersona", 10)},
                     {"personas", c.value("personas", nlohmann::json::array())},
                     {"targetOutcomes", c.value("targetOutcomes", false)}};
        if (auto b = legacyStageBackend(c.value("stage", nlohmann::json::object()), "generator"))
            d.backends[role::kGenerator] = *b;
        return d;
    };
    k.run = [](StageRun& r) {
        const StageDescription& d = r.description;
        ImagineConfig c;
        c.task = d.task;
        c.perPersona = d.options["perPersona"].get<int>();
        c.personas = d.options["personas"].get<std::vector<std::string>>();
        c.targetOutcomes = d.options["targetOutcomes"].get<bool>();
        c.seed = d.seed;
        c.concurrency = d.concurrency;
        c.description = d;
        const auto task = r.project.with([&](Database& db) { return DialogueStore(db).task(d.task); });
        if (!task)
            throw Error("no task named '" + d.task + "' in this project");
        return runImagine(r.project, c, loadPersonas(r.backends.prompts(), *task), r.backends.generator(), r.hooks);
    };
    return k;
}

} // namespace hw
