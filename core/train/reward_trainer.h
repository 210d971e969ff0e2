#pragma once
#include "core/model/dialogue_codec.h"
#include "core/train/lm_trainer.h"
#include "core/train/regression_metrics.h"
#include "core/train/reward_model.h"

#include <memory>
#include <string>
#include <vector>

namespace hw {

// A dialogue (already encoded, cut to the head's maxSeqLen) and its dataset reward.
struct RewardExample {
    EncodedDialogue encoded;
    double reward = 0.0;
};

// Encodes dialogues for the reward model (latest turns kept beyond maxSeqLen); unlabeled ones are
// skipped.
std::vector<RewardExample> makeRewardExamples(const DialogueCodec& codec, const std::vector<Dialogue>& dialogues,
                                              int64_t maxSeqLen);

struct RewardTrainResult : LmTrainResult {
    RegressionReport heldOut;  // MAE, Spearman, ... of the final model on the validation split
};

// Trains the reward model by mean-squared error on normalised rewards (z = (r - mean) / std,
// statistics of the training split), through the shared TrainLoop: same checkpoints, metrics
// (loss, eval_loss, eval_mae, eval_spearman, eval_baseline_mae), stop and resume as LmTrainer.
class RewardTrainer {
public:
    RewardTrainer(Transformer trunk, Tokenizer tokenizer, LmTrainConfig config, RewardHeadConfig head);
    static RewardTrainer resume(const std::string& checkpointDir);
    RewardTrainer(RewardTrainer&&) noexcept;
    RewardTrainer& operator=(RewardTrainer&&) noexcept;
    ~RewardTrainer();

    // A new run takes the reward mean/std from `train` (a resumed one keeps its own).
    void setData(std::vector<RewardExample> train, std::vector<RewardExample> valid,
                 const std::string& fingerprint = "");
    RewardTrainResult train(const TrainHooks& hooks = {});
    RegressionReport evaluate();
    std::string saveCheckpoint(const std::string& dir);

    RewardModel& model();
    const Tokenizer& tokenizer() const;
    const TrainState& state() const;
    TrainState& state();
    const LmTrainConfig& config() const;
    // Optimizer steps of the whole run for the current data and config.
    int64_t totalSteps() const;
    // As LmTrainer::overrideBudget.
    void overrideBudget(const LmBudgetOverride& budget);

private:
    RewardTrainer();
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace hw
