// Stage 2 of the hindsight method as a registered stage kind (stage_registry.h).
#include "core/pipeline/regenerate_job.h"
#include "core/pipeline/stage_backend_set.h"
#include "core/pipeline/stage_registry.h"
#include "core/util/error.h"

namespace hw {

StageKind regenerateStageKind()
{
    StageKind k;
    k.name = "regenerate";
    k.title = "Regenerate: complete the better turns";
    k.role = "Keeps each dialogue up to the replaced agent turn, puts the better one there and lets the "
             "forward model write the rest (stage 2).";
    k.roles = {{role::kForward, {"llm", "checkpoint"}}, {role::kForwardHard, {"llm", "checkpoint"}}};
    k.needs = [](const StageDescription& d) {
        std::vector<std::string> out = {role::kForward};
        if (d.hardShare > 0)
            out.push_back(role::kForwardHard);
        return out;
    };
    k.options = {{"mode", "random"}, {"turnBudget", 0}, {"includeImagined", false}};
    k.fields = {{"mode", "Suggestions",
                 "Which hindsight suggestions get regenerated: one drawn at random per dialogue, or every "
                 "suggestion accepted on the Suggestions page (edited text wins).",
                 0, 0, {{"random", "one random suggestion per dialogue"}, {"accepted", "every accepted suggestion"}}, ""},
                {"turnBudget", "Turns after the replaced one",
                 "Most turns the forward model writes after the better turn; 0 = the original's remaining "
                 "turns plus 4 (between 4 and 40).", 0, 200, {}, "automatic"},
                {"includeImagined", "Include imagined dialogues",
                 "Also regenerate suggestions made on imagined dialogues (never those the critique rejected), so "
                 "hindsight regeneration can start from zero-shot data.", 0, 0, {}, ""}};
    k.validate = [](const StageDescription& d) {
        const std::string mode = d.options["mode"].get<std::string>();
        if (mode != "random" && mode != "accepted")
            throw Error("stage regenerate: options.mode must be random or accepted, not '" + mode + "'");
        if (d.options["turnBudget"].get<int>() < 0)
            throw Error("stage regenerate: options.turnBudget cannot be negative");
    };
    k.fromLegacy = [](const nlohmann::json& c) {
        StageDescription d;
        d.kind = "regenerate";
        d.task = c.value("task", std::string());
        d.samples = c.value("samples", 1);
        d.hardShare = c.value("hardShare", 0.0);
        d.limit = c.value("limit", int64_t(0));
        d.seed = c.value("seed", uint64_t(0));
        d.concurrency = c.value("concurrency", 0);
        d.options = {{"mode", c.value("mode", std::string("random"))},
                     {"turnBudget", c.value("turnBudget", 0)},
                     {"includeImagined", c.value("includeImagined", false)}};
        const nlohmann::json stage = c.value("stage", nlohmann::json::object());
        const int fewShots = stage.is_object() ? stage.value("few_shots", 3) : 3;
        const auto forward = legacyStageBackend(stage, "forward", fewShots);
        if (forward)
            d.backends[role::kForward] = *forward;
        // The hard model: a local checkpoint, a second endpoint, or (as LlmBackend did) the main one.
        const nlohmann::json nested = stage.is_object() && stage.contains("forward") ? stage["forward"] : stage;
        if (nested.is_object() && nested.contains("hard_checkpoint"))
            d.backends[role::kForwardHard] = StageBackend::local(nested.value("hard_checkpoint", std::string()));
        else if (nested.is_object() && nested.contains("hard"))
            if (auto hard = backendFromLegacy(nested["hard"], fewShots))
                d.backends[role::kForwardHard] = *hard;
        if (!d.has(role::kForwardHard) && forward && forward->kind == "llm")
            d.backends[role::kForwardHard] = *forward;
        return d;
    };
    k.run = [](StageRun& r) {
        const StageDescription& d = r.description;
        RegenerateConfig c;
        c.task = d.task;
        c.mode = d.options["mode"].get<std::string>();
        c.samples = d.samples;
        c.hardShare = d.hardShare;
        c.turnBudget = d.options["turnBudget"].get<int>();
        c.includeImagined = d.options["includeImagined"].get<bool>();
        c.limit = d.limit;
        c.seed = d.seed;
        c.concurrency = d.concurrency;
        c.description = d;
        ForwardModel* hard = d.hardShare > 0 ? &r.backends.forward(role::kForwardHard) : nullptr;
        return runRegenerate(r.project, c, r.backends.forward(), hard, r.hooks);
    };
    return k;
}

} // namespace hw
