#pragma once
// Shared plumbing of the LLM-backed stages: one prompt -> one cached chat call, with usage and
// provenance filled in the way every stage stores them.
#include "core/llm/chat_types.h"
#include "core/pipeline/stages.h"
#include "core/prompts/prompt_library.h"

#include <map>
#include <string>

namespace hw {

class LlmClient;

struct LlmCallResult {
    ChatResponse response;
    StageUsage usage;
    nlohmann::json provenance;   // {"kind":"llm","endpoint","model","prompt","prompt_sha256","llm_call_id",...}
};

// Renders `tpl` with `values` and sends it. The seed is ctx.seed mixed with ctx.attempt, so a
// retry after a bad reply asks again instead of replaying the cached reply. Throws LlmError,
// hw::Cancelled, and hw::Error for template problems.
LlmCallResult callWithTemplate(LlmClient& llm, const PromptTemplate& tpl,
                               const std::map<std::string, std::string>& values, const StageContext& ctx,
                               int sampleIndex = 0, const std::string& what = "");

// Seed sent for (item seed, attempt).
uint64_t attemptSeed(uint64_t seed, int attempt);

// Placeholders every template may use: task_description, agent_role, user_role, task, and the
// rest of the task definition: agent_role_description, user_role_description, opener_role,
// turn_cap, reward_name, reward_min, reward_max, reward_source, reward_rubric, reward_anchors
// (one "- score: meaning" line each), outcome_question, task_examples (the definition's few-shot
// examples, "Example N:" + AI:/H: lines + "Reward: x").
std::map<std::string, std::string> taskValues(const Task& task);

// Loads a template, turning a missing file into a fatal StageError (every item would fail).
PromptTemplate loadTemplate(const PromptLibrary& prompts, const Task& task, const std::string& name);

} // namespace hw
