#include "core/offline/reward_model_labeler.h"

#include "core/train/checkpoint.h"
#include "core/util/error.h"

#include <chrono>

namespace hw {

RewardModelLabeler::RewardModelLabeler(const std::string& checkpoint, const std::string& device)
{
    m_model = std::make_unique<LoadedRewardModel>(loadRewardModel(checkpoint, device));
    m_dir = m_model->dir;
    m_codec = std::make_unique<DialogueCodec>(m_model->tokenizer);
    CheckpointReader reader(m_dir);
    if (reader.has(checkpoint::kTrainerState))
        m_step = reader.readTrainerState().state.step;
}

RewardModelLabeler::~RewardModelLabeler() = default;

const RewardHeadConfig& RewardModelLabeler::head() const { return m_model->model->head; }

RewardResult RewardModelLabeler::label(const Task& task, const Dialogue& dialogue, const StageContext& ctx)
{
    if (ctx.stop.stopRequested())
        throw Cancelled();
    const auto& h = head();
    if (!h.task.empty() && task.name != h.task)
        throw StageError("reward model " + m_dir + " was trained on task '" + h.task + "', not '" + task.name + "'",
                         /*fatal=*/true);
    RewardResult r;
    if (dialogue.turns.empty()) {
        r.error = "empty dialogue";
        return r;
    }
    const auto t0 = std::chrono::steady_clock::now();
    double value = 0;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        value = predictRewards(m_model->model, *m_codec, {dialogue}, 1).at(0);
    }
    r.ok = true;
    r.value = value;
    r.usage.latencyMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    r.raw = std::to_string(value);
    r.details = {{"pooling", h.pooling}, {"clamped_to", {h.rewardMin, h.rewardMax}}};
    r.provenance = {{"kind", "reward_model"}, {"checkpoint", m_dir}, {"step", m_step}, {"task", h.task}};
    return r;
}

} // namespace hw
