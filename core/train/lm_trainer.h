#pragma once
#include "core/dist/process_group.h"
#include "core/model/dialogue_codec.h"
#include "core/model/tokenizer.h"
#include "core/model/transformer.h"
#include "core/train/adamw.h"
#include "core/train/lm_train_config.h"
#include "core/train/lr_schedule.h"
#include "core/train/metrics_sink.h"
#include "core/train/train_hooks.h"
#include "core/train/train_state.h"
#include "core/util/progress.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hw {

struct LmTrainResult : TrainRunResult {
    int64_t trainTokens = 0;       // real tokens in one pass over the training examples
    double paddingRatio = 1.0;     // padded / real tokens of the batches (1 = no padding)
};

// Next-token training of a Transformer on encoded dialogues, with a loss mask chosen by role
// (agent tokens for a policy, every turn token for a forward model). Move-only; owns the model,
// the optimizer and the state:
//
//   LmTrainer t(model, tokenizer, config, LossTokens::AllButContext, "lm-forward");
//   t.setData(trainExamples, validExamples);
//   LmTrainResult r = t.train({outDir, &recorder, progress, stop});
//   ... later:  auto t2 = LmTrainer::resume(r.checkpointDir); t2.setData(same data); t2.train(...)
//
// A resumed trainer continues exactly: same batches, learning rates, optimizer moments and RNG,
// so its losses and parameters equal those of an uninterrupted run.
class LmTrainer {
public:
    LmTrainer(Transformer model, Tokenizer tokenizer, LmTrainConfig config, LossTokens lossTokens,
              std::string kind);
    // Restores model, tokenizer, optimizer, schedule, state, RNG and train_config.json from a
    // checkpoint written by this trainer. Errors name the directory and file.
    static LmTrainer resume(const std::string& checkpointDir);
    LmTrainer(LmTrainer&&) noexcept;
    LmTrainer& operator=(LmTrainer&&) noexcept;
    ~LmTrainer();

    // The examples to train and evaluate on. `fingerprint` (dataFingerprint of the source
    // dialogues) is saved with checkpoints; a resumed trainer refuses different data.
    void setData(std::vector<EncodedDialogue> train, std::vector<EncodedDialogue> valid,
                 const std::string& fingerprint = "");
    // Trains to the end of the schedule or until stopped.
    LmTrainResult train(const TrainHooks& hooks = {});
    // Mean next-token loss over the validation examples (NaN when there are none).
    double evaluate();
    // Writes a complete checkpoint of the current state to dir.
    std::string saveCheckpoint(const std::string& dir);

    Transformer& model();
    const Tokenizer& tokenizer() const;
    const LmTrainConfig& config() const;
    const TrainState& state() const;
    TrainState& state();
    LossTokens lossTokens() const;
    const std::string& kind() const;
    // Optimizer steps of the whole run for the current data and config.
    int64_t totalSteps() const;
    // Replaces the budget fields of the config (a resumed run given a new --max-steps, --epochs
    // or --max-seconds). When the run's length changes, the learning-rate schedule keeps its peak,
    // warm-up and floor but its cosine is recomputed to end at the new last step (so the run is
    // no longer the continuation of an uninterrupted run of the old length).
    void overrideBudget(const LmBudgetOverride& budget);

private:
    LmTrainer();
    struct Impl;
    std::unique_ptr<Impl> m;
};

// The string form used in train_config.json / trainer_state.json.
std::string toString(LossTokens which);

} // namespace hw
