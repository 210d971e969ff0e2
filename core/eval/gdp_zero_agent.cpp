#include "core/eval/gdp_zero_agent.h"

#include "core/chat/endpoint_agent.h"
#include "core/llm/llm_client.h"
#include "core/pipeline/llm_stage_support.h"
#include "core/pipeline/reply_text.h"

#include <algorithm>
#include <cmath>
#include <memory>

namespace hw {
namespace {

// PUCT exploration constant; values are in [0, 1]. An unvisited strategy's Q is 0 (GDP-Zero's Q_0).
constexpr double kExploration = 1.0;

// One node of the open-loop tree: the sequence of strategies from the root. Its realizations are
// the conversations sampled for it (agent message with the node's strategy + imagined user
// answer); once it has GdpZeroAgent::kMaxRealizations of them, a visit descends into one of them
// (round robin) and the search goes a ply deeper.
struct Node {
    int depth = 0;                 // 0 = root (this turn's conversation)
    size_t strategy = 0;           // the strategy that leads here (not for the root)
    int visits = 0;
    double valueSum = 0.0;
    struct Realization {
        std::vector<Turn> history; // the conversation after this node's agent message and user answer
        std::string message, raw;
        double value = 0.0;
    };
    std::vector<Realization> realizations;
    std::vector<std::unique_ptr<Node>> children; // by strategy index, created when first chosen
    double q() const { return visits ? valueSum / visits : 0.0; }
};

// PUCT with a uniform prior over the strategies.
size_t selectStrategy(const Node& node, size_t strategies)
{
    const double total = std::sqrt(static_cast<double>(node.visits) + 1.0);
    size_t pick = 0;
    double bestScore = -1e300;
    for (size_t i = 0; i < strategies; ++i) {
        const Node* c = i < node.children.size() ? node.children[i].get() : nullptr;
        const int visits = c ? c->visits : 0;
        const double u = kExploration * (1.0 / static_cast<double>(strategies)) * total / (1.0 + visits);
        const double score = (c ? c->q() : 0.0) + u;
        if (score > bestScore) {
            bestScore = score;
            pick = i;
        }
    }
    return pick;
}

nlohmann::json treeJson(const Node& node, const std::vector<DialogueStrategy>& strategies, int& maxDepth)
{
    nlohmann::json kids = nlohmann::json::array();
    for (const auto& c : node.children) {
        if (!c || c->visits == 0)
            continue;
        maxDepth = std::max(maxDepth, c->depth);
        nlohmann::json j = {{"strategy", strategies[c->strategy].name},
                            {"depth", c->depth},
                            {"visits", c->visits},
                            {"q", c->q()},
                            {"realizations", c->realizations.size()}};
        auto sub = treeJson(*c, strategies, maxDepth);
        if (!sub.empty())
            j["children"] = std::move(sub);
        kids.push_back(std::move(j));
    }
    return kids;
}

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
                           int simulations, int maxDepth)
    : m_client(client)
    , m_strategies(loadStrategies(prompts, task))
    , m_reply(prompts.load(task, "gdp_zero_reply"))
    , m_user(prompts.load(task, "gdp_zero_user"))
    , m_value(prompts.load(task, "gdp_zero_value"))
    , m_spec(std::move(spec))
    , m_simulations(std::max(1, simulations))
    , m_maxDepth(std::max(1, maxDepth))
{
}

nlohmann::json GdpZeroAgent::describe() const
{
    return {{"kind", "gdp-zero"},
            {"spec", m_spec},
            {"endpoint", m_client.profile().chatCompletionsUrl()},
            {"model", m_client.profile().model},
            {"simulations", m_simulations},
            {"max_realizations", kMaxRealizations},
            {"max_depth", m_maxDepth},
            {"strategies", m_strategies.size()},
            {"prompt_sha256", {m_reply.sha256, m_user.sha256, m_value.sha256}}};
}

int GdpZeroAgent::maxConcurrency() const { return std::max(1, m_client.profile().maxInFlight / 3); }

AgentTurn GdpZeroAgent::reply(const Task& task, const std::vector<Turn>& history, const StageContext& ctx)
{
    AgentTurn out;
    Node root;
    root.children.resize(m_strategies.size());
    const auto base = taskValues(task);
    int unparsedScores = 0;
    int calls = 0;
    for (int sim = 0; sim < m_simulations; ++sim) {
        // Selection: down the tree while the chosen node has all its realizations.
        std::vector<Node*> path{&root};
        const std::vector<Turn>* state = &history;
        Node* node = &root;
        for (;;) {
            const size_t pick = selectStrategy(*node, m_strategies.size());
            auto& slot = node->children[pick];
            if (!slot) {
                slot = std::make_unique<Node>();
                slot->depth = node->depth + 1;
                slot->strategy = pick;
                slot->children.resize(m_strategies.size());
            }
            node = slot.get();
            path.push_back(node);
            const bool full = static_cast<int>(node->realizations.size()) >= kMaxRealizations;
            if (full && node->depth < m_maxDepth) {
                state = &node->realizations[static_cast<size_t>(node->visits) % node->realizations.size()].history;
                continue;
            }
            break;
        }
        double value = 0.0;
        if (static_cast<int>(node->realizations.size()) >= kMaxRealizations) {
            // At the depth limit with every realization sampled: its stored value again, no call.
            value = node->realizations[static_cast<size_t>(node->visits) % node->realizations.size()].value;
        } else {
            // Expansion and evaluation: the agent's message with the node's strategy, the user's
            // imagined answer, and the score of the conversation so far (no rollout).
            auto values = base;
            values["dialogue"] = state->empty() ? std::string("(no messages yet)") : formatDialogue(task, *state);
            values["strategy"] = m_strategies[node->strategy].name;
            values["strategy_description"] = m_strategies[node->strategy].description;
            const int turnSample = static_cast<int>(history.size()) * 1000 + sim;
            const LlmCallResult agentCall = callWithTemplate(m_client, m_reply, values, ctx, turnSample, "gdp-zero reply");
            out.usage += agentCall.usage;
            const std::string message = extractResponse(agentCall.response.content);
            Node::Realization r;
            r.history = *state;
            r.history.push_back({static_cast<int>(r.history.size()), Role::Agent, message, {}});
            values["dialogue"] = formatDialogue(task, r.history);
            const LlmCallResult userCall = callWithTemplate(m_client, m_user, values, ctx, turnSample, "gdp-zero user");
            out.usage += userCall.usage;
            r.history.push_back({static_cast<int>(r.history.size()), Role::User,
                                 reply::trim(reply::stripReasoning(userCall.response.content)), {}});
            values["dialogue"] = formatDialogue(task, r.history);
            const LlmCallResult valueCall = callWithTemplate(m_client, m_value, values, ctx, turnSample, "gdp-zero value");
            out.usage += valueCall.usage;
            calls += 3;
            const auto v = parseGdpScore(valueCall.response.content);
            if (!v)
                ++unparsedScores;
            value = v.value_or(0.0);
            r.message = message;
            r.raw = agentCall.response.content;
            r.value = value;
            node->realizations.push_back(std::move(r));
        }
        // Backpropagation along the path (the root counts simulations).
        for (Node* n : path) {
            ++n->visits;
            n->valueSum += value;
        }
    }
    // This turn's strategy: the most visited child of the root (ties: higher Q); its message: the
    // best-valued realization of it.
    const Node* best = nullptr;
    for (const auto& c : root.children)
        if (c && c->visits > 0
            && (!best || c->visits > best->visits || (c->visits == best->visits && c->q() > best->q())))
            best = c.get();
    const Node::Realization* chosen = nullptr;
    if (best)
        for (const auto& r : best->realizations)
            if (!r.message.empty() && (!chosen || r.value > chosen->value))
                chosen = &r;
    int maxDepth = 0;
    out.provenance = describe();
    out.provenance["tree"] = treeJson(root, m_strategies, maxDepth);
    out.provenance["max_depth"] = maxDepth;
    out.provenance["calls"] = calls;
    out.provenance["unparsed_scores"] = unparsedScores;
    if (best)
        out.provenance["strategy"] = m_strategies[best->strategy].name;
    if (chosen) {
        out.text = chosen->message;
        out.raw = chosen->raw;
    }
    out.ok = !out.text.empty();
    if (!out.ok)
        out.error = "GDP-Zero found no usable message";
    return out;
}

} // namespace hw
