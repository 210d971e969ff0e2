#include "core/eval/local_user_simulator.h"

#include <algorithm>

namespace hw {

Dialogue personaDialogue(const Task& task, const EvalPersona& persona, const std::vector<Turn>& history)
{
    Dialogue d;
    d.task = task.name;
    d.source = "simulated";
    d.turns = history;
    for (size_t i = 0; i < d.turns.size(); ++i)
        d.turns[i].index = static_cast<int>(i);
    d.metadata = {{"persona", persona.description}};
    if (!persona.problemType.empty())
        d.metadata["problem_type"] = persona.problemType;
    if (!persona.emotion.empty())
        d.metadata["emotion_type"] = persona.emotion;
    if (!persona.situation.empty())
        d.metadata["situation"] = persona.situation;
    if (persona.initialIntensity > 0)
        d.metadata["initial_emotion_intensity"] = persona.initialIntensity;
    return d;
}

LocalUserSimulator::LocalUserSimulator(ForwardModel& forward, RewardLabeler& reward, nlohmann::json identity)
    : m_forward(forward), m_reward(reward), m_identity(std::move(identity))
{
}

int LocalUserSimulator::maxConcurrency() const
{
    // The turns set the pace (a decision is one short forward pass per episode): decisions beyond
    // the reward model's own limit wait their turn in decide().
    return std::max(1, m_forward.maxConcurrency());
}

SimulatorTurn LocalUserSimulator::userTurn(const Task& task, const EvalPersona& persona, const std::vector<Turn>& history,
                                           const StageContext& ctx)
{
    SimulatorTurn out;
    if (history.empty() || history.back().role != Role::Agent) {
        // The forward model continues after an agent turn; an opening user message comes from
        // the persona itself.
        out.text = persona.situation.empty() ? persona.description : persona.situation;
        out.provenance = {{"kind", "persona-opening"}};
        out.ok = true;
        return out;
    }
    const Dialogue parent = personaDialogue(task, persona, history);
    ForwardRequest req;
    req.task = &task;
    req.parent = &parent;
    req.prefix = parent.turns;
    req.turnBudget = 1;
    ForwardResult r = m_forward.complete(req, ctx);
    out.usage = r.usage;
    out.provenance = r.provenance;
    out.raw = r.raw;
    if (!r.ok || r.continuation.empty() || r.continuation.front().role != Role::User) {
        out.error = r.error.empty() ? "the forward model wrote no user turn" : r.error;
        return out;
    }
    out.text = r.continuation.front().text;
    out.ok = true;
    return out;
}

SimulatorDecision LocalUserSimulator::decide(const Task& task, const EvalPersona& persona, const std::vector<Turn>& history,
                                             const StageContext& ctx)
{
    SimulatorDecision d;
    const Dialogue dialogue = personaDialogue(task, persona, history);
    RewardResult r;
    if (m_reward.maxConcurrency() <= 1) {
        std::lock_guard<std::mutex> lock(m_rewardMutex);
        r = m_reward.label(task, dialogue, ctx);
    } else {
        r = m_reward.label(task, dialogue, ctx);
    }
    d.usage = r.usage;
    d.provenance = r.provenance;
    d.raw = r.raw.empty() ? r.details.dump() : r.raw;
    if (!r.ok || !r.value) {
        d.error = r.error.empty() ? "the reward model gave no value" : r.error;
        return d;
    }
    d.reward = *r.value;
    d.outcome = task.kind == TaskKind::Counseling && persona.initialIntensity > 0
                    ? std::optional<double>(persona.initialIntensity - *r.value)
                    : r.value;
    d.ok = true;
    return d;
}

} // namespace hw
