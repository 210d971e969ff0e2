#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace hw {

// Cooperative cancellation shared between the caller (GUI thread, signal handler) and a job.
class StopToken {
public:
    StopToken() : m_flag(std::make_shared<std::atomic<bool>>(false)) {}
    void requestStop() const { m_flag->store(true); }
    bool stopRequested() const { return m_flag->load(); }

private:
    std::shared_ptr<std::atomic<bool>> m_flag;
};

struct Progress {
    int64_t done = 0;
    int64_t total = 0;       // 0 when unknown
    std::string stage;       // short label, e.g. "import", "relabel"
    std::string message;     // optional detail line
};

// Called from the working thread; must be cheap and thread-safe on the receiving side.
using ProgressFn = std::function<void(const Progress&)>;

} // namespace hw
