#include "core/llm/replica_set.h"

#include "core/util/error.h"

#include <algorithm>
#include <cmath>

namespace hw {

ReplicaSet::ReplicaSet(std::vector<std::string> urls, int maxInFlight)
{
    if (urls.empty())
        throw Error("ReplicaSet: no URL");
    for (auto& u : urls) {
        Replica r;
        r.url = std::move(u);
        r.http = std::make_unique<HttpClient>(std::max(1, maxInFlight));
        m_replicas.push_back(std::move(r));
    }
}

ReplicaSet::~ReplicaSet() = default;

ReplicaSet::Lease::~Lease()
{
    if (!m_set)
        return;
    std::lock_guard<std::mutex> lock(m_set->m_mutex);
    --m_set->m_replicas[m_index].inFlight;
}

const std::string& ReplicaSet::Lease::url() const { return m_set->m_replicas[m_index].url; }

HttpClient& ReplicaSet::Lease::http() const { return *m_set->m_replicas[m_index].http; }

ReplicaSet::Lease ReplicaSet::acquire()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    const auto now = Clock::now();
    const size_t n = m_replicas.size();
    size_t best = n;
    for (size_t k = 0; k < n; ++k) {
        const size_t i = (m_next + k) % n;
        const Replica& r = m_replicas[i];
        if (r.outUntil > now)
            continue;
        if (best == n || r.inFlight < m_replicas[best].inFlight)
            best = i;
    }
    if (best == n) // all out: the one due back first
        for (size_t i = 0; i < n; ++i)
            if (best == n || m_replicas[i].outUntil < m_replicas[best].outUntil)
                best = i;
    m_next = (best + 1) % n;
    ++m_replicas[best].inFlight;
    ++m_replicas[best].requests;
    return Lease(this, best);
}

void ReplicaSet::succeeded(size_t index)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_replicas[index].failuresInARow = 0;
    m_replicas[index].outUntil = {};
}

void ReplicaSet::failed(size_t index)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    Replica& r = m_replicas[index];
    ++r.failures;
    // A lone server is never taken out: the caller's retry policy paces it.
    if (m_replicas.size() < 2)
        return;
    const double pause = std::min(kMaxPauseS, kFirstPauseS * std::pow(2.0, r.failuresInARow));
    ++r.failuresInARow;
    r.outUntil = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(pause * 1000));
}

size_t ReplicaSet::healthyCount() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    const auto now = Clock::now();
    return static_cast<size_t>(
        std::count_if(m_replicas.begin(), m_replicas.end(), [&](const Replica& r) { return r.outUntil <= now; }));
}

void ReplicaSet::setMaxInFlight(int n)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    for (auto& r : m_replicas)
        r.http->setMaxInFlight(std::max(1, n));
}

std::vector<ReplicaStats> ReplicaSet::stats() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    const auto now = Clock::now();
    std::vector<ReplicaStats> out;
    for (const auto& r : m_replicas)
        out.push_back({r.url, r.requests, r.failures, r.inFlight, r.outUntil <= now});
    return out;
}

} // namespace hw
