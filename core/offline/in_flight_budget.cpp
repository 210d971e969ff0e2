#include "core/offline/in_flight_budget.h"

namespace hw {

InFlightBudget::InFlightBudget(int64_t capacity) : m_capacity(capacity) {}

int64_t InFlightBudget::inUse() const
{
    std::lock_guard<std::mutex> lock(m_state->mutex);
    return m_state->used;
}

std::shared_ptr<void> InFlightBudget::tryReserve(int64_t amount)
{
    {
        std::lock_guard<std::mutex> lock(m_state->mutex);
        if (amount > m_capacity - m_state->used)
            return nullptr;
        m_state->used += amount;
    }
    auto state = m_state;
    return std::shared_ptr<void>(new char(0), [state, amount](void* token) {
        delete static_cast<char*>(token);
        std::lock_guard<std::mutex> lock(state->mutex);
        state->used -= amount;
    });
}

} // namespace hw
