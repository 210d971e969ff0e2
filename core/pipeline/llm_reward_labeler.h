#pragma once
// RewardLabeler backed by an LLM endpoint, following the paper:
//  - counseling: prompts/counseling/reward.txt with the dialogue's initial emotional intensity
//    and 10 few-shot dialogues drawn uniformly from the original data; reply
//    "Final Emotional Intensity: <1-5>"; reward = initial - final.
//  - persuasion: two steps. prompts/persuasion/reward_unfinished.txt asks "Unfinished: yes/no"
//    (yes: the dialogue is discarded); then prompts/persuasion/reward.txt with 5 few-shot
//    dialogues asks "Final Donation Amount: <0-2>"; reward = the amount.
//  - a task defined as data (kind custom): prompts/custom/reward.txt (prompts/<task>/reward.txt
//    wins) filled from the task's rubric, anchors and outcome question, with the definition's
//    examples and then labelled dialogues of the project (5 in all); reply "Reward: <min-max>".
#include "core/pipeline/few_shot_pool.h"
#include "core/pipeline/stages.h"

namespace hw {

class LlmClient;
class PromptLibrary;

class LlmRewardLabeler : public RewardLabeler {
public:
    struct Options {
        int fewShots = -1;   // -1 = the paper's (10 counseling, 5 persuasion)
    };
    LlmRewardLabeler(LlmClient& llm, const PromptLibrary& prompts, FewShotPool pool, Options options);
    LlmRewardLabeler(LlmClient& llm, const PromptLibrary& prompts, FewShotPool pool);
    std::string name() const override;
    int maxConcurrency() const override;
    RewardResult label(const Task& task, const Dialogue& dialogue, const StageContext& ctx) override;

private:
    RewardResult labelCounseling(const Task& task, const Dialogue& dialogue, const StageContext& ctx);
    RewardResult labelPersuasion(const Task& task, const Dialogue& dialogue, const StageContext& ctx);
    RewardResult labelCustom(const Task& task, const Dialogue& dialogue, const StageContext& ctx);

    LlmClient& m_llm;
    const PromptLibrary& m_prompts;
    FewShotPool m_pool;
    // The counseling examples: pool dialogues with both intensity ratings, so that sampling k of
    // them gives k usable examples whenever the data has that many.
    FewShotPool m_intensityPool;
    Options m_options;
};

} // namespace hw
