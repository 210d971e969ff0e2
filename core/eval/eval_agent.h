#pragma once
// An agent under evaluation: given the conversation so far, its next message. Kinds: a
// checkpoint (π_β or ILQL with β, through the chat agents of core/chat), an endpoint with the
// plain / CoT / ProCoT prompt, and GDP-Zero (MCTS over the task's strategies). Agents do not see
// the simulated user's persona. Built from a spec string by makeEvalAgent (eval_factory.h).
#include "core/data/dialogue.h"
#include "core/data/task.h"
#include "core/pipeline/stages.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hw {

struct AgentTurn : StageOutcome {
    std::string text;
};

class EvalAgent {
public:
    virtual ~EvalAgent() = default;
    // What it is, for the run's record (spec, checkpoint, β, endpoint, model, prompt hash).
    virtual nlohmann::json describe() const = 0;
    virtual int maxConcurrency() const { return 1; }
    // ctx.seed is the episode's seed mixed with the turn: the same episode asks the same calls.
    virtual AgentTurn reply(const Task& task, const std::vector<Turn>& history, const StageContext& ctx) = 0;
};

} // namespace hw
