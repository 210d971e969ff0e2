#pragma once
// The offline user simulator: a forward model writes the user's turns with the persona and
// situation in its context (the dialogue metadata the codec shows: problem_type, emotion_type,
// situation, persona), and a reward model gives the outcome in task units. Usually the local
// checkpoints (LocalForwardModel, RewardModelLabeler), but any pipeline stage pair works.
// When the user opens (counseling, or a task defined as data with opener "user"), the first
// message is the persona's situation, else the first user turn of one of the task's examples
// (never the persona's description, which is hidden from the agent).
#include "core/eval/user_simulator.h"

#include <mutex>

namespace hw {

class LocalUserSimulator : public UserSimulator {
public:
    // `identity` names the checkpoints (kept in every result); forward and reward are borrowed.
    LocalUserSimulator(ForwardModel& forward, RewardLabeler& reward, nlohmann::json identity);

    nlohmann::json identity() const override { return m_identity; }
    int maxConcurrency() const override;
    SimulatorTurn userTurn(const Task& task, const EvalPersona& persona, const std::vector<Turn>& history,
                           const StageContext& ctx) override;
    SimulatorDecision decide(const Task& task, const EvalPersona& persona, const std::vector<Turn>& history,
                             const StageContext& ctx) override;

private:
    ForwardModel& m_forward;
    RewardLabeler& m_reward;
    nlohmann::json m_identity;
    std::mutex m_rewardMutex;   // serialises decisions when the reward model takes one at a time
};

// The user's opening message (see above); provenance "kind" says where it came from.
SimulatorTurn openingTurn(const Task& task, const EvalPersona& persona);

// The dialogue the local models see: the history with the persona as metadata.
Dialogue personaDialogue(const Task& task, const EvalPersona& persona, const std::vector<Turn>& history);

} // namespace hw
