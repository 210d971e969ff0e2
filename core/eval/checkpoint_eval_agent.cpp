#include "core/eval/checkpoint_eval_agent.h"

#include <algorithm>

namespace hw {

CheckpointEvalAgent::CheckpointEvalAgent(ChatAgentSpec spec, std::string specText, int parallel)
    : m_spec(std::move(spec)), m_specText(std::move(specText)), m_parallel(std::max(1, parallel))
{
    ChatAgentEnv env;
    if (m_parallel > 1)
        env.batchSlots = m_parallel;
    auto first = makeChatAgent(m_spec, env);
    m_hasValues = first->hasValues();
    m_created = 1;
    if (first->reentrant())
        m_shared = std::move(first);   // one model, episodes batched on its engine
    else
        m_idle.push_back(std::move(first));
}

CheckpointEvalAgent::~CheckpointEvalAgent() = default;

nlohmann::json CheckpointEvalAgent::describe() const
{
    nlohmann::json j = {{"kind", m_spec.kind},
                        {"spec", m_specText},
                        {"checkpoint", m_spec.checkpoint},
                        {"temperature", m_spec.temperature},
                        {"top_k", m_spec.topK},
                        {"top_p", m_spec.topP},
                        {"max_new_tokens", m_spec.maxNewTokens},
                        {"values", m_hasValues}};
    if (m_spec.kind == agent_kind::kIlql)
        j["beta"] = m_spec.beta;
    return j;
}

std::unique_ptr<ChatAgent> CheckpointEvalAgent::borrow()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        if (!m_idle.empty()) {
            auto a = std::move(m_idle.back());
            m_idle.pop_back();
            return a;
        }
        if (m_created < m_parallel) {
            ++m_created;
            lock.unlock();
            try {
                return makeChatAgent(m_spec);
            } catch (...) {
                std::lock_guard<std::mutex> again(m_mutex);
                --m_created;
                throw;
            }
        }
        m_cv.wait(lock);
    }
}

void CheckpointEvalAgent::giveBack(std::unique_ptr<ChatAgent> agent)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_idle.push_back(std::move(agent));
    }
    m_cv.notify_one();
}

AgentTurn CheckpointEvalAgent::reply(const Task& task, const std::vector<Turn>& history, const StageContext& ctx)
{
    ChatReplyRequest req;
    req.task = task;
    req.history = history;
    if (m_shared)
        return finish(m_shared->reply(req, {}, ctx.stop));
    auto agent = borrow();
    ChatReply r;
    try {
        r = agent->reply(req, {}, ctx.stop);
    } catch (...) {
        giveBack(std::move(agent));
        throw;
    }
    giveBack(std::move(agent));
    return finish(std::move(r));
}

AgentTurn CheckpointEvalAgent::finish(ChatReply r) const
{
    if (r.cancelled)
        throw Cancelled();
    AgentTurn out;
    out.text = r.text;
    out.raw = r.rawText;
    out.provenance = r.provenance;
    out.provenance["kind"] = m_spec.kind;
    if (m_hasValues && !r.tokens.empty()) {
        // Advantage per token (Q̂ - V), and each token's text, Q̂, V and π_β for the episode
        // browser's shading (the chat page's token format, core/chat/token_value.h).
        nlohmann::json adv = nlohmann::json::array();
        for (const auto& t : r.tokens)
            adv.push_back(t.q && t.v ? nlohmann::json(*t.q - *t.v) : nlohmann::json(nullptr));
        out.provenance["advantage"] = adv;
        out.provenance["tokens"] = tokenValuesToJson(r.tokens);
    }
    out.ok = !out.text.empty();
    if (!out.ok)
        out.error = "the checkpoint wrote an empty reply";
    return out;
}

} // namespace hw
