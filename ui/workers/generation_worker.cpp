#include "ui/workers/generation_worker.h"

#include "core/util/error.h"

#include <exception>

namespace hw::ui {

GenerationWorker::GenerationWorker(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<hw::ChatAgentSpec>();
    qRegisterMetaType<hw::ChatAgentEnv>();
    qRegisterMetaType<hw::ChatReplyRequest>();
    qRegisterMetaType<hw::ChatReply>();
    qRegisterMetaType<hw::TokenValue>();
}

GenerationWorker::~GenerationWorker() = default;

void GenerationWorker::cancel()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_stop.requestStop();
    m_cancelled = true;
}

void GenerationWorker::setBeta(double beta)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_agent)
        m_agent->setBeta(beta);
    else
        m_pendingBeta = beta;
}

void GenerationWorker::load(const hw::ChatAgentSpec& spec, const hw::ChatAgentEnv& env)
{
    try {
        std::shared_ptr<hw::ChatAgent> agent = hw::makeChatAgent(spec, env);
        bool values = agent->hasValues();
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (m_pendingBeta >= 0)
                agent->setBeta(m_pendingBeta);
            m_agent = std::move(agent);
        }
        Q_EMIT loaded(values);
    } catch (const std::exception& e) {
        Q_EMIT loadFailed(QString::fromUtf8(e.what()));
    }
}

void GenerationWorker::generate(const hw::ChatReplyRequest& request)
{
    std::shared_ptr<hw::ChatAgent> agent;
    hw::StopToken stop;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        agent = m_agent;
        m_stop = stop; // a fresh token per reply; cancel() reaches the current one
        if (m_cancelled)
            stop.requestStop();
        m_cancelled = false;
    }
    if (!agent) {
        Q_EMIT failed(tr("the agent is not loaded"));
        return;
    }
    try {
        const hw::ChatReply reply = agent->reply(request, [this](const hw::TokenValue& t) { Q_EMIT token(t); }, stop);
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_cancelled = false;
        }
        Q_EMIT finished(reply);
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromUtf8(e.what()));
    }
}

} // namespace hw::ui
