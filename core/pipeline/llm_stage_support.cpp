#include "core/pipeline/llm_stage_support.h"

#include "core/llm/llm_client.h"
#include "core/pipeline/dialogue_lines.h"

#include <sstream>

namespace hw {

uint64_t attemptSeed(uint64_t seed, int attempt)
{
    if (attempt == 0)
        return seed;
    uint64_t x = seed + 0x9E3779B97F4A7C15ull * static_cast<uint64_t>(attempt);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

std::map<std::string, std::string> taskValues(const Task& task)
{
    std::ostringstream lo, hi;
    lo << task.rewardMin;
    hi << task.rewardMax;
    std::string anchors;
    for (const auto& a : task.rewardAnchors) {
        std::ostringstream score;
        score << a.score;
        anchors += "- " + score.str() + ": " + a.meaning + "\n";
    }
    std::string examples;
    int n = 0;
    for (const auto& e : task.examples) {
        std::vector<Turn> turns;
        for (const auto& t : e.turns) {
            Turn turn;
            turn.index = static_cast<int>(turns.size());
            turn.role = t.role == "agent" ? Role::Agent : Role::User;
            turn.text = t.text;
            turns.push_back(std::move(turn));
        }
        std::ostringstream reward;
        reward << e.reward;
        examples += "Example " + std::to_string(++n) + ":\n" + formatDialogueLines(turns) + "Reward: " + reward.str()
                    + (e.note.empty() ? "" : " (" + e.note + ")") + "\n\n";
    }
    return {{"task", task.name},
            {"task_description", task.description},
            {"agent_role", task.agentRole},
            {"user_role", task.userRole},
            // The rest of the task definition (core/data/task.h), for templates of tasks defined as
            // data (prompts/custom/); empty for a task whose definition is incomplete.
            {"agent_role_description", task.agentRoleDescription},
            {"user_role_description", task.userRoleDescription},
            {"opener_role", task.opener == "user" ? task.userRole : task.agentRole},
            {"turn_cap", std::to_string(task.turnCap)},
            {"reward_name", task.rewardName},
            {"reward_min", lo.str()},
            {"reward_max", hi.str()},
            {"reward_source", toString(task.rewardSource)},
            {"reward_rubric", task.rewardRubric},
            {"reward_anchors", anchors},
            {"outcome_question", task.outcomeQuestion},
            {"task_examples", examples}};
}

PromptTemplate loadTemplate(const PromptLibrary& prompts, const Task& task, const std::string& name)
{
    try {
        return prompts.load(task, name);
    } catch (const StageError&) {
        throw;
    } catch (const Error& e) {
        throw StageError(e.what(), true);
    }
}

LlmCallResult callWithTemplate(LlmClient& llm, const PromptTemplate& tpl,
                               const std::map<std::string, std::string>& values, const StageContext& ctx,
                               int sampleIndex, const std::string& what)
{
    std::vector<ChatMessage> messages;
    try {
        messages = tpl.render(values);
    } catch (const Error& e) {
        throw StageError(e.what(), true);
    }
    ChatRequest req;
    req.messages = std::move(messages);
    // Seed: stable per item and attempt; the sample index keeps distinct samples apart.
    req.seed = attemptSeed(ctx.seed, ctx.attempt);
    req.sampleIndex = sampleIndex;
    req.label = (what.empty() ? tpl.name : what) + (ctx.itemKey.empty() ? "" : " " + ctx.itemKey)
                + (ctx.attempt > 0 ? " (retry " + std::to_string(ctx.attempt) + ")" : "");

    LlmCallResult out;
    out.response = llm.chat(req, ctx.stop, ctx.jobId);
    const ChatResponse& r = out.response;
    out.usage.requests = r.fromCache ? 0 : 1;
    out.usage.cacheHits = r.fromCache ? 1 : 0;
    out.usage.retries = r.attempts > 1 ? r.attempts - 1 : 0;
    if (!r.fromCache) {
        out.usage.promptTokens = r.promptTokens;
        out.usage.completionTokens = r.completionTokens;
        out.usage.cost = r.cost;
        out.usage.latencyMs = r.latencyMs;
    }
    if (r.callId > 0)
        out.usage.callIds.push_back(r.callId);
    out.provenance = {{"kind", "llm"},
                      {"endpoint", llm.profile().chatCompletionsUrl()},
                      {"model", llm.profile().model},
                      {"prompt", tpl.id()},
                      {"prompt_sha256", tpl.sha256},
                      {"llm_call_id", r.callId},
                      {"request_hash", r.requestHash}};
    if (!llm.profile().name.empty())
        out.provenance["profile"] = llm.profile().name;
    if (tpl.userOverride)
        out.provenance["prompt_override"] = tpl.path;
    return out;
}

} // namespace hw
