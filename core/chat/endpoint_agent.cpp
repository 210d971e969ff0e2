#include "core/chat/endpoint_agent.h"

#include "core/llm/endpoint_profile.h"
#include "core/llm/llm_client.h"
#include "core/pipeline/llm_stage_support.h"
#include "core/pipeline/reply_text.h"
#include "core/prompts/prompt_library.h"
#include "core/util/error.h"

#include <chrono>

namespace hw {
namespace {

std::string capitalised(std::string s)
{
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z')
        s[0] = static_cast<char>(s[0] - 'a' + 'A');
    return s;
}

std::string roleName(const Task& task, Role role)
{
    const std::string& n = role == Role::Agent ? task.agentRole : task.userRole;
    return capitalised(n.empty() ? (role == Role::Agent ? "agent" : "user") : n);
}

// Strips a pair of matching quotes around the whole text.
std::string unquote(std::string s)
{
    s = reply::trim(s);
    if (s.size() >= 2) {
        const size_t q = reply::quoteAt(s, 0);
        if (q > 0) {
            // Any closing quote character at the end.
            for (size_t back = 1; back <= 3 && back < s.size(); ++back)
                if (reply::quoteAt(s, s.size() - back) == back)
                    return reply::trim(s.substr(q, s.size() - back - q));
        }
    }
    return s;
}

} // namespace

std::string formatDialogue(const Task& task, const std::vector<Turn>& history)
{
    std::string out;
    for (const auto& t : history) {
        if (!out.empty())
            out += "\n";
        out += roleName(task, t.role) + ": " + t.text;
    }
    return out;
}

std::string extractResponse(const std::string& completion)
{
    const std::string text = reply::stripReasoning(completion);
    const auto all = reply::lines(text);
    for (size_t i = all.size(); i-- > 0;) {
        const std::string plain = reply::stripEmphasis(reply::trim(all[i]));
        const std::string low = reply::lower(plain);
        if (low.rfind("response:", 0) == 0 || low.rfind("response :", 0) == 0) {
            std::string rest = plain.substr(plain.find(':') + 1);
            // A multi-line response continues on the following lines.
            for (size_t j = i + 1; j < all.size(); ++j)
                rest += "\n" + all[j];
            const std::string answer = unquote(rest);
            if (!answer.empty())
                return answer;
        }
    }
    return unquote(text);
}

EndpointAgent::EndpointAgent(ChatAgentSpec spec, const EndpointProfile& profile, std::vector<std::string> promptDirs)
    : ChatAgent(std::move(spec))
    , m_client(std::make_unique<LlmClient>(profile, nullptr))
    , m_promptDirs(std::move(promptDirs))
{
}

EndpointAgent::~EndpointAgent() = default;

ChatReply EndpointAgent::reply(const ChatReplyRequest& request, const TokenStreamFn& onToken, const StopToken& stop)
{
    const PromptLibrary library = m_promptDirs.empty() ? PromptLibrary() : PromptLibrary(m_promptDirs);
    const PromptTemplate prompt = library.load(request.task, promptFileOf(m_spec.prompting));
    const std::string context = request.context.empty() ? std::string() : "Background: " + request.context + "\n";
    ChatRequest chat;
    // Every value of the task definition, so that prompts/custom/chat_*.txt work for any task.
    auto values = taskValues(request.task);
    values["agent_role"] = roleName(request.task, Role::Agent);
    values["user_role"] = roleName(request.task, Role::User);
    values["context"] = context;
    values["dialogue"] = formatDialogue(request.task, request.history);
    chat.messages = prompt.render(values);
    chat.seed = m_spec.seed;
    chat.useCache = false;
    chat.label = "chat " + m_spec.displayName();
    // Sampling settings are the profile's (temperature, max tokens); the spec's are for local agents.

    const auto t0 = std::chrono::steady_clock::now();
    ChatReply out;
    ChatResponse response;
    try {
        response = m_client->chat(chat, stop);
    } catch (const Cancelled&) {
        out.cancelled = true;
        out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return out;
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    out.firstTokenSeconds = out.seconds;
    out.rawText = response.content;
    out.text = extractResponse(response.content);
    out.tokenCount = response.completionTokens;
    out.provenance = {{"endpoint", m_client->profile().baseUrl},
                      {"model", m_client->profile().model},
                      {"prompt", prompt.id()},
                      {"prompt_sha256", prompt.sha256},
                      {"prompting", m_spec.prompting},
                      {"raw", response.content},
                      {"latency_ms", response.latencyMs}};
    if (onToken)
        onToken(TokenValue{out.text, std::nullopt, std::nullopt, std::nullopt});
    return out;
}

} // namespace hw
