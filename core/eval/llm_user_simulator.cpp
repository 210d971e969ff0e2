#include "core/eval/llm_user_simulator.h"

#include "core/chat/endpoint_agent.h"
#include "core/llm/llm_client.h"
#include "core/pipeline/llm_stage_support.h"
#include "core/pipeline/reply_text.h"
#include "core/pipeline/reward_parser.h"

namespace hw {
namespace {

std::map<std::string, std::string> valuesFor(const Task& task, const EvalPersona& persona, const std::vector<Turn>& history)
{
    auto v = taskValues(task);
    v["persona"] = persona.promptText();
    v["persona_name"] = persona.name;
    v["initial_intensity"] = std::to_string(persona.initialIntensity);
    v["dialogue"] = history.empty() ? std::string("(nobody has spoken yet)") : formatDialogue(task, history);
    return v;
}

// The message without a "Persuadee:" label the model may have copied from the transcript.
std::string withoutRoleLabel(const Task& task, std::string text)
{
    const std::string low = reply::lower(text);
    const std::string role = reply::lower(task.userRole) + ":";
    if (!task.userRole.empty() && low.rfind(role, 0) == 0)
        text = text.substr(role.size());
    return reply::trim(text);
}

} // namespace

SimulatorDecision parseDecision(const Task& task, const EvalPersona& persona, const std::string& reply)
{
    SimulatorDecision d;
    d.raw = reply;
    if (task.kind == TaskKind::Counseling) {
        const Parsed<int> p = parseFinalIntensity(reply);
        if (!p.value) {
            d.error = "unparsable decision: " + p.error;
            return d;
        }
        d.outcome = *p.value;
        d.reward = static_cast<double>(persona.initialIntensity - *p.value);
    } else if (task.kind == TaskKind::Custom) {
        // A task defined as data: the answer to its outcome question is the reward.
        const Parsed<double> p = parseTaskReward(reply, task.rewardMin, task.rewardMax);
        if (!p.value) {
            d.error = "unparsable decision: " + p.error;
            return d;
        }
        d.outcome = *p.value;
        d.reward = *p.value;
    } else {
        const Parsed<double> p = parseDonationAmount(reply);
        if (!p.value) {
            d.error = "unparsable decision: " + p.error;
            return d;
        }
        d.outcome = *p.value;
        d.reward = *p.value;
    }
    d.ok = true;
    return d;
}

LlmUserSimulator::LlmUserSimulator(LlmClient& client, const PromptLibrary& prompts, const Task& task, std::string personaSet)
    : m_client(client)
    , m_turn(prompts.load(task, "simulator"))
    , m_decision(prompts.load(task, "simulator_decision"))
    , m_personaSet(std::move(personaSet))
{
}

nlohmann::json LlmUserSimulator::identity() const
{
    return {{"kind", "llm"},
            {"endpoint", m_client.profile().chatCompletionsUrl()},
            {"model", m_client.profile().model},
            {"temperature", m_client.profile().temperature},
            {"prompt", m_turn.id()},
            {"prompt_sha256", m_turn.sha256},
            {"decision_prompt", m_decision.id()},
            {"decision_prompt_sha256", m_decision.sha256},
            {"persona_set", m_personaSet}};
}

int LlmUserSimulator::maxConcurrency() const { return std::max(1, m_client.profile().maxInFlight); }

SimulatorTurn LlmUserSimulator::userTurn(const Task& task, const EvalPersona& persona, const std::vector<Turn>& history,
                                         const StageContext& ctx)
{
    SimulatorTurn out;
    const LlmCallResult r = callWithTemplate(m_client, m_turn, valuesFor(task, persona, history), ctx,
                                             static_cast<int>(history.size()), "simulated user");
    out.usage = r.usage;
    out.provenance = r.provenance;
    out.raw = r.response.content;
    std::string text = reply::stripReasoning(r.response.content);
    if (const size_t end = text.find(kEndMarker); end != std::string::npos) {
        out.wantsToEnd = true;
        text.erase(end, std::string(kEndMarker).size());
    }
    out.text = withoutRoleLabel(task, reply::trim(text));
    out.ok = true;
    return out;
}

SimulatorDecision LlmUserSimulator::decide(const Task& task, const EvalPersona& persona, const std::vector<Turn>& history,
                                           const StageContext& ctx)
{
    const LlmCallResult r = callWithTemplate(m_client, m_decision, valuesFor(task, persona, history), ctx,
                                             static_cast<int>(history.size()), "simulated decision");
    SimulatorDecision d = parseDecision(task, persona, r.response.content);
    d.usage = r.usage;
    d.provenance = r.provenance;
    return d;
}

} // namespace hw
