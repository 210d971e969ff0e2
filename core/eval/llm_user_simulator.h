#pragma once
// The LLM user simulator: an endpoint plays the persona (prompts/<task>/simulator.txt) and
// decides at the end (prompts/<task>/simulator_decision.txt). Calls go through the project's
// llm_calls cache, so a resumed or repeated evaluation sends nothing it already has.
#include "core/eval/user_simulator.h"
#include "core/prompts/prompt_library.h"

namespace hw {

class LlmClient;

class LlmUserSimulator : public UserSimulator {
public:
    // Loads both prompt templates of `task` (throws hw::Error naming the missing file).
    LlmUserSimulator(LlmClient& client, const PromptLibrary& prompts, const Task& task, std::string personaSet);

    nlohmann::json identity() const override;
    int maxConcurrency() const override;
    SimulatorTurn userTurn(const Task& task, const EvalPersona& persona, const std::vector<Turn>& history,
                           const StageContext& ctx) override;
    SimulatorDecision decide(const Task& task, const EvalPersona& persona, const std::vector<Turn>& history,
                             const StageContext& ctx) override;

private:
    LlmClient& m_client;
    PromptTemplate m_turn;
    PromptTemplate m_decision;
    std::string m_personaSet;
};

// Marker with which a simulated user closes the conversation early.
inline constexpr const char* kEndMarker = "[END]";

} // namespace hw
