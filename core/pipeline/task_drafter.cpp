#include "core/pipeline/task_drafter.h"

#include "core/data/task_json.h"
#include "core/io/json_guard.h"
#include "core/llm/llm_client.h"
#include "core/prompts/prompt_library.h"

namespace hw {
namespace {

constexpr const char* kOrigin = "LLM draft";

// The format example shown to the LLM: the persuasion task with a few personas and one example,
// so that every field of the file appears once.
std::string formatExample()
{
    Task t = Task::persuasion();
    t.personas = {{"skeptical", "Doubts that charities spend donations well and asks for evidence."},
                  {"caring", "Easily moved by stories about children but worried about a tight budget."}};
    t.examples = {{{{"agent", "Hi! Have you heard of Save the Children?"},
                    {"user", "Vaguely. What do they do?"},
                    {"agent", "They fund schooling and health care for children in poor countries."},
                    {"user", "Fine, I will give a dollar."}},
                   1.0,
                   "the persuadee gave half of the payment"}};
    return taskToJson(t).dump(2);
}

} // namespace

Task taskFromDraftReply(const std::string& reply, const std::string& name)
{
    const size_t open = reply.find('{');
    const size_t close = reply.rfind('}');
    if (open == std::string::npos || close == std::string::npos || close < open)
        throw TaskDefinitionError("(top level)", "the reply holds no JSON object", kOrigin);
    nlohmann::json j;
    try {
        j = parseJsonFromFile(std::string_view(reply).substr(open, close - open + 1), kOrigin, 0);
    } catch (const Error& e) {
        throw TaskDefinitionError("(top level)", std::string("not valid JSON (") + e.what() + ")", kOrigin);
    }
    if (!j.is_object())
        throw TaskDefinitionError("(top level)", "expected a JSON object", kOrigin);
    if (!name.empty())
        j["name"] = name;
    j["kind"] = "custom";
    try {
        return taskFromJson(j);
    } catch (const TaskDefinitionError& e) {
        throw TaskDefinitionError(e.field(), e.problem(), kOrigin);
    }
}

TaskDraftResult draftTask(LlmClient& llm, const PromptLibrary& prompts, const TaskDraftConfig& config,
                          const StopToken& stop)
{
    if (config.description.find_first_not_of(" \t\r\n") == std::string::npos)
        throw Error("the task description is empty");
    if (!config.name.empty() && !isValidTaskName(config.name))
        throw TaskDefinitionError("name", "'" + config.name + "' is not a task name: use 1-64 of a-z, 0-9, '-' and '_'");
    const PromptTemplate tpl = prompts.load("task_draft", "draft");
    ChatRequest request;
    request.messages = tpl.render({{"description", config.description},
                                   {"name_hint", config.name.empty() ? "" : "Call the task \"" + config.name + "\"."},
                                   {"example", formatExample()}});
    request.label = "task draft";
    const ChatResponse response = llm.chat(request, stop);
    TaskDraftResult result;
    result.reply = response.content;
    result.prompt = tpl.id();
    result.promptSha256 = tpl.sha256;
    result.task = taskFromDraftReply(response.content, config.name);
    return result;
}

} // namespace hw
