#pragma once
// An evaluation as one plain, JSON-serialisable description: what `hindsight evaluate` builds from
// its options and what a front end (the evaluation page, the stage registry) fills in. One call
// resolves the personas, builds agents and simulator (EvalBackends), optionally measures the
// simulator's fidelity, and runs or resumes the evaluation job.
//
//   EvaluationRequest req;  req.task = "persuasion";
//   req.agents = {"ckpt:runs/3/ckpt-600,beta=8", "endpoint:openai,model=gpt-4o-mini,prompt=procot"};
//   req.simulator = "endpoint:openai,model=gpt-4o-mini";
//   EvaluationOutcome out = runEvaluationRequest(project, req, hooks);
#include "core/eval/eval_persona.h"
#include "core/eval/simulator_fidelity.h"
#include "core/pipeline/job_runner.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

class Database;
class PromptLibrary;

struct EvaluationRequest {
    std::string task;
    std::vector<std::string> agents;       // agent specs (eval_spec.h)
    std::string simulator;                 // simulator spec
    std::string personas;                  // "a,b,c" | "esconv:N" | "" (default set; ESConv for counseling when imported)
    int episodesPerPersona = 100;
    int maxTurns = 0;                      // 0 = the task's default (10 / 15)
    uint64_t seed = 0;
    int concurrency = 0;                   // episodes in flight; 0 = the simulator's limit
    int fidelity = 0;                      // > 0: first measure the simulator on this many real dialogues
    std::string endpointsFile;             // "" = the user's endpoints.json
    std::vector<std::string> promptDirs;   // empty = the default prompt search path
    std::string device;                    // local checkpoints
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EvaluationRequest, task, agents, simulator, personas,
                                                episodesPerPersona, maxTurns, seed, concurrency, fidelity,
                                                endpointsFile, promptDirs, device)

struct ResolvedPersonas {
    std::vector<EvalPersona> personas;
    std::string set;                       // "personas.json:a,b,c" | "esconv:N": part of the simulator's identity
};

// Throws hw::Error (unknown persona, malformed file, no ESConv metadata).
ResolvedPersonas resolvePersonas(Database& db, const PromptLibrary& prompts, const Task& task, const std::string& arg);

struct EvaluationOutcome {
    JobSummary summary;                    // the evaluation job (jobId = the run)
    std::optional<FidelityResult> fidelity;
    std::optional<JobSummary> fidelitySummary;
};

// Validates everything (specs, checkpoints, personas, prompt files) before any job starts; throws
// hw::Error naming what is wrong. `fidelityHooks` default to `hooks`.
EvaluationOutcome runEvaluationRequest(SharedProject& project, const EvaluationRequest& request, const JobHooks& hooks,
                                       const JobHooks* fidelityHooks = nullptr);

} // namespace hw
