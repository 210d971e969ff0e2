#pragma once
// A prompting baseline under evaluation: the chat prompt of its style (prompts/<task>/
// chat_plain|chat_cot|chat_proactive_cot.txt, the same files the chat page uses), one cached
// completion per turn, the message taken from the "Response:" line.
#include "core/eval/eval_agent.h"
#include "core/prompts/prompt_library.h"

namespace hw {

class LlmClient;

class EndpointEvalAgent : public EvalAgent {
public:
    // `prompting`: prompting::kPlain | kCot | kProactiveCot. Throws hw::Error for a missing prompt.
    EndpointEvalAgent(LlmClient& client, const PromptLibrary& prompts, const Task& task, std::string prompting,
                      std::string spec);

    nlohmann::json describe() const override;
    int maxConcurrency() const override;
    AgentTurn reply(const Task& task, const std::vector<Turn>& history, const StageContext& ctx) override;

private:
    LlmClient& m_client;
    PromptTemplate m_prompt;
    std::string m_prompting;
    std::string m_spec;
};

} // namespace hw
