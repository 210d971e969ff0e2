#pragma once
// `hindsight train-lm`: one language-model role trained on a project, end to end.
//
//   project dialogues --select by role--> split (uid hash) --> tokenizer (given / init's / trained)
//     --> model (from scratch / init / resumed) --> LmTrainer or RewardTrainer
//     --> checkpoints in OUT/step-N, metrics in the project's runs/metrics/checkpoints tables
#include "core/train/lm_data.h"
#include "core/train/lm_train_config.h"
#include "core/train/lm_trainer.h"
#include "core/train/regression_metrics.h"
#include "core/util/progress.h"

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace hw {

struct LmJobOptions {
    std::string projectPath;
    LmRole role = LmRole::Forward;
    LmTrainConfig config;          // config.task / config.trainingSet choose the data
    std::string outDir;            // "" = <project dir>/<project name>.runs/<kind>-<run id>
    std::string resumeDir;         // checkpoint (or run directory) to continue exactly
    LmBudgetOverride resumeBudget; // with resumeDir: budget fields replacing the checkpoint's (noted in log)
    std::string tokenizerPath;     // existing tokenizer.model; "" = init's, else trained here
    bool record = true;            // write runs / metrics / checkpoints rows into the project
    ProgressFn progress;
    StopToken stop;
    std::function<void(const std::string&)> log; // one-line notes for the user (may be empty)    // Data-parallel training: this process is one rank of the group (null = one process). Every
    // rank runs the job on the same data; only rank 0 records the run and writes checkpoints.
    ProcessGroup* dist = nullptr;
};

struct LmJobResult {
    LmRole role = LmRole::Forward;
    std::string task;
    int64_t runId = 0;
    std::string outDir;
    int64_t dialogues = 0;              // selected (train + held out)
    int64_t trainDialogues = 0;
    int64_t validDialogues = 0;
    LmTrainResult train;
    std::optional<RegressionReport> reward; // role reward: held-out MAE / Spearman
    nlohmann::json toJson() const;
};

// Runs the job. Returns when training finished or was stopped (result.train.stopped; the run is
// then resumable). Throws hw::Error on bad input (the run is marked failed in the project).
LmJobResult runLmTrainingJob(const LmJobOptions& options);

// Builds a fresh model for training from the config's preset and overrides, sized to the
// tokenizer, initialised from the config's seed.
Transformer makeModelForTraining(const LmTrainConfig& config, int64_t vocabSize);

} // namespace hw
