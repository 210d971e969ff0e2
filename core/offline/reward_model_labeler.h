#pragma once
// The paper's reward model, offline: a reward checkpoint (`train-lm --role reward`) scores a
// finished dialogue in the task's reward units. Provenance {"kind":"reward_model", checkpoint, step}.
#include "core/pipeline/stages.h"
#include "core/train/reward_model.h"

#include <memory>
#include <mutex>
#include <string>

namespace hw {

class RewardModelLabeler : public RewardLabeler {
public:
    // Loads the checkpoint (or run directory). Throws hw::Error when it is not a reward model.
    explicit RewardModelLabeler(const std::string& checkpoint, const std::string& device = "");
    ~RewardModelLabeler() override;

    std::string name() const override { return "reward-model"; }
    int maxConcurrency() const override { return 1; }
    // A dialogue of another task than the model's is a fatal StageError.
    RewardResult label(const Task& task, const Dialogue& dialogue, const StageContext& ctx) override;

    const std::string& checkpointDir() const { return m_dir; }
    const RewardHeadConfig& head() const;

private:
    std::string m_dir;
    int64_t m_step = 0;
    std::unique_ptr<LoadedRewardModel> m_model;
    std::unique_ptr<DialogueCodec> m_codec;
    std::mutex m_mutex;
};

} // namespace hw
