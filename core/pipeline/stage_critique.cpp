// Critique of imagined dialogues (the zero-shot "imagined conversations" method) as a registered
// stage kind (stage_registry.h): keep, rewrite or reject each one before it is labelled.
#include "core/llm/llm_client.h"
#include "core/pipeline/critique_job.h"
#include "core/pipeline/llm_backend.h"
#include "core/pipeline/stage_backend_set.h"
#include "core/pipeline/stage_registry.h"
#include "core/util/error.h"

namespace hw {

StageKind critiqueStageKind()
{
    StageKind k;
    k.name = "critique";
    k.title = "Critique imagined dialogues";
    k.role = "An LLM critic keeps, rewrites or rejects each imagined dialogue: an agent that knows the user's hidden "
             "state untold, a persona out of character, an outcome the text does not support.";
    k.roles = {{role::kCritic, {"llm"}}};
    // A job run from CritiqueConfig directly (no description) stores that config.
    k.fromLegacy = [](const nlohmann::json& c) {
        StageDescription d;
        d.kind = "critique";
        d.task = c.value("task", std::string());
        d.seed = c.value("seed", uint64_t(0));
        d.limit = c.value("limit", int64_t(0));
        d.concurrency = c.value("concurrency", 0);
        return d;
    };
    k.run = [](StageRun& r) {
        const StageDescription& d = r.description;
        CritiqueConfig c;
        c.task = d.task;
        c.limit = d.limit;
        c.seed = d.seed;
        c.concurrency = d.concurrency > 0 ? d.concurrency : 8;
        c.description = d;
        return runCritique(r.project, c, r.backends.llm(role::kCritic).client(), r.backends.prompts(), r.hooks);
    };
    return k;
}

} // namespace hw
