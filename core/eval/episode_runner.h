#pragma once
// One evaluation episode: an agent against a simulated user, in the task's turn order (P4G: the
// persuader opens; ESConv: the seeker opens), up to maxTurns agent turns, the user answering
// each; then the simulated user's decision. Every turn keeps its provenance (and, for ILQL
// agents, the advantage per token) in Turn::annotations; simulator faults are counted.
#include "core/eval/eval_agent.h"
#include "core/eval/user_simulator.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

struct EpisodeResult {
    bool ok = false;                   // false: a failed episode (unparsable decision, empty agent reply)
    std::string error;
    std::vector<Turn> turns;
    std::optional<double> reward;
    std::optional<double> outcome;
    std::string decisionRaw;
    nlohmann::json decisionProvenance = nlohmann::json::object();
    nlohmann::json faults = nlohmann::json::object(); // fault name -> count
    bool endedEarly = false;           // the simulated user closed the conversation
    StageUsage usage;
};

// Default turn caps: 10 (persuasion), 15 (counseling).
int defaultMaxTurns(const Task& task);

// Throws what the agent or simulator throws for call failures (LlmError, Cancelled): those are
// job item failures to retry, not failed episodes. `ctx.seed` is the episode's seed.
EpisodeResult runEpisode(const Task& task, const EvalPersona& persona, EvalAgent& agent, UserSimulator& simulator,
                         int maxTurns, const StageContext& ctx);

} // namespace hw
