#pragma once
// `hindsight train`: one of the paper's agents trained on a saved training set, end to end.
//
//   training set --split (uid hash)--> tokenizer (init's / given / trained on the train split)
//     sft | rft:  behaviour cloning on the set (IlqlTrainer, objective "bc")
//     ilql:       π_β by behaviour cloning (its own run, kind "bc") unless `init` names one,
//                 then ILQL initialised from it
//   checkpoints in OUT/step-N; runs / metrics / checkpoints / run_samples rows in the project
#include "core/train/ilql_trainer.h"
#include "core/train/ilql_trainer_config.h"
#include "core/util/progress.h"

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace hw {

struct AgentJobOptions {
    std::string projectPath;
    std::string agent = "ilql";          // sft | rft | ilql
    std::string trainingSet;             // training_sets.name (required for a new run)
    IlqlTrainConfig config;
    std::string outDir;                  // "" = <project dir>/<project>.runs/<agent>-<run id>
    // Continue exactly: a checkpoint directory, a run's output directory, or a run id.
    std::string resume;
    std::string tokenizerPath;           // existing tokenizer.model; "" = init's, else trained
    bool record = true;
    ProgressFn progress;
    StopToken stop;
    std::function<void(const std::string&)> log;    // Data-parallel training: this process is one rank of the group (null = one process). Every
    // rank runs the job on the same data; only rank 0 records the run and writes checkpoints.
    ProcessGroup* dist = nullptr;
};

struct AgentJobResult {
    std::string agent;
    std::string task;
    std::string trainingSet;
    int64_t runId = 0;
    int64_t behaviourRunId = 0;          // the π_β run made first (0 when init was given)
    std::string behaviourCheckpoint;     // π_β the ILQL run started from
    std::string outDir;
    IlqlTrainResult train;
    nlohmann::json toJson() const;
};

// Throws hw::Error on bad input (the run, if created, is marked failed).
AgentJobResult runAgentTrainingJob(const AgentJobOptions& options);

// Agents `hindsight train` knows.
std::vector<std::string> agentKinds();   // {"sft", "rft", "ilql"}

} // namespace hw
