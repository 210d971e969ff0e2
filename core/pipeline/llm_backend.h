#pragma once
// The LLM-backed stages for one project, built from endpoint profiles: what `hindsight relabel`
// and the GUI's pipeline jobs construct before running a job.
//
//   SharedProject project(db);
//   LlmBackend llm(project, profile, "persuasion");      // hardProfile optional
//   JobSummary s = runRelabel(project, cfg, llm.controller(), hooks);
//
// Every call goes through the project's llm_calls cache. Few-shot pools are loaded from the
// project on first use.
#include "core/llm/call_cache.h"
#include "core/llm/endpoint_profile.h"
#include "core/llm/llm_client.h"
#include "core/llm/retry_policy.h"
#include "core/pipeline/few_shot_pool.h"
#include "core/pipeline/job_runner.h"
#include "core/pipeline/stages.h"
#include "core/prompts/prompt_library.h"

#include <memory>
#include <optional>

namespace hw {

class LlmBackend {
public:
    struct Options {
        int forwardFewShots = 3;
        int rewardFewShots = -1;        // -1 = paper defaults (10 counseling, 5 persuasion)
        double hardQuantile = 0.25;     // the hard forward model's few-shots: bottom 25% by reward
        RetryPolicy retry;
        std::optional<PromptLibrary> prompts; // default: user override folder, then built-in
    };

    // `hard`: a separate endpoint for the hard forward model (default: the main one).
    LlmBackend(SharedProject& project, EndpointProfile main, std::string task, std::optional<EndpointProfile> hard,
               Options options);
    LlmBackend(SharedProject& project, EndpointProfile main, std::string task);
    ~LlmBackend();

    void setConcurrency(int n);           // requests in flight per endpoint

    LlmClient& client() { return *m_main; }
    LlmClient& hardClient() { return m_hard ? *m_hard : *m_main; }
    const PromptLibrary& prompts() const { return m_prompts; }

    HindsightController& controller();
    ForwardModel& forward();
    ForwardModel& forwardHard();
    RewardLabeler& labeler();
    DialogueGenerator& generator();

    // {"endpoint","model","profile","temperature","max_tokens","api_key_env","hard"} for the job
    // config (no secrets: the key variable's name only).
    nlohmann::json describe() const;

private:
    const FewShotPool& pool();

    SharedProject& m_project;
    std::string m_task;
    Options m_options;
    PromptLibrary m_prompts;
    ProjectCallCache m_cache;
    std::unique_ptr<LlmClient> m_main;
    std::unique_ptr<LlmClient> m_hard;
    std::optional<FewShotPool> m_pool;
    std::unique_ptr<HindsightController> m_controller;
    std::unique_ptr<ForwardModel> m_forward;
    std::unique_ptr<ForwardModel> m_forwardHard;
    std::unique_ptr<RewardLabeler> m_labeler;
    std::unique_ptr<DialogueGenerator> m_generator;
};

} // namespace hw
