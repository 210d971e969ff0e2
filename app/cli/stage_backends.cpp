#include "app/cli/stage_backends.h"

#include "app/cli/pipeline_options.h"

#include "core/model/device.h"
#include "core/offline/local_forward_model.h"
#include "core/offline/retrieval_controller.h"
#include "core/offline/reward_model_labeler.h"
#include "core/pipeline/job_runner.h"
#include "core/util/error.h"

namespace hw::cli {

const char* kLocalStageOptionsHelp = R"(
local stages (no endpoint needed for them):
  --controller retrieval  hindsight controller = retrieval of agent utterances from top-quartile
                          dialogues with the most similar context (SQLite FTS5 / BM25)
  --forward-checkpoint D  forward model = a local LM (hindsight train-lm --role forward)
  --hard-checkpoint D     the "hard" forward model (hindsight train-lm --role forward-hard)
  --reward-checkpoint D   reward model = a local regression LM (hindsight train-lm --role reward)
  --device cpu|cuda       device of the local models (default: CUDA when available)
)";

std::set<std::string> localStageValueOptions()
{
    return {"controller", "forward-checkpoint", "hard-checkpoint", "reward-checkpoint", "device"};
}

StageBackends::StageBackends(const Args& args, SharedProject& project, const std::string& task, StageNeeds needs,
                             LlmBackend::Options llmOptions)
{
    const std::string controllerKind = args.value("controller", "llm");
    if (controllerKind != "llm" && controllerKind != "retrieval")
        throw Error("--controller must be llm or retrieval, not '" + controllerKind + "'");
    m_forwardDir = args.value("forward-checkpoint", "");
    m_hardDir = args.value("hard-checkpoint", "");
    m_rewardDir = args.value("reward-checkpoint", "");
    const std::string device = args.value("device", "");

    const bool llmController = needs.controller && controllerKind == "llm";
    const bool llmForward = needs.forward && m_forwardDir.empty();
    const bool llmHard = needs.forwardHard && m_hardDir.empty();
    const bool llmLabeler = needs.labeler && m_rewardDir.empty();
    const bool needLlm = llmController || llmForward || llmHard || llmLabeler;
    m_profile = endpointFromArgs(args, false);
    if (needLlm && !m_profile) {
        std::string which = llmController ? "the controller (or --controller retrieval)"
                            : llmForward  ? "the forward model (or --forward-checkpoint DIR)"
                            : llmHard     ? "the hard forward model (or --hard-checkpoint DIR)"
                                          : "the reward model (or --reward-checkpoint DIR)";
        throw Error("missing --endpoint NAME|URL for " + which);
    }
    if (m_profile) {
        const auto hard = endpointFromArgs(args, false, "hard-");
        m_llm = std::make_unique<LlmBackend>(project, *m_profile, task, hard, llmOptions);
    }
    if (!m_forwardDir.empty() || !m_hardDir.empty() || !m_rewardDir.empty())
        configureTorchThreads();
    if (needs.controller && controllerKind == "retrieval") {
        RetrievalOptions ro;
        ro.task = task;
        m_retrieval = project.with([&](Database& db) { return std::make_unique<RetrievalController>(db, ro); });
    }
    if (needs.forward && !m_forwardDir.empty()) {
        LocalForwardOptions fo;
        fo.checkpoint = m_forwardDir;
        fo.device = device;
        m_forward = std::make_unique<LocalForwardModel>(fo);
    }
    if (needs.forwardHard && !m_hardDir.empty()) {
        LocalForwardOptions fo;
        fo.checkpoint = m_hardDir;
        fo.device = device;
        fo.hard = true;
        m_forwardHard = std::make_unique<LocalForwardModel>(fo);
    }
    if (needs.labeler && !m_rewardDir.empty())
        m_reward = std::make_unique<RewardModelLabeler>(m_rewardDir, device);
}

StageBackends::~StageBackends() = default;

HindsightController& StageBackends::controller()
{
    if (m_retrieval)
        return *m_retrieval;
    return m_llm->controller();
}

ForwardModel& StageBackends::forward()
{
    if (m_forward)
        return *m_forward;
    return m_llm->forward();
}

ForwardModel& StageBackends::forwardHard()
{
    if (m_forwardHard)
        return *m_forwardHard;
    if (!m_llm)
        throw Error("no hard forward model: give --hard-checkpoint DIR or an --endpoint");
    return m_llm->forwardHard();
}

RewardLabeler& StageBackends::labeler()
{
    if (m_reward)
        return *m_reward;
    return m_llm->labeler();
}

nlohmann::json StageBackends::describe(const char* stage) const
{
    const std::string s = stage;
    if (s == "controller" && m_retrieval)
        return {{"kind", "retrieval"}};
    if (s == "forward" && m_forward) {
        nlohmann::json d = {{"kind", "local"}, {"checkpoint", m_forwardDir}};
        if (m_forwardHard)
            d["hard_checkpoint"] = m_hardDir;
        return d;
    }
    if (s == "labeler" && m_reward)
        return {{"kind", "reward_model"}, {"checkpoint", m_rewardDir}};
    nlohmann::json d = m_llm ? m_llm->describe() : nlohmann::json();
    // The forward model on the LLM with a local hard one: say so, or a resume (the workbench's)
    // would put the hard share on the LLM.
    if (s == "forward" && m_forwardHard && d.is_object())
        d["hard_checkpoint"] = m_hardDir;
    return d;
}

int StageBackends::concurrency(int requested) const
{
    if (requested > 0)
        return requested;
    return m_profile ? m_profile->maxInFlight : 1;
}

} // namespace hw::cli
