#include "core/eval/eval_backends.h"

#include "core/chat/chat_agent.h"
#include "core/eval/checkpoint_eval_agent.h"
#include "core/eval/endpoint_eval_agent.h"
#include "core/eval/gdp_zero_agent.h"
#include "core/eval/llm_user_simulator.h"
#include "core/eval/local_user_simulator.h"
#include "core/llm/endpoint_profile.h"
#include "core/llm/llm_client.h"
#include "core/offline/local_forward_model.h"
#include "core/offline/reward_model_labeler.h"
#include "core/train/checkpoint.h"

#include <filesystem>

namespace hw {
namespace {

std::string promptingOf(const std::string& prompt)
{
    if (prompt == "plain")
        return prompting::kPlain;
    if (prompt == "cot")
        return prompting::kCot;
    return prompting::kProactiveCot;
}

} // namespace

EvalBackends::EvalBackends(SharedProject& project, const Task& task, const std::vector<EvalAgentSpec>& agents,
                           const SimulatorSpec& simulator, EvalBackendOptions options)
    : m_options(std::move(options))
    , m_prompts(m_options.promptDirs.empty() ? PromptLibrary() : PromptLibrary(m_options.promptDirs))
    , m_cache(project.db, project.mutex)
{
    if (agents.empty())
        throw Error("evaluate: name at least one --agent (" + std::string(kAgentSpecHelp) + ")");
    for (const auto& spec : agents) {
        const std::string who = "agent '" + spec.text + "': ";
        try {
            if (spec.kind == "ckpt") {
                // A run folder (no config.json of its own) stands for its newest complete checkpoint.
                std::string dir = spec.checkpoint;
                std::error_code ec;
                if (std::filesystem::is_directory(dir, ec) && !std::filesystem::exists(std::filesystem::path(dir) / "config.json", ec)) {
                    try {
                        dir = resolveCheckpointDir(dir);
                    } catch (const Error&) {
                        // Neither: inspectCheckpoint says what a checkpoint needs.
                    }
                }
                const CheckpointCapabilities caps = inspectCheckpoint(dir);
                if (!caps.policy)
                    throw Error(caps.error);
                if (spec.beta && !caps.ilqlHeads)
                    throw Error(dir + ": no ILQL heads (beta=B needs a checkpoint trained with `hindsight train`)");
                ChatAgentSpec cs;
                cs.kind = spec.beta ? agent_kind::kIlql : agent_kind::kPolicy;
                cs.checkpoint = dir;
                if (spec.beta)
                    cs.beta = *spec.beta;
                cs.device = m_options.device;
                cs.name = spec.name;
                m_agents.push_back(std::make_unique<CheckpointEvalAgent>(cs, spec.text, m_options.localParallel));
            } else {
                LlmClient& client = clientFor(spec.endpoint, spec.model);
                if (spec.prompt == "gdp-zero")
                    m_agents.push_back(std::make_unique<GdpZeroAgent>(client, m_prompts, task, spec.text,
                                                                      m_options.gdpZeroSimulations));
                else
                    m_agents.push_back(std::make_unique<EndpointEvalAgent>(client, m_prompts, task,
                                                                           promptingOf(spec.prompt), spec.text));
            }
        } catch (const Error& e) {
            throw Error(who + e.what());
        }
    }
    const std::string who = "simulator '" + simulator.text + "': ";
    try {
        if (simulator.kind == "local") {
            LocalForwardOptions fo;
            fo.checkpoint = simulator.forward;
            fo.device = m_options.device;
            if (m_options.localParallel > 1)
                fo.batchSlots = m_options.localParallel;
            m_forward.push_back(std::make_unique<LocalForwardModel>(fo));
            m_reward.push_back(std::make_unique<RewardModelLabeler>(simulator.reward, m_options.device));
            nlohmann::json identity = {{"kind", "local"},
                                       {"forward", simulator.forward},
                                       {"reward", simulator.reward},
                                       {"persona_set", m_options.personaSet}};
            m_simulator = std::make_unique<LocalUserSimulator>(*m_forward.back(), *m_reward.back(), identity);
        } else {
            m_simulator = std::make_unique<LlmUserSimulator>(clientFor(simulator.endpoint, simulator.model), m_prompts,
                                                             task, m_options.personaSet);
        }
    } catch (const Error& e) {
        throw Error(who + e.what());
    }
}

EvalBackends::~EvalBackends() = default;

std::vector<EvalAgent*> EvalBackends::agents() const
{
    std::vector<EvalAgent*> out;
    for (const auto& a : m_agents)
        out.push_back(a.get());
    return out;
}

LlmClient& EvalBackends::clientFor(const std::string& endpoint, const std::string& model)
{
    const std::string key = endpoint + "\n" + model;
    auto it = m_clients.find(key);
    if (it != m_clients.end())
        return *it->second;
    const EndpointProfiles profiles = EndpointProfiles::load(
        m_options.endpointsFile.empty() ? EndpointProfiles::defaultPath() : m_options.endpointsFile);
    EndpointProfile profile = resolveEndpoint(endpoint, model, profiles);
    auto client = std::make_unique<LlmClient>(profile, &m_cache);
    if (m_options.concurrency > 0)
        client->setMaxInFlight(m_options.concurrency);
    return *m_clients.emplace(key, std::move(client)).first->second;
}

} // namespace hw
