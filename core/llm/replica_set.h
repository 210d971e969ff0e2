#pragma once
// The servers behind one endpoint profile: its base URL and any replicas of the same model
// (EndpointProfile::replicas, e.g. several vLLM servers). Each replica has its own connection pool
// with the profile's in-flight limit; a request goes to the healthy replica with the fewest
// requests in flight (ties in turn). A replica whose request fails (no connection, timeout, 429,
// 5xx) is taken out for a while — 5 s, doubling per failure in a row up to 60 s — and tried again
// after that; when every replica is out, the one due back first is used.
//
//   ReplicaSet set(profile.chatCompletionsUrls(), profile.maxInFlight);
//   auto lease = set.acquire();
//   HttpResponse r = lease.http().perform(request);   // request.url = lease.url()
//   ok ? set.succeeded(lease.index()) : set.failed(lease.index());
#include "core/net/http_client.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hw {

struct ReplicaStats {
    std::string url;             // chat completions URL
    int64_t requests = 0;        // attempts sent to it
    int64_t failures = 0;        // attempts that failed there
    int inFlight = 0;
    bool healthy = true;         // not taken out now
};

class ReplicaSet {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr double kFirstPauseS = 5.0;
    static constexpr double kMaxPauseS = 60.0;

    ReplicaSet(std::vector<std::string> urls, int maxInFlight);
    ~ReplicaSet();
    ReplicaSet(const ReplicaSet&) = delete;
    ReplicaSet& operator=(const ReplicaSet&) = delete;

    // One request's hold on a replica (its in-flight count drops when the lease ends).
    class Lease {
    public:
        Lease(ReplicaSet* set, size_t index) : m_set(set), m_index(index) {}
        Lease(Lease&& o) noexcept : m_set(o.m_set), m_index(o.m_index) { o.m_set = nullptr; }
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        size_t index() const { return m_index; }
        const std::string& url() const;
        HttpClient& http() const;

    private:
        ReplicaSet* m_set;
        size_t m_index;
    };

    Lease acquire();
    void succeeded(size_t index);
    void failed(size_t index);
    // Replicas not taken out now.
    size_t healthyCount() const;
    size_t size() const { return m_replicas.size(); }
    void setMaxInFlight(int n);
    std::vector<ReplicaStats> stats() const;

private:
    struct Replica {
        std::string url;
        std::unique_ptr<HttpClient> http;
        int inFlight = 0;
        int failuresInARow = 0;
        Clock::time_point outUntil{};
        int64_t requests = 0;
        int64_t failures = 0;
    };
    mutable std::mutex m_mutex;
    std::vector<Replica> m_replicas;
    size_t m_next = 0;           // where the tie-break starts
};

} // namespace hw
