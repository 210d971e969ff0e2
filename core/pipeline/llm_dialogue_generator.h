#pragma once
// DialogueGenerator backed by an LLM endpoint: prompts/<task>/imagine.txt asks for a whole
// dialogue between the agent and a user with the given persona (zero-shot, from the task
// description only).
#include "core/pipeline/stages.h"

namespace hw {

class LlmClient;

// A persona's hidden state as prompt lines ("- knowledge: ..."); "nothing beyond the persona" when empty.
std::string personaHiddenText(const nlohmann::json& hidden);
// The {{target_outcome}} of the imagine prompt: the value, the reward's name and range, the nearest anchor.
std::string targetOutcomeText(const Task& task, const ImagineTarget& target);
class PromptLibrary;

class LlmDialogueGenerator : public DialogueGenerator {
public:
    struct Options {
        int minTurns = 4;
        int maxTurns = 40;
    };
    LlmDialogueGenerator(LlmClient& llm, const PromptLibrary& prompts, Options options);
    LlmDialogueGenerator(LlmClient& llm, const PromptLibrary& prompts);
    std::string name() const override;
    int maxConcurrency() const override;
    GenerateResult generate(const Task& task, const Persona& persona, int index, const ImagineTarget& target,
                            const StageContext& ctx) override;

private:
    LlmClient& m_llm;
    const PromptLibrary& m_prompts;
    Options m_options;
};

} // namespace hw
