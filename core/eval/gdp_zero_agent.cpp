#include "core/eval/gdp_zero_agent.h"

#include "core/chat/endpoint_agent.h"
#include "core/llm/llm_client.h"
#include "core/pipeline/llm_stage_support.h"
#include "core/pipeline/reply_text.h"

#include <algorithm>
#include <cmath>

namespace hw {
namespace {

// PUCT exploration constant; values are in [0, 1].
constexpr double kExploration = 1.0;

struct Child {
    int visits = 0;
    double valueSum = 0.0;
    double bestValue = -1.0;
    std::string bestText;
    std::string bestRaw;
    double q() const { return visits ? valueSum / visits : 0.0; }
};

} // namespace

std::optional<double> parseGdpScore(const std::string& text)
{
    const std::string plain = reply::stripReasoning(text);
    for (const auto& line : reply::lines(plain)) {
        const std::string low = reply::lower(reply::stripEmphasis(reply::trim(line)));
        if (low.rfind("score:", 0) != 0)
            continue;
        try {
            size_t used = 0;
            const std::string rest = reply::trim(low.substr(6));
            const double v = std::stod(rest, &used);
            if (v < 0 || v > 10)
                return std::nullopt;
            return v / 10.0;
        } catch (...) {
            return std::nullopt;
        }
    }
    return std::nullopt;
}

std::vector<DialogueStrategy> loadStrategies(const PromptLibrary& prompts, const Task& task)
{
    const auto file = prompts.readFile(task, "gdp_zero_strategies.json");
    if (!file)
        throw Error("no gdp_zero_strategies.json for task '" + task.name + "' in the prompt folders");
    const auto j = nlohmann::json::parse(file->second, nullptr, false);
    if (j.is_discarded() || !j.is_array() || j.empty())
        throw Error(file->first + ": expected a non-empty JSON array of {\"name\", \"description\"}");
    std::vector<DialogueStrategy> out;
    for (size_t i = 0; i < j.size(); ++i) {
        const auto& s = j[i];
        for (const char* field : {"name", "description"})
            if (!s.is_object() || !s.contains(field) || !s[field].is_string())
                throw Error(file->first + ": strategy " + std::to_string(i + 1) + ": field \"" + field
                            + "\" must be a string");
        out.push_back({s["name"].get<std::string>(), s["description"].get<std::string>()});
    }
    return out;
}

GdpZeroAgent::GdpZeroAgent(LlmClient& client, const PromptLibrary& prompts, const Task& task, std::string spec,
                           int simulations)
    : m_client(client)
    , m_strategies(loadStrategies(prompts, task))
    , m_reply(prompts.load(task, "gdp_zero_reply"))
    , m_user(prompts.load(task, "gdp_zero_user"))
    , m_value(prompts.load(task, "gdp_zero_value"))
    , m_spec(std::move(spec))
    , m_simulations(std::max(1, simulations))
{
}

nlohmann::json GdpZeroAgent::describe() const
{
    return {{"kind", "gdp-zero"},
            {"spec", m_spec},
            {"endpoint", m_client.profile().chatCompletionsUrl()},
            {"model", m_client.profile().model},
            {"simulations", m_simulations},
            {"strategies", m_strategies.size()},
            {"prompt_sha256", {m_reply.sha256, m_user.sha256, m_value.sha256}}};
}

int GdpZeroAgent::maxConcurrency() const { return std::max(1, m_client.profile().maxInFlight / 3); }

AgentTurn GdpZeroAgent::reply(const Task& task, const std::vector<Turn>& history, const StageContext& ctx)
{
    AgentTurn out;
    std::vector<Child> children(m_strategies.size());
    auto base = taskValues(task);
    base["dialogue"] = history.empty() ? std::string("(no messages yet)") : formatDialogue(task, history);
    int unparsedScores = 0;
    for (int sim = 0; sim < m_simulations; ++sim) {
        // PUCT with a uniform prior.
        const double total = std::sqrt(static_cast<double>(sim) + 1.0);
        size_t pick = 0;
        double bestScore = -1e300;
        for (size_t i = 0; i < children.size(); ++i) {
            const double u = kExploration * (1.0 / children.size()) * total / (1.0 + children[i].visits);
            const double score = children[i].q() + u;
            if (score > bestScore) {
                bestScore = score;
                pick = i;
            }
        }
        Child& c = children[pick];
        const int sample = c.visits; // a revisit samples a new message
        auto values = base;
        values["strategy"] = m_strategies[pick].name;
        values["strategy_description"] = m_strategies[pick].description;
        const int turnSample = static_cast<int>(history.size()) * 1000 + static_cast<int>(pick) * 10 + sample;
        const LlmCallResult agentCall = callWithTemplate(m_client, m_reply, values, ctx, turnSample, "gdp-zero reply");
        out.usage += agentCall.usage;
        const std::string message = extractResponse(agentCall.response.content);
        std::vector<Turn> imagined = history;
        imagined.push_back({static_cast<int>(imagined.size()), Role::Agent, message, {}});
        values["dialogue"] = formatDialogue(task, imagined);
        const LlmCallResult userCall = callWithTemplate(m_client, m_user, values, ctx, turnSample, "gdp-zero user");
        out.usage += userCall.usage;
        imagined.push_back({static_cast<int>(imagined.size()), Role::User,
                            reply::trim(reply::stripReasoning(userCall.response.content)), {}});
        values["dialogue"] = formatDialogue(task, imagined);
        const LlmCallResult valueCall = callWithTemplate(m_client, m_value, values, ctx, turnSample, "gdp-zero value");
        out.usage += valueCall.usage;
        const auto v = parseGdpScore(valueCall.response.content);
        if (!v)
            ++unparsedScores;
        const double value = v.value_or(0.0);
        ++c.visits;
        c.valueSum += value;
        if (value > c.bestValue && !message.empty()) {
            c.bestValue = value;
            c.bestText = message;
            c.bestRaw = agentCall.response.content;
        }
    }
    const auto best = std::max_element(children.begin(), children.end(), [](const Child& a, const Child& b) {
        return a.visits != b.visits ? a.visits < b.visits : a.q() < b.q();
    });
    const size_t bestIndex = static_cast<size_t>(best - children.begin());
    nlohmann::json tree = nlohmann::json::array();
    for (size_t i = 0; i < children.size(); ++i)
        if (children[i].visits > 0)
            tree.push_back({{"strategy", m_strategies[i].name}, {"visits", children[i].visits}, {"q", children[i].q()}});
    out.text = best->bestText;
    out.raw = best->bestRaw;
    out.provenance = describe();
    out.provenance["strategy"] = m_strategies[bestIndex].name;
    out.provenance["tree"] = tree;
    out.provenance["unparsed_scores"] = unparsedScores;
    out.ok = !out.text.empty();
    if (!out.ok)
        out.error = "GDP-Zero found no usable message";
    return out;
}

} // namespace hw
