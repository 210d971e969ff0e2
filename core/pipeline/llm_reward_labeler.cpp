#include "core/pipeline/llm_reward_labeler.h"

#include "core/llm/llm_client.h"
#include "core/pipeline/dialogue_lines.h"
#include "core/pipeline/llm_stage_support.h"
#include "core/pipeline/reward_parser.h"
#include "core/prompts/prompt_library.h"

#include <cmath>
#include <sstream>

namespace hw {
namespace {

std::string money(double x)
{
    std::ostringstream s;
    s.precision(2);
    s << std::fixed << x;
    return "$" + s.str();
}

} // namespace

LlmRewardLabeler::LlmRewardLabeler(LlmClient& llm, const PromptLibrary& prompts, FewShotPool pool, Options options)
    : m_llm(llm),
      m_prompts(prompts),
      m_pool(std::move(pool)),
      m_intensityPool(m_pool.filtered([](const Dialogue& d) { return initialIntensity(d) && finalIntensity(d); })),
      m_options(options)
{
}

LlmRewardLabeler::LlmRewardLabeler(LlmClient& llm, const PromptLibrary& prompts, FewShotPool pool)
    : LlmRewardLabeler(llm, prompts, std::move(pool), Options())
{
}

std::string LlmRewardLabeler::name() const { return "llm:" + m_llm.profile().model; }

int LlmRewardLabeler::maxConcurrency() const { return 1 << 20; }

RewardResult LlmRewardLabeler::label(const Task& task, const Dialogue& dialogue, const StageContext& ctx)
{
    switch (task.kind) {
    case TaskKind::Counseling: return labelCounseling(task, dialogue, ctx);
    case TaskKind::Persuasion: return labelPersuasion(task, dialogue, ctx);
    case TaskKind::Custom: return labelCustom(task, dialogue, ctx);
    }
    throw StageError("unknown task kind of task '" + task.name + "'", true);
}

RewardResult LlmRewardLabeler::labelCustom(const Task& task, const Dialogue& dialogue, const StageContext& ctx)
{
    // Without a rubric and an outcome question the judge would be guessing what the reward means.
    if (task.rewardRubric.empty() || task.outcomeQuestion.empty())
        throw StageError("task '" + task.name + "' has no reward rubric or outcome question: complete its "
                             "definition (hindsight task export / import --replace) before labelling",
                         true);
    const PromptTemplate tpl = loadTemplate(m_prompts, task, "reward");
    // The definition's own examples first, then labelled dialogues of the project.
    const int k = m_options.fewShots >= 0 ? m_options.fewShots : 5;
    std::string examples;
    int n = 0;
    for (const auto& e : task.examples) {
        if (n == k)
            break;
        std::vector<Turn> turns;
        for (const auto& t : e.turns) {
            Turn turn;
            turn.index = static_cast<int>(turns.size());
            turn.role = t.role == "agent" ? Role::Agent : Role::User;
            turn.text = t.text;
            turns.push_back(std::move(turn));
        }
        std::ostringstream reward;
        reward << e.reward;
        examples += "Example " + std::to_string(++n) + ":\n" + formatDialogueLines(turns) + "Reward: " + reward.str() + "\n\n";
    }
    if (n < k)
        for (const Dialogue* d :
             m_pool.sample(static_cast<size_t>(k - n), ctx.seed, dialogue.parentId.value_or(dialogue.id))) {
            if (!d->reward)
                continue;
            std::ostringstream reward;
            reward << *d->reward;
            examples += "Example " + std::to_string(++n) + ":\n" + formatDialogueLines(d->turns) + "Reward: "
                        + reward.str() + "\n\n";
        }
    auto values = taskValues(task);
    values["examples"] = examples;
    values["dialogue"] = formatDialogueLines(dialogue.turns);
    LlmCallResult call = callWithTemplate(m_llm, tpl, values, ctx, 0, "reward");
    RewardResult out;
    out.raw = call.response.content;
    out.usage = call.usage;
    out.provenance = call.provenance;
    const Parsed<double> reward = parseTaskReward(out.raw, task.rewardMin, task.rewardMax);
    if (!reward.value) {
        out.error = reward.error;
        return out;
    }
    out.value = *reward.value;
    out.details = {{"reward", *reward.value}};
    out.ok = true;
    return out;
}

RewardResult LlmRewardLabeler::labelCounseling(const Task& task, const Dialogue& dialogue, const StageContext& ctx)
{
    RewardResult out;
    const auto initial = initialIntensity(dialogue);
    if (!initial) {
        out.error = "the dialogue has no initial emotional intensity (metadata initial_emotion_intensity)";
        return out;
    }
    const PromptTemplate tpl = loadTemplate(m_prompts, task, "reward");
    const int k = m_options.fewShots >= 0 ? m_options.fewShots : 10;
    std::string examples;
    int n = 0;
    // Filter first, then sample: k uniform draws among the usable dialogues.
    for (const Dialogue* d :
         m_intensityPool.sample(static_cast<size_t>(k), ctx.seed, dialogue.parentId.value_or(dialogue.id))) {
        const auto ei = initialIntensity(*d);
        const auto ef = finalIntensity(*d);
        examples += "Example " + std::to_string(++n) + ":\nInitial Emotional Intensity: " + std::to_string(*ei) + "\n"
                    + formatDialogueLines(d->turns) + "Final Emotional Intensity: " + std::to_string(*ef) + "\n\n";
    }
    auto values = taskValues(task);
    values["examples"] = examples;
    values["initial_intensity"] = std::to_string(*initial);
    values["dialogue"] = formatDialogueLines(dialogue.turns);
    LlmCallResult call = callWithTemplate(m_llm, tpl, values, ctx, 0, "reward");
    out.raw = call.response.content;
    out.usage = call.usage;
    out.provenance = call.provenance;
    const Parsed<int> fin = parseFinalIntensity(out.raw);
    if (!fin.value) {
        out.error = fin.error;
        return out;
    }
    out.value = static_cast<double>(*initial - *fin.value);
    out.details = {{"initial_intensity", *initial}, {"final_intensity", *fin.value}};
    out.ok = true;
    return out;
}

RewardResult LlmRewardLabeler::labelPersuasion(const Task& task, const Dialogue& dialogue, const StageContext& ctx)
{
    RewardResult out;
    auto values = taskValues(task);
    values["dialogue"] = formatDialogueLines(dialogue.turns);

    // Step 1: is there a decision at all?
    const PromptTemplate first = loadTemplate(m_prompts, task, "reward_unfinished");
    LlmCallResult call1 = callWithTemplate(m_llm, first, values, ctx, 0, "reward-unfinished");
    out.raw = call1.response.content;
    out.usage = call1.usage;
    out.provenance = call1.provenance;
    out.provenance["llm_call_ids"] = nlohmann::json::array({call1.response.callId});
    const Parsed<bool> unfinished = parseUnfinished(call1.response.content);
    if (!unfinished.value) {
        out.error = unfinished.error;
        return out;
    }
    if (*unfinished.value) {
        out.ok = true;
        out.unfinished = true;
        out.details = {{"unfinished", true}};
        return out;
    }

    // Step 2: the amount.
    const PromptTemplate second = loadTemplate(m_prompts, task, "reward");
    const int k = m_options.fewShots >= 0 ? m_options.fewShots : 5;
    std::string examples;
    int n = 0;
    for (const Dialogue* d : m_pool.sample(static_cast<size_t>(k), ctx.seed, dialogue.parentId.value_or(dialogue.id))) {
        if (!d->reward)
            continue;
        examples += "Example " + std::to_string(++n) + ":\n" + formatDialogueLines(d->turns)
                    + "Final Donation Amount: " + money(*d->reward) + "\n\n";
    }
    values["examples"] = examples;
    LlmCallResult call2 = callWithTemplate(m_llm, second, values, ctx, 0, "reward");
    out.raw += "\n\n" + call2.response.content;
    out.usage += call2.usage;
    out.provenance = call2.provenance;
    out.provenance["unfinished_prompt"] = first.id();
    out.provenance["unfinished_prompt_sha256"] = first.sha256;
    out.provenance["llm_call_ids"] = nlohmann::json::array({call1.response.callId, call2.response.callId});
    const Parsed<double> amount = parseDonationAmount(call2.response.content);
    if (!amount.value) {
        out.error = amount.error;
        return out;
    }
    out.value = *amount.value;
    out.details = {{"unfinished", false}, {"donation", *amount.value}};
    out.ok = true;
    return out;
}

} // namespace hw
