#include "core/pipeline/llm_dialogue_generator.h"

#include "core/llm/llm_client.h"
#include "core/pipeline/dialogue_lines.h"
#include "core/pipeline/llm_stage_support.h"
#include "core/prompts/prompt_library.h"

namespace hw {

LlmDialogueGenerator::LlmDialogueGenerator(LlmClient& llm, const PromptLibrary& prompts, Options options)
    : m_llm(llm), m_prompts(prompts), m_options(options)
{
}

LlmDialogueGenerator::LlmDialogueGenerator(LlmClient& llm, const PromptLibrary& prompts)
    : LlmDialogueGenerator(llm, prompts, Options())
{
}

std::string LlmDialogueGenerator::name() const { return "llm:" + m_llm.profile().model; }

int LlmDialogueGenerator::maxConcurrency() const { return 1 << 20; }

GenerateResult LlmDialogueGenerator::generate(const Task& task, const Persona& persona, int index, const StageContext& ctx)
{
    const PromptTemplate tpl = loadTemplate(m_prompts, task, "imagine");
    auto values = taskValues(task);
    values["persona_name"] = persona.name;
    values["persona_description"] = persona.description;
    values["min_turns"] = std::to_string(m_options.minTurns);
    values["max_turns"] = std::to_string(m_options.maxTurns);
    LlmCallResult call = callWithTemplate(m_llm, tpl, values, ctx, index, "imagine");

    GenerateResult out;
    out.raw = call.response.content;
    out.usage = call.usage;
    out.provenance = call.provenance;
    out.provenance["persona"] = persona.name;
    const ParsedLines parsed = parseDialogueLines(out.raw, &task);
    ContinuationCheck check = checkWholeDialogue(parsed, m_options.minTurns, m_options.maxTurns);
    if (!check.error.empty()) {
        out.error = check.error;
        return out;
    }
    out.turns = std::move(check.turns);
    out.ok = true;
    return out;
}

} // namespace hw
