#include "core/pipeline/llm_forward_model.h"

#include "core/llm/llm_client.h"
#include "core/pipeline/dialogue_lines.h"
#include "core/pipeline/llm_stage_support.h"
#include "core/prompts/prompt_library.h"

namespace hw {

std::string formatExamples(const std::vector<const Dialogue*>& dialogues)
{
    std::string out;
    int n = 0;
    for (const Dialogue* d : dialogues) {
        out += "Example " + std::to_string(++n) + ":\n" + formatDialogueLines(d->turns) + "\n";
    }
    return out;
}

LlmForwardModel::LlmForwardModel(LlmClient& llm, const PromptLibrary& prompts, FewShotPool pool, Options options)
    : m_llm(llm), m_prompts(prompts), m_pool(std::move(pool)), m_options(options)
{
}

std::string LlmForwardModel::name() const
{
    return std::string(m_options.hard ? "llm-hard:" : "llm:") + m_llm.profile().model;
}

int LlmForwardModel::maxConcurrency() const { return 1 << 20; }

ForwardResult LlmForwardModel::complete(const ForwardRequest& request, const StageContext& ctx)
{
    if (!request.task)
        throw StageError("forward model: request without a task", true);
    const Task& task = *request.task;
    const PromptTemplate tpl = loadTemplate(m_prompts, task, m_options.hard ? "forward_hard" : "forward");
    auto values = taskValues(task);
    const int64_t exclude = request.parent ? request.parent->id : 0;
    values["examples"] = formatExamples(m_pool.sample(static_cast<size_t>(m_options.fewShots), ctx.seed, exclude));
    values["prefix"] = formatDialogueLines(request.prefix);
    values["turn_budget"] = std::to_string(request.turnBudget);
    LlmCallResult call = callWithTemplate(m_llm, tpl, values, ctx, request.sampleIndex,
                                          m_options.hard ? "forward-hard" : "forward");

    ForwardResult out;
    out.raw = call.response.content;
    out.usage = call.usage;
    out.provenance = call.provenance;
    out.provenance["hard"] = m_options.hard;
    const ParsedLines parsed = parseDialogueLines(out.raw, &task);
    ContinuationCheck check = checkContinuation(parsed, request.prefix, request.turnBudget);
    if (!check.error.empty()) {
        out.error = check.error;
        return out;
    }
    if (check.droppedEcho)
        out.provenance["dropped_echo"] = true;
    if (check.mergedTurns > 0)
        out.provenance["merged_lines"] = check.mergedTurns;
    out.continuation = std::move(check.turns);
    out.ok = true;
    return out;
}

} // namespace hw
