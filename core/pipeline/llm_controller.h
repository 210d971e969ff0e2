#pragma once
// HindsightController backed by an LLM endpoint and prompts/<task>/controller.txt.
#include "core/pipeline/stages.h"
#include "core/pipeline/turn_matcher.h"

namespace hw {

class LlmClient;
class PromptLibrary;

class LlmHindsightController : public HindsightController {
public:
    // Borrows both; they must outlive the controller.
    LlmHindsightController(LlmClient& llm, const PromptLibrary& prompts, TurnMatcherOptions matching = {});
    std::string name() const override;
    int maxConcurrency() const override;
    ControllerResult suggest(const Task& task, const Dialogue& dialogue, int count, const StageContext& ctx) override;

private:
    LlmClient& m_llm;
    const PromptLibrary& m_prompts;
    TurnMatcherOptions m_matching;
};

} // namespace hw
