#pragma once
// ForwardModel backed by an LLM endpoint: prompts/<task>/forward.txt (or forward_hard.txt for the
// "hard" model) with few-shot dialogues from a pool (the hard model's pool: the bottom 25% by
// reward, FewShotPool::bottomQuantile).
#include "core/pipeline/few_shot_pool.h"
#include "core/pipeline/stages.h"

namespace hw {

class LlmClient;
class PromptLibrary;

class LlmForwardModel : public ForwardModel {
public:
    struct Options {
        bool hard = false;         // use forward_hard.txt
        int fewShots = 3;          // example dialogues in the prompt
    };
    // Borrows llm and prompts; keeps its own copy of the pool.
    LlmForwardModel(LlmClient& llm, const PromptLibrary& prompts, FewShotPool pool, Options options);
    std::string name() const override;
    int maxConcurrency() const override;
    ForwardResult complete(const ForwardRequest& request, const StageContext& ctx) override;

private:
    LlmClient& m_llm;
    const PromptLibrary& m_prompts;
    FewShotPool m_pool;
    Options m_options;
};

// "Example 1:\nAI: ...\nH: ...\n\nExample 2: ..." (empty string for no examples).
std::string formatExamples(const std::vector<const Dialogue*>& dialogues);

} // namespace hw
