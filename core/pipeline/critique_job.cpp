#include "core/pipeline/critique_job.h"

#include "core/llm/llm_client.h"
#include "core/pipeline/dialogue_lines.h"
#include "core/pipeline/llm_dialogue_generator.h"
#include "core/pipeline/llm_json_reply.h"
#include "core/pipeline/llm_stage_support.h"
#include "core/prompts/prompt_library.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/imagined_dialogue.h"

namespace hw {
namespace {

nlohmann::json turnsJson(const std::vector<Turn>& turns)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : turns)
        out.push_back({{"role", toString(t.role)}, {"text", t.text}});
    return out;
}

} // namespace

CritiqueVerdict parseCritiqueReply(const std::string& reply, const std::string& request)
{
    std::string why;
    const auto j = firstJsonValue(reply, '{', &why);
    if (!j)
        throw Error(request + ": reply: " + why + " (expected {\"verdict\", \"problems\", \"turns\"})");
    const std::string at = request + ": reply";
    CritiqueVerdict v;
    if (!j->contains("verdict") || !(*j)["verdict"].is_string())
        throw Error(at + ".verdict: missing field (keep, rewrite or reject)");
    v.verdict = (*j)["verdict"].get<std::string>();
    if (v.verdict != "keep" && v.verdict != "rewrite" && v.verdict != kCritiqueReject)
        throw Error(at + ".verdict: '" + v.verdict + "' is not keep, rewrite or reject");
    if (!j->contains("problems") || !(*j)["problems"].is_array())
        throw Error(at + ".problems: missing field (a JSON list of text, empty when there are none)");
    const auto& problems = (*j)["problems"];
    for (size_t i = 0; i < problems.size(); ++i) {
        if (!problems[i].is_string())
            throw Error(at + ".problems[" + std::to_string(i) + "]: expected text, found "
                        + std::string(problems[i].type_name()));
        v.problems.push_back(problems[i].get<std::string>());
    }
    if (v.verdict != "rewrite")
        return v;
    if (!j->contains("turns") || !(*j)["turns"].is_array())
        throw Error(at + ".turns: missing field (a rewrite needs the new dialogue as [{\"role\", \"text\"}, ...])");
    const auto& turns = (*j)["turns"];
    bool agent = false, user = false;
    for (size_t i = 0; i < turns.size(); ++i) {
        const std::string t = at + ".turns[" + std::to_string(i) + "]";
        const auto& x = turns[i];
        if (!x.is_object())
            throw Error(t + ": expected a JSON object, found " + std::string(x.type_name()));
        if (!x.contains("role") || !x["role"].is_string())
            throw Error(t + ".role: missing field (agent or user)");
        const std::string role = x["role"].get<std::string>();
        if (role != "agent" && role != "user")
            throw Error(t + ".role: '" + role + "' is not agent or user");
        if (!x.contains("text") || !x["text"].is_string())
            throw Error(t + ".text: missing field (text)");
        const std::string text = x["text"].get<std::string>();
        if (text.find_first_not_of(" \t\r\n") == std::string::npos)
            throw Error(t + ".text: must not be empty");
        Turn turn;
        turn.index = static_cast<int>(i);
        turn.role = roleFromString(role);
        turn.text = text;
        agent |= turn.role == Role::Agent;
        user |= turn.role == Role::User;
        v.turns.push_back(std::move(turn));
    }
    if (!agent || !user)
        throw Error(at + ".turns: a rewrite needs turns of both the agent and the user");
    return v;
}

JobSummary runCritique(SharedProject& project, const CritiqueConfig& config, LlmClient& llm,
                       const PromptLibrary& prompts, const JobHooks& hooks)
{
    JobRunner::Options opts;
    opts.kind = "critique";
    opts.name = "critique " + config.task;
    opts.config = config.description.is_null() ? nlohmann::json(config) : config.description;
    opts.concurrency = std::max(1, config.concurrency);
    opts.seed = config.seed;
    JobRunner runner(project, opts, hooks);
    const int64_t jobId = runner.jobId();

    Task task;
    std::vector<std::string> keys;
    project.with([&](Database& db) {
        const auto t = DialogueStore(db).task(config.task);
        if (!t)
            throw Error("no task named '" + config.task + "' in " + db.path());
        task = *t;
        std::string sql =
            "SELECT d.id FROM dialogues d JOIN tasks t ON t.id = d.task_id WHERE t.name = ?1 AND d.source = 'imagined' "
            "AND (json_extract(d.metadata, '$.imagined.critique') IS NULL "
            "     OR json_extract(d.metadata, '$.imagined.critique.critic.job_id') = ?2) ORDER BY d.id";
        if (config.limit > 0)
            sql += " LIMIT " + std::to_string(config.limit);
        Statement st(db, sql);
        st.bind(1, config.task).bind(2, jobId);
        while (st.step())
            keys.push_back("c:" + std::to_string(st.int64(0)));
    });

    return runner.run(keys, [&](const std::string& key, const StageContext& ctx) {
        const int64_t id = std::stoll(key.substr(2));
        const auto dialogue = project.with([&](Database& db) { return DialogueStore(db).get(id); });
        JobItemOutcome out;
        if (!dialogue) {
            out.error = "dialogue " + std::to_string(id) + " no longer exists";
            return out;
        }
        const nlohmann::json imagined = dialogue->metadata.value("imagined", nlohmann::json::object());
        ImagineTarget target;
        if (imagined.contains("target_outcome") && imagined["target_outcome"].is_number()) {
            target.outcome = imagined["target_outcome"].get<double>();
            target.anchorMeaning = imagined.value("target_anchor", std::string());
        }
        const PromptTemplate tpl = loadTemplate(prompts, task, "critique");
        auto values = taskValues(task);
        values["persona_name"] = imagined.value("persona", std::string("unknown"));
        values["persona_description"] = imagined.value("persona_description", std::string());
        values["persona_hidden"] = personaHiddenText(imagined.value("persona_hidden", nlohmann::json::object()));
        values["target_outcome"] = targetOutcomeText(task, target);
        values["dialogue"] = formatDialogueLines(dialogue->turns);
        LlmCallResult call = callWithTemplate(llm, tpl, values, ctx, 0, "critique");
        out.usage = call.usage;
        const std::string request = "critique request '" + key + "' of dialogue '" + dialogue->uid + "' (llm call "
                                    + std::to_string(call.provenance.value("llm_call_id", int64_t(0))) + ")";
        CritiqueVerdict v;
        try {
            v = parseCritiqueReply(call.response.content, request);
        } catch (const Error& e) {
            out.error = e.what();
            out.result = {{"raw", call.response.content.substr(0, 20000)}};
            return out;
        }
        nlohmann::json critic = call.provenance;
        critic["job_id"] = ctx.jobId;
        nlohmann::json critique = {{"verdict", v.verdict}, {"problems", v.problems}, {"critic", critic}};
        if (v.verdict == "rewrite")
            critique["original_turns"] = turnsJson(dialogue->turns);
        out.ok = true;
        out.counts = {{"kept", v.verdict == "keep" ? 1 : 0},
                      {"rewritten", v.verdict == "rewrite" ? 1 : 0},
                      {"rejected", v.verdict == kCritiqueReject ? 1 : 0}};
        out.result = {{"verdict", v.verdict}, {"problems", v.problems.size()}};
        out.commit = [id, v, critique](Database& db, nlohmann::json&) {
            DialogueStore store(db);
            const auto now = store.get(id);
            if (!now)
                throw Error("dialogue " + std::to_string(id) + " no longer exists");
            nlohmann::json metadata = now->metadata.is_object() ? now->metadata : nlohmann::json::object();
            metadata["imagined"]["critique"] = critique;
            if (v.verdict == "rewrite")
                store.replaceTurns(id, v.turns);
            store.setMetadata(id, metadata);
        };
        return out;
    });
}

} // namespace hw
