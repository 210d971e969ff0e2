#include "core/eval/local_user_simulator.h"

#include <algorithm>
#include <cstdint>

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

SimulatorTurn openingTurn(const Task& task, const EvalPersona& persona)
{
    SimulatorTurn out;
    out.ok = true;
    if (!persona.situation.empty()) {
        out.text = persona.situation;
        out.provenance = {{"kind", "persona-opening"}};
        return out;
    }
    // A persona of a task defined as data has only its description, which is hidden from the
    // agent (a student's misconceptions, a customer's preferences): it must not be said out loud.
    // The opening is the first user turn of one of the task's examples, picked by the persona's
    // name so that a persona opens the same way in every episode and personas differ.
    std::vector<std::string> openings;
    for (const auto& e : task.examples)
        if (!e.turns.empty() && e.turns.front().role == "user" && !e.turns.front().text.empty())
            openings.push_back(e.turns.front().text);
    if (openings.empty()) {
        out.text = "Hello.";
        out.provenance = {{"kind", "default-opening"}};
        return out;
    }
    uint64_t h = 1469598103934665603ull; // FNV-1a: the same pick on every platform
    for (const unsigned char c : persona.name)
        h = (h ^ c) * 1099511628211ull;
    const size_t pick = static_cast<size_t>(h % openings.size());
    out.text = openings[pick];
    out.provenance = {{"kind", "example-opening"}, {"example", static_cast<int64_t>(pick)}};
    return out;
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
        // the persona (its situation) or the task's examples.
        return openingTurn(task, persona);
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
