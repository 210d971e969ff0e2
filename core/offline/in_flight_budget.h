#pragma once
// A global budget for the work `hindsight serve` holds at once, in token positions (each request
// reserves n x (prompt + max new tokens)): many concurrent requests cannot together exhaust
// memory. A request that fits in the budget but not now is told to retry (429); one larger than
// the whole budget can never run (413).
#include <cstdint>
#include <memory>
#include <mutex>

namespace hw {

class InFlightBudget {
public:
    explicit InFlightBudget(int64_t capacity);

    int64_t capacity() const { return m_capacity; }
    int64_t inUse() const;

    // A reservation released when the last copy of the handle goes (streams keep it until their
    // last event); nullptr when `amount` does not fit now.
    std::shared_ptr<void> tryReserve(int64_t amount);

private:
    // Shared with reservations, so one outliving the budget still releases safely.
    struct State {
        std::mutex mutex;
        int64_t used = 0;
    };
    int64_t m_capacity;
    std::shared_ptr<State> m_state = std::make_shared<State>();
};

} // namespace hw
