#pragma once
// An evaluation run as a resumable job (kind "evaluate", core/pipeline/job_runner.h): every
// agent plays episodesPerPersona episodes against each persona. Episodes are paired: episode i
// of every agent has the same persona and seed, so agents compare episode by episode.
//
// Each finished episode commits in one transaction: its transcript (a dialogue with source
// 'simulated' and per-turn provenance), its eval_episodes row and the job item. A kill -9 loses
// only the episodes in flight; their LLM calls are already in llm_calls, so a resume sends no
// call twice and a re-run of a finished evaluation sends nothing.
//
// A failed episode (unparsable decision, empty agent reply) is a result, stored with its raw
// text; a failed call (endpoint error) is a failed item, retried when the job is resumed.
#include "core/eval/eval_agent.h"
#include "core/eval/eval_persona.h"
#include "core/eval/user_simulator.h"
#include "core/pipeline/job_runner.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hw {

struct EvaluationConfig {
    std::string task;
    int episodesPerPersona = 100;      // the paper's 400 episodes per agent with four personas
    int maxTurns = 0;                  // agent turns; 0 = the task's default (10 / 15)
    uint64_t seed = 0;
    int concurrency = 8;               // episodes in flight
    // Filled by runEvaluation from the agents, simulator and personas it is given (the job's
    // description, hashed to recognise a re-run).
    nlohmann::json agents = nlohmann::json::array();
    nlohmann::json simulator = nlohmann::json::object();
    nlohmann::json personas = nlohmann::json::array();
    // The EvaluationRequest it was started from (null when started without one): what resume
    // reads (the stage registry's "evaluate"); not part of the job's identity.
    nlohmann::json request;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EvaluationConfig, task, episodesPerPersona, maxTurns, seed,
                                                concurrency, agents, simulator, personas, request)

// Agent i's name and spec (as written) for the record.
struct NamedAgent {
    std::string name;
    std::string spec;
    EvalAgent* agent = nullptr;
};

// The persona and seed of episode `episode` (shared by every agent).
struct EpisodePlan {
    int episode = 0;
    size_t persona = 0;
    uint64_t seed = 0;
};
EpisodePlan planEpisode(const EvaluationConfig& config, size_t personaCount, int episode);

// Throws hw::Error for a bad configuration (no agents, no personas, unknown task).
JobSummary runEvaluation(SharedProject& project, EvaluationConfig config, const std::vector<EvalPersona>& personas,
                         const std::vector<NamedAgent>& agents, UserSimulator& simulator, const JobHooks& hooks);

} // namespace hw
