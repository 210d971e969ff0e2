#pragma once
// The pipeline stages a CLI verb runs with: each stage from the LLM endpoint, or from a local
// role so the method runs with no endpoint at all (paper roles, offline):
//   --controller retrieval       hindsight controller = BM25 retrieval from top-quartile dialogues
//   --forward-checkpoint DIR     forward model = a local LM (`hindsight train-lm --role forward`)
//   --hard-checkpoint DIR        the "hard" forward model (`--role forward-hard`)
//   --reward-checkpoint DIR      reward model = a local regression LM (`--role reward`)
// --endpoint is needed only by the stages left on the LLM.
#include "app/cli/args.h"

#include "core/llm/endpoint_profile.h"
#include "core/pipeline/llm_backend.h"
#include "core/pipeline/stages.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

namespace hw {
class Database;
struct SharedProject;
class RetrievalController;
class LocalForwardModel;
class RewardModelLabeler;
} // namespace hw

namespace hw::cli {

extern const char* kLocalStageOptionsHelp;
std::set<std::string> localStageValueOptions();

struct StageNeeds {
    bool controller = false;
    bool forward = false;
    bool forwardHard = false;
    bool labeler = false;
};

class StageBackends {
public:
    // Throws hw::Error (no endpoint for a stage that needs one, unknown --controller, bad checkpoint).
    StageBackends(const Args& args, SharedProject& project, const std::string& task, StageNeeds needs,
                  LlmBackend::Options llmOptions = {});
    ~StageBackends();

    HindsightController& controller();
    ForwardModel& forward();
    ForwardModel& forwardHard();
    RewardLabeler& labeler();

    // Recorded in each job's configuration.
    nlohmann::json describe(const char* stage) const;
    // --concurrency, else the endpoint's maxInFlight, else the local stages' (1).
    int concurrency(int requested) const;

private:
    std::optional<EndpointProfile> m_profile;
    std::unique_ptr<LlmBackend> m_llm;
    std::unique_ptr<RetrievalController> m_retrieval;
    std::unique_ptr<LocalForwardModel> m_forward;
    std::unique_ptr<LocalForwardModel> m_forwardHard;
    std::unique_ptr<RewardModelLabeler> m_reward;
    std::string m_forwardDir, m_hardDir, m_rewardDir;
};

} // namespace hw::cli
