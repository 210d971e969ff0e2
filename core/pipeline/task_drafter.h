#pragma once
// Drafts a whole task definition (roles, reward rubric, outcome question, personas, examples) from
// a researcher's description with an LLM (`hindsight task create --from-description`, the Tasks
// page's Draft button). Prompt: prompts/task_draft/draft.txt (the user override folder wins).
// The draft is only returned: the caller shows it for editing and stores it (nothing is written here).
#include "core/data/task.h"
#include "core/util/progress.h"

#include <string>

namespace hw {

class LlmClient;
class PromptLibrary;

struct TaskDraftConfig {
    std::string description;  // what the researcher wants, in their words
    std::string name;         // the task name to use; "" = the LLM proposes one
};

struct TaskDraftResult {
    Task task;                // complete and valid (validateTask)
    std::string reply;        // the LLM's reply as written
    std::string prompt;       // "task_draft/draft.txt"
    std::string promptSha256;
};

// Throws TaskDefinitionError ("LLM draft: reward.max: ...") for a reply that holds no JSON object
// or an incomplete or invalid definition, LlmError for endpoint failures, hw::Error otherwise.
TaskDraftResult draftTask(LlmClient& llm, const PromptLibrary& prompts, const TaskDraftConfig& config,
                          const StopToken& stop = StopToken());

// The definition in an LLM reply: the outermost JSON object, code fences and prose around it
// ignored. `name` (when not empty) replaces the proposed name; the kind is always custom.
// Throws TaskDefinitionError with origin "LLM draft".
Task taskFromDraftReply(const std::string& reply, const std::string& name);

} // namespace hw
