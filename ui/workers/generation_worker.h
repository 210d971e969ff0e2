#pragma once
// One chat agent on its own thread: loads it (a checkpoint takes seconds), then answers requests,
// streaming each token back as a signal. Usage (see ChatPage):
//   auto* w = new GenerationWorker;  w->moveToThread(thread);  thread->start();
//   QMetaObject::invokeMethod(w, [=] { w->load(spec, env); }, Qt::QueuedConnection);
//   QMetaObject::invokeMethod(w, [=] { w->generate(request); }, Qt::QueuedConnection);
//   w->cancel();       // any thread: the reply stops after the current token
//   w->setBeta(4.0);   // any thread: ILQL β from the next token on
#include "core/chat/chat_agent.h"

#include <QMetaType>
#include <QObject>
#include <QString>

#include <memory>
#include <mutex>

namespace hw::ui {

class GenerationWorker : public QObject {
    Q_OBJECT
public:
    explicit GenerationWorker(QObject* parent = nullptr);
    ~GenerationWorker() override;

    // Thread-safe. submit() queues generate(request) on the worker's thread; cancel() stops the
    // reply being generated, or a submitted one that has not started yet, and nothing later
    // (a Stop that lands as a reply finishes does not cancel the next one).
    void submit(const hw::ChatReplyRequest& request);
    void cancel();
    void setBeta(double beta);

public Q_SLOTS:
    void load(const hw::ChatAgentSpec& spec, const hw::ChatAgentEnv& env);
    void generate(const hw::ChatReplyRequest& request);

Q_SIGNALS:
    void loaded(bool hasValues);
    void loadFailed(const QString& message);
    void token(const hw::TokenValue& token);
    void finished(const hw::ChatReply& reply);
    void failed(const QString& message);

private:
    std::mutex m_mutex;                     // guards m_agent and m_stop against cancel/setBeta
    std::shared_ptr<hw::ChatAgent> m_agent;
    hw::StopToken m_stop;
    double m_pendingBeta = -1;
    int m_queued = 0;                       // submitted requests not started yet
    bool m_running = false;                 // a reply is being generated (m_stop is its token)
    bool m_cancelled = false;               // cancel() while a submitted request waited
};

} // namespace hw::ui

Q_DECLARE_METATYPE(hw::ChatAgentSpec)
Q_DECLARE_METATYPE(hw::ChatAgentEnv)
Q_DECLARE_METATYPE(hw::ChatReplyRequest)
Q_DECLARE_METATYPE(hw::ChatReply)
Q_DECLARE_METATYPE(hw::TokenValue)
