#pragma once
// Builds what an evaluation runs on from its specs: the agents and the user simulator, with one
// LlmClient per endpoint (all sharing the project's llm_calls cache) and the local checkpoints
// loaded once. Checks every spec before anything runs, so a wrong checkpoint or an unknown
// profile is an error up front, not a failed job.
//
//   EvalBackends backends(project, task, agentSpecs, simulatorSpec, options);
//   runEvaluation(project, config, personas, backends.agents(), backends.simulator(), hooks);
#include "core/eval/eval_agent.h"
#include "core/eval/eval_spec.h"
#include "core/eval/user_simulator.h"
#include "core/llm/call_cache.h"
#include "core/pipeline/job_runner.h"
#include "core/prompts/prompt_library.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace hw {

class LlmClient;

// Episodes in flight with local models when --concurrency is not given (bench_evaluate --local).
constexpr int kDefaultLocalEpisodesInFlight = 16;

struct EvalBackendOptions {
    std::string endpointsFile;        // "" = EndpointProfiles::defaultPath()
    std::vector<std::string> promptDirs; // empty = PromptLibrary's default search path
    int concurrency = 0;              // requests in flight per endpoint; 0 = the profile's
    // Episodes in flight a local checkpoint (agent or simulator) serves: > 1 decodes them in one
    // batch per step on a continuous-batching engine (core/gen); 1 = one at a time.
    int localParallel = 1;
    std::string device;               // local models; "" = default
    std::string personaSet;           // recorded in the simulator's identity
    int gdpZeroSimulations = 10;
};

class EvalBackends {
public:
    EvalBackends(SharedProject& project, const Task& task, const std::vector<EvalAgentSpec>& agents,
                 const SimulatorSpec& simulator, EvalBackendOptions options);
    ~EvalBackends();
    EvalBackends(const EvalBackends&) = delete;
    EvalBackends& operator=(const EvalBackends&) = delete;

    std::vector<EvalAgent*> agents() const;
    UserSimulator& simulator() const { return *m_simulator; }
    const PromptLibrary& prompts() const { return m_prompts; }

private:
    LlmClient& clientFor(const std::string& endpoint, const std::string& model);

    EvalBackendOptions m_options;
    PromptLibrary m_prompts;
    ProjectCallCache m_cache;
    std::map<std::string, std::unique_ptr<LlmClient>> m_clients;
    std::vector<std::unique_ptr<ForwardModel>> m_forward;
    std::vector<std::unique_ptr<RewardLabeler>> m_reward;
    std::vector<std::unique_ptr<EvalAgent>> m_agents;
    std::unique_ptr<UserSimulator> m_simulator;
};

} // namespace hw
