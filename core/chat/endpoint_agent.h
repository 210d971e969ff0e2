#pragma once
// A prompting baseline on an OpenAI-compatible endpoint: the chat prompt of its style
// (prompts/<task>/chat_<style>.txt) rendered with the conversation, one completion, and the
// reply taken from the "Response:" line. Replies arrive whole (the client does not stream), so
// the stream callback is called once. Internal to core/chat; use makeChatAgent().
#include "core/chat/chat_agent.h"

#include <memory>
#include <string>

namespace hw {

class LlmClient;
struct EndpointProfile;

class EndpointAgent : public ChatAgent {
public:
    EndpointAgent(ChatAgentSpec spec, const EndpointProfile& profile, std::vector<std::string> promptDirs);
    ~EndpointAgent() override;

    ChatReply reply(const ChatReplyRequest& request, const TokenStreamFn& onToken,
                    const StopToken& stop) override;

private:
    std::unique_ptr<LlmClient> m_client;
    std::vector<std::string> m_promptDirs;
};

// The conversation as the prompts show it: "Role: text" lines, role names from the task.
std::string formatDialogue(const Task& task, const std::vector<Turn>& history);
// The message in a reasoning reply: the text after the last "Response:" label (markdown emphasis
// and surrounding quotes removed), or the whole reply without <think> blocks when there is none.
std::string extractResponse(const std::string& completion);

} // namespace hw
