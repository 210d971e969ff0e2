// Propose personas (the zero-shot "imagined conversations" method) as a registered stage kind
// (stage_registry.h): simulated users with hidden state, appended to the task definition.
#include "core/llm/llm_client.h"
#include "core/pipeline/llm_backend.h"
#include "core/pipeline/persona_job.h"
#include "core/pipeline/stage_backend_set.h"
#include "core/pipeline/stage_registry.h"
#include "core/util/error.h"

namespace hw {

StageKind personasStageKind()
{
    StageKind k;
    k.name = "personas";
    k.title = "Propose personas";
    k.role = "An LLM proposes diverse simulated users for the task, each with the hidden state it keeps from "
             "the agent; duplicates are dropped and the rest added to the task definition.";
    k.roles = {{role::kGenerator, {"llm"}}};
    k.usesLimit = false;
    k.options = {{"count", 8}};
    k.fields = {{"count", "Personas to propose", "How many personas the LLM is asked for (duplicates of existing "
                 "ones are dropped).", 1, 100, {}, ""}};
    k.validate = [](const StageDescription& d) {
        const int n = d.options["count"].get<int>();
        if (n < 1 || n > 100)
            throw Error("stage personas: options.count must be between 1 and 100");
    };
    // A job run from ProposePersonasConfig directly (no description) stores that config.
    k.fromLegacy = [](const nlohmann::json& c) {
        StageDescription d;
        d.kind = "personas";
        d.task = c.value("task", std::string());
        d.seed = c.value("seed", uint64_t(0));
        d.options = {{"count", c.value("count", 8)}};
        return d;
    };
    k.run = [](StageRun& r) {
        const StageDescription& d = r.description;
        ProposePersonasConfig c;
        c.task = d.task;
        c.count = d.options["count"].get<int>();
        c.seed = d.seed;
        c.description = d;
        return runProposePersonas(r.project, c, r.backends.llm(role::kGenerator).client(), r.backends.prompts(),
                                  r.hooks);
    };
    return k;
}

} // namespace hw
