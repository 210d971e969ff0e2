#pragma once
// Starting and resuming training runs without seeing libtorch: the one entry point the GUI's
// training worker calls (ui/ never includes torch headers). It picks the trainer by agent kind,
// records the run in the project (runs / metrics / checkpoints rows, so every monitor sees it),
// and returns when the run finished, stopped (StopToken) or failed.
#include "core/util/progress.h"

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

struct RunLaunchRequest {
    std::string projectPath;
    // ilql | sft | rft (the paper's agents, core/train/ilql_trainer_job.h) or
    // lm-forward | lm-forward-hard | lm-policy-sft | lm-reward (core/train/lm_training_job.h).
    std::string kind;
    std::string task;                   // "" = the project's only task
    std::string trainingSet;            // saved set to train on ("" = the kind's default selection;
                                        // for an agent, its preset set, created on first use)
    std::string configPath;             // JSON configuration file ("" = defaults)
    nlohmann::json overrides = nlohmann::json::object(); // config keys set on top; "maxSteps" for
                                        // an agent = BC steps (sft/rft) or ILQL steps (ilql)
    bool tiny = false;                  // start from the tiny CPU configuration
    std::string preset;                 // "" | default | paper (core/pipeline/paper_preset.h): set on
                                        // the starting configuration, before the file and overrides
    std::string resumeDir;              // continue exactly from this checkpoint / run directory
};

struct RunLaunchResult {
    int64_t runId = 0;
    std::string status;                 // done | stopped
    std::string checkpointDir;
    nlohmann::json summary = nlohmann::json::object();
};

// Optimizer steps a new agent run will make (ILQL: iterations x updates of the ILQL stage, with
// "maxSteps" rounded up to whole iterations; sft/rft: behaviour-cloning steps); nullopt for the
// lm-* kinds (their length may depend on the data) and for resumes. Throws hw::Error on a bad
// configuration file. plannedIlqlUpdatesPerIteration: the iteration length the rounding uses.
std::optional<int64_t> plannedAgentSteps(const RunLaunchRequest& request);
std::optional<int64_t> plannedIlqlUpdatesPerIteration(const RunLaunchRequest& request);

// The configuration of an agent run, merged the one way both front ends use: the tiny or paper
// defaults, then the request's preset ("paper": CQL weight 0, the paper's Table 3), then its
// configuration file (IlqlTrainConfig::overlay), then its overrides (nested objects change only
// the keys they name), validated. Throws hw::Error naming the field or the unknown preset.
struct IlqlTrainConfig;
IlqlTrainConfig agentConfigOf(const RunLaunchRequest& request);

// Kinds launchRun() can train in this build, in menu order.
std::vector<std::string> launchableKinds();

// Trains; throws hw::Error on bad input (the run, if created, is marked failed). log gets
// one-line notes ("resuming ... at step 120").
RunLaunchResult launchRun(const RunLaunchRequest& request, const ProgressFn& progress, const StopToken& stop,
                          const std::function<void(const std::string&)>& log = {});

} // namespace hw
