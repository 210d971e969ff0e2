#pragma once
// Simulator fidelity: before trusting a simulator, replay held-in real dialogues with the
// simulator in the user's place after the real agent turns, and compare its decision with the
// real outcome (P4G: simulated vs real donation; ESConv: simulated vs real final intensity, from
// the real initial one): Spearman's ρ and the mean absolute error. A resumable job of kind
// "eval-fidelity" (same cache and resume guarantees as the evaluation itself).
#include "core/eval/user_simulator.h"
#include "core/pipeline/job_runner.h"

#include <nlohmann/json.hpp>
#include <string>

namespace hw {

struct FidelityConfig {
    std::string task;
    int dialogues = 20;
    uint64_t seed = 0;
    int concurrency = 8;
    nlohmann::json simulator = nlohmann::json::object(); // identity, filled by runFidelity
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(FidelityConfig, task, dialogues, seed, concurrency, simulator)

struct FidelityResult {
    int64_t jobId = 0;
    std::string measure;          // "donation" | "final intensity"
    int64_t n = 0;                // dialogues with a parsed decision and a real outcome
    int64_t failed = 0;           // unparsable decisions
    double spearman = 0.0;
    double mae = 0.0;
    nlohmann::json simulator = nlohmann::json::object();

    // {"job","measure","n","failed","spearman","mae","simulator"}
    nlohmann::json toJson() const;
};

// Runs (or resumes) the fidelity job and summarises it. Throws hw::Error when the project has no
// labelled real dialogues of the task.
FidelityResult runFidelity(SharedProject& project, FidelityConfig config, UserSimulator& simulator,
                           const JobHooks& hooks, JobSummary* summary = nullptr);

// The newest finished fidelity measurement of this simulator identity in the project, if any.
std::optional<FidelityResult> latestFidelity(Database& db, const nlohmann::json& simulatorIdentity);

} // namespace hw
