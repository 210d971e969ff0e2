#pragma once
// cpp-httplib task queue that runs each accepted connection on a thread of its own. The library's
// default is a fixed pool (8 threads here) in which a kept-alive or streaming connection holds a
// slot for its whole life, so the ninth client would wait. Admission limits (per client and in
// all) are applied by HttpServer when the connection starts, which closes refused ones at once.
#include <httplib.h>

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

namespace hw {

class ConnectionThreads : public httplib::TaskQueue {
public:
    ConnectionThreads() = default;
    ~ConnectionThreads() override;

    void enqueue(std::function<void()> fn) override;
    // Waits for every connection thread to end (the server has told them to stop).
    void shutdown() override;

private:
    struct Worker {
        std::thread thread;
        std::atomic<bool> finished{false};
    };
    void reapFinished();

    std::mutex m_mutex;
    std::list<Worker> m_workers;
};

} // namespace hw
