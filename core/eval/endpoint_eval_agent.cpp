#include "core/eval/endpoint_eval_agent.h"

#include "core/chat/chat_agent_spec.h"
#include "core/chat/endpoint_agent.h"
#include "core/llm/llm_client.h"
#include "core/pipeline/llm_stage_support.h"

#include <algorithm>

namespace hw {
namespace {

std::string capitalised(std::string s)
{
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z')
        s[0] = static_cast<char>(s[0] - 'a' + 'A');
    return s;
}

} // namespace

EndpointEvalAgent::EndpointEvalAgent(LlmClient& client, const PromptLibrary& prompts, const Task& task,
                                     std::string prompting, std::string spec)
    : m_client(client)
    , m_prompt(prompts.load(task, promptFileOf(prompting)))
    , m_prompting(std::move(prompting))
    , m_spec(std::move(spec))
{
}

nlohmann::json EndpointEvalAgent::describe() const
{
    return {{"kind", "endpoint"},
            {"spec", m_spec},
            {"endpoint", m_client.profile().chatCompletionsUrl()},
            {"model", m_client.profile().model},
            {"prompting", m_prompting},
            {"prompt", m_prompt.id()},
            {"prompt_sha256", m_prompt.sha256}};
}

int EndpointEvalAgent::maxConcurrency() const { return std::max(1, m_client.profile().maxInFlight); }

AgentTurn EndpointEvalAgent::reply(const Task& task, const std::vector<Turn>& history, const StageContext& ctx)
{
    auto values = taskValues(task);
    // The chat prompts name roles as the transcript does ("Persuader"); the context is empty:
    // agents do not know the simulated user's persona.
    values["agent_role"] = capitalised(task.agentRole);
    values["user_role"] = capitalised(task.userRole);
    values["context"] = "";
    values["dialogue"] = history.empty() ? std::string("(no messages yet: you open the conversation)")
                                         : formatDialogue(task, history);
    const LlmCallResult r = callWithTemplate(m_client, m_prompt, values, ctx, static_cast<int>(history.size()),
                                             "agent " + m_prompting);
    AgentTurn out;
    out.usage = r.usage;
    out.provenance = r.provenance;
    out.provenance["prompting"] = m_prompting;
    out.raw = r.response.content;
    out.text = extractResponse(r.response.content);
    out.ok = !out.text.empty();
    if (!out.ok)
        out.error = "the agent's reply has no message";
    return out;
}

} // namespace hw
