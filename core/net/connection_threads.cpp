#include "core/net/connection_threads.h"

namespace hw {

ConnectionThreads::~ConnectionThreads() { shutdown(); }

void ConnectionThreads::reapFinished()
{
    for (auto it = m_workers.begin(); it != m_workers.end();) {
        if (it->finished.load()) {
            it->thread.join();
            it = m_workers.erase(it);
        } else {
            ++it;
        }
    }
}

void ConnectionThreads::enqueue(std::function<void()> fn)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    reapFinished();
    m_workers.emplace_back();
    Worker& w = m_workers.back();
    w.thread = std::thread([&w, fn = std::move(fn)] {
        fn();
        w.finished = true;
    });
}

void ConnectionThreads::shutdown()
{
    std::list<Worker> workers;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        workers.splice(workers.end(), m_workers);
    }
    for (auto& w : workers)
        if (w.thread.joinable())
            w.thread.join();
}

} // namespace hw
