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

void GenerationWorker::submit(const hw::ChatReplyRequest& request)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        ++m_queued;
    }
    QMetaObject::invokeMethod(this, [this, request] { generate(request); }, Qt::QueuedConnection);
}

void GenerationWorker::cancel()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_running)
        m_stop.requestStop();
    // Only a request already submitted is cancelled in advance; with none waiting the flag would
    // outlive this Stop and cancel the next reply at once.
    if (m_queued > 0)
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
        if (m_queued > 0)
            --m_queued;
        if (m_cancelled)
            stop.requestStop();
        m_cancelled = false;   // per request: a cancel reaches this one, never the next
        m_running = true;
    }
    struct Done {   // m_running off on every way out
        GenerationWorker* w;
        ~Done()
        {
            std::lock_guard<std::mutex> lock(w->m_mutex);
            w->m_running = false;
        }
    } done{this};
    if (!agent) {
        Q_EMIT failed(tr("the agent is not loaded"));
        return;
    }
    try {
        const hw::ChatReply reply = agent->reply(request, [this](const hw::TokenValue& t) { Q_EMIT token(t); }, stop);
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_running = false;
        }
        Q_EMIT finished(reply);
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromUtf8(e.what()));
    }
}

} // namespace hw::ui
