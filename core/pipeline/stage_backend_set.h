#pragma once
// The models behind one stage run, built from its description's backends on first use: an LLM
// endpoint (through the project's llm_calls cache), the retrieval controller, or a local
// checkpoint (forward, hard forward, reward model). The one place that turns a backend
// description into a running model, for the CLI and the workbench alike.
#include "core/llm/endpoint_profile.h"
#include "core/pipeline/stage_description.h"
#include "core/pipeline/stages.h"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace hw {

struct SharedProject;
class LlmBackend;
class PromptLibrary;

class StageBackendSet {
public:
    // `profiles`: saved endpoint profiles, for the key variable and limits of an LLM backend
    // recorded with a profile name (default: the user's endpoints.json).
    StageBackendSet(SharedProject& project, const StageDescription& description,
                    std::optional<EndpointProfiles> profiles = std::nullopt);
    ~StageBackendSet();
    StageBackendSet(const StageBackendSet&) = delete;
    StageBackendSet& operator=(const StageBackendSet&) = delete;

    // Throw hw::Error when the description gives the role no backend of a usable kind, or its
    // checkpoint cannot be loaded.
    HindsightController& controller(const std::string& role = role::kController);
    ForwardModel& forward(const std::string& role = role::kForward);
    RewardLabeler& labeler(const std::string& role = role::kLabeler);
    DialogueGenerator& generator(const std::string& role = role::kGenerator);
    // The LLM behind a role (for stages with roles of their own, e.g. an evaluation's simulator).
    LlmBackend& llm(const std::string& role);
    const PromptLibrary& prompts();

    // Items in flight: the description's, else the first LLM role's maxInFlight, else 1.
    int concurrency() const;

private:
    struct Local;
    const StageBackend& backend(const std::string& role, const char* what) const;

    SharedProject& m_project;
    StageDescription m_description;
    std::optional<EndpointProfiles> m_profiles;
    std::map<std::string, std::unique_ptr<LlmBackend>> m_llm;   // by role
    std::unique_ptr<Local> m_local;
    std::unique_ptr<PromptLibrary> m_prompts;
};

} // namespace hw
