#include "core/pipeline/llm_dialogue_generator.h"

#include "core/llm/llm_client.h"
#include "core/pipeline/dialogue_lines.h"
#include "core/pipeline/llm_stage_support.h"
#include "core/prompts/prompt_library.h"

#include <sstream>

namespace hw {
namespace {

std::string number(double v)
{
    std::ostringstream s;
    s << v;
    return s.str();
}

} // namespace

std::string personaHiddenText(const nlohmann::json& hidden)
{
    if (!hidden.is_object() || hidden.empty())
        return "nothing beyond the persona";
    std::string out;
    for (auto it = hidden.begin(); it != hidden.end(); ++it)
        out += "  - " + it.key() + ": " + (it.value().is_string() ? it.value().get<std::string>() : it.value().dump()) + "\n";
    return out;
}

std::string targetOutcomeText(const Task& task, const ImagineTarget& target)
{
    if (!target.outcome)
        return "Any outcome the conversation leads to naturally.";
    std::string s = number(*target.outcome) + " on " + task.rewardName + " (range " + number(task.rewardMin) + " to "
                    + number(task.rewardMax) + ")";
    if (!target.anchorMeaning.empty())
        s += ", close to: " + target.anchorMeaning;
    return s + ". Write the conversation so that it really ends with this outcome, a poor one included: "
               "the text itself must show why.";
}

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

GenerateResult LlmDialogueGenerator::generate(const Task& task, const Persona& persona, int index,
                                              const ImagineTarget& target, const StageContext& ctx)
{
    const PromptTemplate tpl = loadTemplate(m_prompts, task, "imagine");
    auto values = taskValues(task);
    values["persona_name"] = persona.name;
    values["persona_description"] = persona.description;
    values["persona_hidden"] = personaHiddenText(persona.hidden);
    values["target_outcome"] = targetOutcomeText(task, target);
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
