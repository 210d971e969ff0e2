#include "core/pipeline/persona_job.h"

#include "core/data/task_json.h"
#include "core/llm/llm_client.h"
#include "core/pipeline/llm_stage_support.h"
#include "core/pipeline/persona_proposal.h"
#include "core/pipeline/personas.h"
#include "core/prompts/prompt_library.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"

#include <algorithm>

namespace hw {
namespace {

constexpr const char* kItem = "propose";

// The personas a new one must not repeat: the definition's and a personas.json's.
std::vector<TaskPersona> existingPersonas(const PromptLibrary& prompts, const Task& task)
{
    std::vector<TaskPersona> out = task.personas;
    try {
        for (const auto& p : loadPersonas(prompts, task))
            if (std::none_of(out.begin(), out.end(), [&](const TaskPersona& t) { return t.name == p.name; }))
                out.push_back({p.name, p.description, p.hidden});
    } catch (const Error&) {
        // No personas yet: nothing to compare with.
    }
    return out;
}

std::string hiddenFields(const Task& task)
{
    std::string s = "\"knowledge\" (what they know about the matter), \"preferences\" (what they want or dislike), "
                    "\"willingness\" (how open they are to the " + task.agentRole + ")";
    if (task.kind == TaskKind::Counseling)
        s += ", \"initial_intensity\" (a whole number from 1 to 5: how strong their emotion is at the start)";
    return s;
}

} // namespace

JobSummary runProposePersonas(SharedProject& project, const ProposePersonasConfig& config, LlmClient& llm,
                              const PromptLibrary& prompts, const JobHooks& hooks)
{
    if (config.count < 1 || config.count > 100)
        throw Error("personas: count must be between 1 and 100");
    JobRunner::Options opts;
    opts.kind = "personas";
    opts.name = "personas " + config.task;
    opts.config = config.description.is_null() ? nlohmann::json(config) : config.description;
    opts.concurrency = 1;
    opts.seed = config.seed;
    JobRunner runner(project, opts, hooks);

    const auto task = project.with([&](Database& db) { return DialogueStore(db).task(config.task); });
    if (!task)
        throw Error("no task named '" + config.task + "' in this project");

    JobSummary s = runner.run({kItem}, [&](const std::string& key, const StageContext& ctx) {
        JobItemOutcome out;
        const PromptTemplate tpl = loadTemplate(prompts, *task, "personas");
        auto values = taskValues(*task);
        const std::vector<TaskPersona> existing = existingPersonas(prompts, *task);
        std::string names;
        for (const auto& p : existing)
            names += "- " + p.name + ": " + p.description + "\n";
        values["count"] = std::to_string(config.count);
        values["existing_personas"] = names.empty() ? "none yet\n" : names;
        values["hidden_fields"] = hiddenFields(*task);
        LlmCallResult call = callWithTemplate(llm, tpl, values, ctx, 0, "personas");
        out.usage = call.usage;
        const std::string request = "personas request '" + key + "' for task '" + task->name + "' (llm call "
                                    + std::to_string(call.provenance.value("llm_call_id", int64_t(0))) + ")";
        std::vector<TaskPersona> proposed;
        try {
            proposed = parsePersonaReply(call.response.content, request);
        } catch (const Error& e) {
            out.error = e.what();
            out.result = {{"raw", call.response.content.substr(0, 20000)}};
            return out;
        }
        const PersonaDedup dedup = dedupePersonas(existing, proposed);
        nlohmann::json duplicates = nlohmann::json::array();
        for (const auto& d : dedup.duplicates)
            duplicates.push_back(toJson(d));
        nlohmann::json added = nlohmann::json::array();
        for (const auto& p : dedup.kept)
            added.push_back(p.name);
        // Checked before anything is written: the definition with them must still be valid.
        Task updated = *task;
        updated.personas.insert(updated.personas.end(), dedup.kept.begin(), dedup.kept.end());
        try {
            validateTask(updated);
        } catch (const TaskDefinitionError& e) {
            out.error = request + ": " + e.what();
            return out;
        }
        out.ok = true;
        out.counts = {{"personas", dedup.kept.size()}, {"duplicates", dedup.duplicates.size()}};
        out.result = {{"added", added}, {"duplicates", duplicates}, {"proposed", proposed.size()},
                      {"provenance", call.provenance}};
        const std::vector<TaskPersona> kept(updated.personas.begin() + static_cast<long>(task->personas.size()),
                                            updated.personas.end());
        const std::string taskName = task->name;
        out.commit = [kept, taskName](Database& db, nlohmann::json&) {
            // The item's transaction: the definition as it is now, plus the new personas.
            DialogueStore store(db);
            Task t = *store.task(taskName);
            for (const auto& p : kept)
                if (std::none_of(t.personas.begin(), t.personas.end(), [&](const TaskPersona& x) { return x.name == p.name; }))
                    t.personas.push_back(p);
            store.replaceTask(t);
        };
        return out;
    });
    // What the item found (also when it was done by an earlier run of the job).
    project.with([&](Database& db) {
        Statement st(db, "SELECT result, error, status FROM job_items WHERE job_id = ? AND item_key = ?");
        st.bind(1, s.jobId).bind(2, std::string(kItem));
        if (st.step()) {
            const auto r = nlohmann::json::parse(st.text(0), nullptr, false);
            if (r.is_object())
                for (const char* k : {"added", "duplicates", "proposed"})
                    if (r.contains(k))
                        s.extra[k] = r[k];
            if (st.text(2) == "failed")
                s.extra["item_error"] = st.text(1);
        }
    });
    return s;
}

} // namespace hw
