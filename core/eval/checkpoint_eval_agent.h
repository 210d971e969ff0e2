#pragma once
// A checkpoint under evaluation (π_β, or ILQL with β), through the chat agents of core/chat, so
// evaluation samples from exactly the distribution the chat page shows. One ChatAgent serves one
// conversation at a time; the agent keeps a small pool (one per episode in flight, up to
// `parallel`) and lends them out.
#include "core/chat/chat_agent.h"
#include "core/eval/eval_agent.h"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace hw {

class CheckpointEvalAgent : public EvalAgent {
public:
    // Loads the first agent now (throws hw::Error naming the directory); others on demand.
    CheckpointEvalAgent(ChatAgentSpec spec, std::string specText, int parallel = 1);
    ~CheckpointEvalAgent() override;

    nlohmann::json describe() const override;
    int maxConcurrency() const override { return m_parallel; }
    AgentTurn reply(const Task& task, const std::vector<Turn>& history, const StageContext& ctx) override;

private:
    std::unique_ptr<ChatAgent> borrow();
    void giveBack(std::unique_ptr<ChatAgent> agent);

    ChatAgentSpec m_spec;
    std::string m_specText;
    int m_parallel;
    bool m_hasValues = false;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<std::unique_ptr<ChatAgent>> m_idle;
    int m_created = 0;
};

} // namespace hw
