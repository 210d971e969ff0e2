#include "core/pipeline/llm_controller.h"

#include "core/llm/llm_client.h"
#include "core/pipeline/controller_parser.h"
#include "core/pipeline/dialogue_lines.h"
#include "core/pipeline/llm_stage_support.h"
#include "core/pipeline/reply_text.h"
#include "core/prompts/prompt_library.h"

namespace hw {

LlmHindsightController::LlmHindsightController(LlmClient& llm, const PromptLibrary& prompts, TurnMatcherOptions matching)
    : m_llm(llm), m_prompts(prompts), m_matching(matching)
{
}

std::string LlmHindsightController::name() const { return "llm:" + m_llm.profile().model; }

int LlmHindsightController::maxConcurrency() const { return 1 << 20; } // LlmClient bounds requests in flight

ControllerResult LlmHindsightController::suggest(const Task& task, const Dialogue& dialogue, int count,
                                                 const StageContext& ctx)
{
    const PromptTemplate tpl = loadTemplate(m_prompts, task, "controller");
    auto values = taskValues(task);
    values["dialogue"] = formatDialogueLines(dialogue.turns);
    values["count"] = std::to_string(count);
    LlmCallResult call = callWithTemplate(m_llm, tpl, values, ctx, 0, "controller");

    ControllerResult out;
    out.raw = call.response.content;
    out.usage = call.usage;
    out.provenance = call.provenance;
    const ControllerParse parsed = parseControllerReply(out.raw);
    if (parsed.items.empty()) {
        out.error = parsed.error;
        return out;
    }
    for (const auto& item : parsed.items) {
        if (static_cast<int>(out.suggestions.size()) >= count)
            break;
        SuggestionDraft d;
        d.rank = item.rank;
        d.originalText = item.original;
        d.critique = item.critique;
        d.proposedText = item.proposed;
        d.error = item.error;
        if (d.error.empty()) {
            const TurnMatch m = matchAgentTurn(dialogue.turns, item.original, m_matching);
            if (m.turnIndex)
                d.turnIndex = m.turnIndex;
            else
                d.error = "item " + std::to_string(item.rank) + ": " + m.error;
        }
        if (d.error.empty() && reply::normalize(item.proposed) == reply::normalize(dialogue.turns[*d.turnIndex].text))
            d.error = "item " + std::to_string(item.rank) + ": the better utterance repeats the original";
        if (!d.error.empty())
            d.turnIndex.reset();
        out.suggestions.push_back(std::move(d));
    }
    int usable = 0;
    for (const auto& s : out.suggestions)
        usable += s.error.empty();
    out.ok = usable > 0;
    if (!out.ok)
        out.error = out.suggestions.front().error;
    return out;
}

} // namespace hw
