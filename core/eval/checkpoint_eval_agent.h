#pragma once
// A checkpoint under evaluation (π_β, or ILQL with β), through the chat agents of core/chat, so
// evaluation samples from exactly the distribution the chat page shows. One ChatAgent serves one
// conversation at a time unless it batches: with `parallel` > 1 the checkpoint decodes on a
// continuous-batching engine with that many slots and every episode in flight shares it (one
// model, one batch per decoding step). A checkpoint the engine cannot take (separate value
// trunk) keeps a small pool of agents instead (one per episode in flight) and lends them out.
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
    AgentTurn finish(ChatReply reply) const;
    void giveBack(std::unique_ptr<ChatAgent> agent);

    ChatAgentSpec m_spec;
    std::string m_specText;
    int m_parallel;
    bool m_hasValues = false;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<std::unique_ptr<ChatAgent>> m_idle;
    std::unique_ptr<ChatAgent> m_shared;   // reentrant (batching) agent, when it is one
    int m_created = 0;
};

} // namespace hw
