#include "core/pipeline/stage_backend_set.h"

#include "core/model/device.h"
#include "core/offline/local_forward_model.h"
#include "core/offline/retrieval_controller.h"
#include "core/offline/reward_model_labeler.h"
#include "core/pipeline/llm_backend.h"
#include "core/prompts/prompt_library.h"
#include "core/store/database.h"
#include "core/util/error.h"

#include <algorithm>

namespace hw {

struct StageBackendSet::Local {
    std::unique_ptr<RetrievalController> retrieval;
    std::map<std::string, std::unique_ptr<LocalForwardModel>> forward;
    std::map<std::string, std::unique_ptr<RewardModelLabeler>> reward;
    bool threadsConfigured = false;

    void configureThreads()
    {
        if (!threadsConfigured)
            configureTorchThreads();
        threadsConfigured = true;
    }
};

StageBackendSet::StageBackendSet(SharedProject& project, const StageDescription& description,
                                 std::optional<EndpointProfiles> profiles)
    : m_project(project), m_description(description), m_profiles(std::move(profiles)), m_local(std::make_unique<Local>())
{
}

StageBackendSet::~StageBackendSet() = default;

const StageBackend& StageBackendSet::backend(const std::string& r, const char* what) const
{
    const auto it = m_description.backends.find(r);
    if (it == m_description.backends.end() || it->second.kind.empty())
        throw Error("stage " + m_description.kind + ": no backend given for its " + what + " (" + r + ")");
    return it->second;
}

LlmBackend& StageBackendSet::llm(const std::string& r)
{
    if (auto it = m_llm.find(r); it != m_llm.end())
        return *it->second;
    const StageBackend& b = backend(r, "LLM");
    if (b.kind != "llm")
        throw Error("stage " + m_description.kind + ": its " + r + " runs on " + b.summary() + ", not an LLM");
    if (!m_profiles)
        m_profiles = EndpointProfiles::load();
    EndpointProfile profile = b.endpointProfile(*m_profiles);
    profile.validate();
    LlmBackend::Options options;
    if (b.fewShots >= 0) {
        options.forwardFewShots = b.fewShots;
        options.rewardFewShots = b.fewShots;
    }
    auto llm = std::make_unique<LlmBackend>(m_project, profile, m_description.task, std::nullopt, options);
    llm->setConcurrency(m_description.concurrency > 0 ? m_description.concurrency : profile.maxInFlight);
    return *m_llm.emplace(r, std::move(llm)).first->second;
}

HindsightController& StageBackendSet::controller(const std::string& r)
{
    const StageBackend& b = backend(r, "hindsight controller");
    if (b.kind == "retrieval") {
        if (!m_local->retrieval) {
            RetrievalOptions ro;
            ro.task = m_description.task;
            m_local->retrieval =
                m_project.with([&](Database& db) { return std::make_unique<RetrievalController>(db, ro); });
        }
        return *m_local->retrieval;
    }
    if (b.kind == "llm")
        return llm(r).controller();
    throw Error("stage " + m_description.kind + ": the hindsight controller cannot run on " + b.summary()
                + " (llm or retrieval)");
}

ForwardModel& StageBackendSet::forward(const std::string& r)
{
    const bool hard = r == role::kForwardHard;
    const StageBackend& b = backend(r, hard ? "hard forward model" : "forward model");
    if (b.kind == "checkpoint") {
        auto& slot = m_local->forward[r];
        if (!slot) {
            m_local->configureThreads();
            LocalForwardOptions fo;
            fo.checkpoint = b.checkpoint;
            fo.device = b.device;
            fo.hard = hard;
            slot = std::make_unique<LocalForwardModel>(fo);
        }
        return *slot;
    }
    if (b.kind == "llm")
        return hard ? llm(r).forwardHard() : llm(r).forward();
    throw Error("stage " + m_description.kind + ": the forward model cannot run on " + b.summary()
                + " (llm or checkpoint)");
}

RewardLabeler& StageBackendSet::labeler(const std::string& r)
{
    const StageBackend& b = backend(r, "reward model");
    if (b.kind == "checkpoint") {
        auto& slot = m_local->reward[r];
        if (!slot) {
            m_local->configureThreads();
            slot = std::make_unique<RewardModelLabeler>(b.checkpoint, b.device);
        }
        return *slot;
    }
    if (b.kind == "llm")
        return llm(r).labeler();
    throw Error("stage " + m_description.kind + ": the reward model cannot run on " + b.summary()
                + " (llm or checkpoint)");
}

DialogueGenerator& StageBackendSet::generator(const std::string& r)
{
    return llm(r).generator();
}

const PromptLibrary& StageBackendSet::prompts()
{
    for (const auto& [r, b] : m_description.backends)
        if (b.kind == "llm")
            return llm(r).prompts();
    if (!m_prompts)
        m_prompts = std::make_unique<PromptLibrary>();
    return *m_prompts;
}

int StageBackendSet::concurrency() const
{
    if (m_description.concurrency > 0)
        return m_description.concurrency;
    for (const auto& [r, b] : m_description.backends)
        if (b.kind == "llm")
            return std::max(1, b.maxInFlight);
    return 1;
}

} // namespace hw
