#pragma once
// The user side of an evaluation episode: a simulated persuadee / help seeker with a persona, who
// answers the agent turn by turn and decides the outcome at the end (P4G "Final Donation Amount:
// X", ESConv "Final Emotional Intensity: N" given the initial one; reward = donation or
// initial - final).
//
// Implementations: LlmUserSimulator (any endpoint profile, persona prompt per task) and
// LocalUserSimulator (a forward-model checkpoint for the turns, a reward checkpoint for the
// outcome), so evaluation also runs offline. Same thread-safety contract as the pipeline stages
// (core/pipeline/stages.h): up to maxConcurrency() calls at once.
#include "core/data/dialogue.h"
#include "core/data/task.h"
#include "core/eval/eval_persona.h"
#include "core/pipeline/stages.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

struct SimulatorTurn : StageOutcome {
    std::string text;            // the user's message (ok = true)
    bool wantsToEnd = false;     // the simulator closed the conversation ("[END]")
};

struct SimulatorDecision : StageOutcome {
    // ok = false: the decision could not be parsed (a failed episode, `raw` keeps the text).
    std::optional<double> reward;    // task units: donation, or initial - final intensity
    std::optional<double> outcome;   // donation, or the final intensity
};

class UserSimulator {
public:
    virtual ~UserSimulator() = default;
    // Who simulates: {"kind","endpoint","model","prompt_sha256",...} or the local checkpoints.
    // Results of simulators with different identities are never pooled.
    virtual nlohmann::json identity() const = 0;
    virtual int maxConcurrency() const { return 1; }
    // The user's next message after `history` (which may be empty when the user opens).
    virtual SimulatorTurn userTurn(const Task& task, const EvalPersona& persona, const std::vector<Turn>& history,
                                   const StageContext& ctx) = 0;
    virtual SimulatorDecision decide(const Task& task, const EvalPersona& persona, const std::vector<Turn>& history,
                                     const StageContext& ctx) = 0;
};

// Reads the simulated user's decision with the strict reward parsers (reward_parser.h).
SimulatorDecision parseDecision(const Task& task, const EvalPersona& persona, const std::string& reply);

} // namespace hw
