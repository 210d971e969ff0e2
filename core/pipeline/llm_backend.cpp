#include "core/pipeline/llm_backend.h"

#include "core/pipeline/llm_controller.h"
#include "core/pipeline/llm_dialogue_generator.h"
#include "core/pipeline/llm_forward_model.h"
#include "core/pipeline/llm_reward_labeler.h"
#include "core/store/database.h"

namespace hw {

LlmBackend::LlmBackend(SharedProject& project, EndpointProfile main, std::string task,
                       std::optional<EndpointProfile> hard, Options options)
    : m_project(project), m_task(std::move(task)), m_options(std::move(options)),
      m_prompts(m_options.prompts ? *m_options.prompts : PromptLibrary()), m_cache(project.db, project.mutex)
{
    m_main = std::make_unique<LlmClient>(std::move(main), &m_cache, m_options.retry);
    if (hard)
        m_hard = std::make_unique<LlmClient>(std::move(*hard), &m_cache, m_options.retry);
}

LlmBackend::LlmBackend(SharedProject& project, EndpointProfile main, std::string task)
    : LlmBackend(project, std::move(main), std::move(task), std::nullopt, Options())
{
}

LlmBackend::~LlmBackend() = default;

void LlmBackend::setConcurrency(int n)
{
    m_main->setMaxInFlight(n);
    if (m_hard)
        m_hard->setMaxInFlight(n);
}

const FewShotPool& LlmBackend::pool()
{
    if (!m_pool)
        m_pool = m_project.with([&](Database& db) { return FewShotPool::fromProject(db, m_task); });
    return *m_pool;
}

HindsightController& LlmBackend::controller()
{
    if (!m_controller)
        m_controller = std::make_unique<LlmHindsightController>(*m_main, m_prompts);
    return *m_controller;
}

ForwardModel& LlmBackend::forward()
{
    if (!m_forward)
        m_forward = std::make_unique<LlmForwardModel>(*m_main, m_prompts, pool(),
                                                      LlmForwardModel::Options{false, m_options.forwardFewShots});
    return *m_forward;
}

ForwardModel& LlmBackend::forwardHard()
{
    if (!m_forwardHard)
        m_forwardHard = std::make_unique<LlmForwardModel>(hardClient(), m_prompts,
                                                          pool().bottomQuantile(m_options.hardQuantile),
                                                          LlmForwardModel::Options{true, m_options.forwardFewShots});
    return *m_forwardHard;
}

RewardLabeler& LlmBackend::labeler()
{
    if (!m_labeler)
        m_labeler = std::make_unique<LlmRewardLabeler>(*m_main, m_prompts, pool(),
                                                       LlmRewardLabeler::Options{m_options.rewardFewShots});
    return *m_labeler;
}

DialogueGenerator& LlmBackend::generator()
{
    if (!m_generator)
        m_generator = std::make_unique<LlmDialogueGenerator>(*m_main, m_prompts);
    return *m_generator;
}

nlohmann::json LlmBackend::describe() const
{
    auto one = [](const EndpointProfile& p) {
        nlohmann::json j = {{"endpoint", p.chatCompletionsUrl()}, {"model", p.model}};
        if (!p.name.empty())
            j["profile"] = p.name;
        j["temperature"] = p.temperature;
        j["max_tokens"] = p.maxTokens;
        // The variable's name, never the key: lets the workbench resume an ad-hoc CLI endpoint
        // with its key. Not part of the job's identity (JobRunner::configHash leaves it out).
        if (!p.apiKeyEnv.empty())
            j["api_key_env"] = p.apiKeyEnv;
        return j;
    };
    nlohmann::json j = one(m_main->profile());
    if (m_hard)
        j["hard"] = one(m_hard->profile());
    return j;
}

} // namespace hw
