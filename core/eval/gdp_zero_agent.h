#pragma once
// GDP-Zero (Yu et al. 2023) as an evaluation agent: before each agent turn, a Monte Carlo tree
// search over the task's dialogue strategies (prompts/<task>/gdp_zero_strategies.json) in which
// one LLM plays both sides: for a chosen strategy it writes the agent's message
// (gdp_zero_reply.txt), the user's answer (gdp_zero_user.txt) and scores how the conversation
// now stands (gdp_zero_value.txt, "Score: 0-10"). 10 simulations per turn as in the paper; the
// reply is the best-scored message of the most visited strategy of this turn.
//
// The tree is GDP-Zero's open-loop tree over strategy sequences, several plies deep: a node is
// the strategies chosen from this turn on; each simulation selects by PUCT (uniform prior, Q_0 =
// 0) down the tree, and a node with fewer than kMaxRealizations (3) sampled conversations gets a
// new one (3 calls: message, user answer, score; no rollout) while a full node is entered through
// one of its conversations (round robin) and the search continues a ply deeper, up to maxDepth
// plies; the score is backed up along the path. Differs from the original in the prior: uniform
// over strategies, where GDP-Zero asks the LLM for one (one call per expanded node).
#include "core/eval/eval_agent.h"
#include "core/prompts/prompt_library.h"

namespace hw {

class LlmClient;

struct DialogueStrategy {
    std::string name;
    std::string description;
};

// prompts/<task>/gdp_zero_strategies.json: [{"name", "description"}]. Throws hw::Error naming
// the file and field.
std::vector<DialogueStrategy> loadStrategies(const PromptLibrary& prompts, const Task& task);

class GdpZeroAgent : public EvalAgent {
public:
    GdpZeroAgent(LlmClient& client, const PromptLibrary& prompts, const Task& task, std::string spec,
                 int simulations = 10, int maxDepth = kDefaultMaxDepth);

    static constexpr int kMaxRealizations = 3;
    static constexpr int kDefaultMaxDepth = 4;

    nlohmann::json describe() const override;
    int maxConcurrency() const override;
    AgentTurn reply(const Task& task, const std::vector<Turn>& history, const StageContext& ctx) override;

private:
    LlmClient& m_client;
    std::vector<DialogueStrategy> m_strategies;
    PromptTemplate m_reply;
    PromptTemplate m_user;
    PromptTemplate m_value;
    std::string m_spec;
    int m_simulations;
    int m_maxDepth;
};

// "Score: N" with N in 0..10, as a value in [0, 1]; nullopt when absent or out of range.
std::optional<double> parseGdpScore(const std::string& reply);

} // namespace hw
