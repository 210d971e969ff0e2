#pragma once
// The one client for OpenAI-compatible /v1/chat/completions endpoints.
//
//   EndpointProfile p = resolveEndpoint("http://127.0.0.1:8000/v1", "my-model", {});
//   ProjectCallCache cache(db, dbMutex);
//   LlmClient llm(p, &cache);
//   ChatResponse r = llm.chat({{{"user", "Hello"}}}, stop, jobId);
//
// - chat() is thread-safe and blocking; many threads may call it at once. Requests run on one
//   shared libcurl multi handle with at most profile.maxInFlight in flight (the rest queue).
// - Every call is keyed by sha256(endpoint URL, model, messages, temperature, max tokens, seed,
//   sample index, extra body). With a cache, a known key is answered from it (fromCache = true,
//   nothing sent) and a new answer is recorded at once, before chat() returns.
// - Retries with exponential backoff and jitter on timeouts, connection errors, 429/5xx
//   and malformed bodies, honouring Retry-After; other 4xx fail at once. The stop token is
//   watched while waiting for a reply and while backing off (throws hw::Cancelled).
// - Errors are LlmError: they name the URL, model, call label, attempt, HTTP status and an
//   excerpt of the reply, with the API key and anything that looks like a key masked. They also
//   carry the failing exchange (request body, last status and reply body, masked the same way)
//   so that a job can keep it with the failed item: only answered calls reach the cache.
#include "core/llm/call_cache.h"
#include "core/llm/chat_types.h"
#include "core/llm/endpoint_profile.h"
#include "core/llm/replica_set.h"
#include "core/llm/retry_policy.h"
#include "core/util/error.h"
#include "core/util/progress.h"

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>

namespace hw {

class HttpClient;

// The exchange behind an LlmError: what was sent and what came back on the last attempt.
// Secrets are masked; the reply is cut at kMaxReplyBytes.
struct LlmExchange {
    static constexpr size_t kMaxReplyBytes = 64 * 1024;
    std::string endpoint;    // chat completions URL
    std::string model;
    std::string request;     // the JSON body sent
    long status = 0;         // of the last attempt; 0 = no HTTP reply (timeout, connection error)
    std::string reply;       // body of the last reply; "" when none came
    std::string problem;     // why the last attempt failed ("HTTP 500", "timed out after 5000 ms", ...)
    int attempts = 0;

    bool empty() const { return request.empty(); }
    // {"endpoint","model","request","status","reply","problem","attempts"}
    nlohmann::json toJson() const;
};

class LlmError : public Error {
public:
    enum class Kind {
        Http,        // a non-retryable HTTP status (400, 401, 404, ...)
        Exhausted,   // every attempt failed with a retryable error
        BadReply,    // 2xx but not a chat completion (after retries)
    };
    LlmError(const std::string& what, Kind kind, long status, int attempts, LlmExchange exchange = {})
        : Error(what), m_kind(kind), m_status(status), m_attempts(attempts), m_exchange(std::move(exchange)) {}
    Kind kind() const { return m_kind; }
    long status() const { return m_status; }      // last HTTP status; 0 = transport failure
    int attempts() const { return m_attempts; }
    const LlmExchange& exchange() const { return m_exchange; }
    // The endpoint itself is unusable (wrong key, model or URL): stop the whole job.
    bool fatal() const { return m_kind == Kind::Http && (m_status == 401 || m_status == 403 || m_status == 404); }

private:
    Kind m_kind;
    long m_status;
    int m_attempts;
    LlmExchange m_exchange;
};

class LlmClient {
public:
    // cache may be null (no caching). The client owns its HTTP connection pool.
    explicit LlmClient(EndpointProfile profile, CallCache* cache = nullptr, RetryPolicy retry = {});
    ~LlmClient();
    LlmClient(const LlmClient&) = delete;
    LlmClient& operator=(const LlmClient&) = delete;

    ChatResponse chat(const ChatRequest& request, const StopToken& stop = StopToken(), int64_t jobId = 0);

    const EndpointProfile& profile() const { return m_profile; }
    void setMaxInFlight(int n);          // e.g. from --concurrency; per server with replicas

    // The exact JSON body chat() sends for `request` (no secrets; those go in headers).
    nlohmann::json requestBody(const ChatRequest& request) const;
    // The cache key of `request`.
    std::string requestHash(const ChatRequest& request) const;
    // Masks this profile's key (and key-like strings) in any text.
    std::string mask(const std::string& text) const;

    struct Counters {
        int64_t requests = 0;        // answered requests (successes)
        int64_t attempts = 0;        // HTTP attempts made, failures included
        int64_t retries = 0;
        int64_t cacheHits = 0;
        int64_t failures = 0;        // calls that ended in LlmError
        int64_t promptTokens = 0;
        int64_t completionTokens = 0;
        double cost = 0.0;
    };
    Counters counters() const;
    // Per server (baseUrl, then the profile's replicas): attempts, failures, health.
    std::vector<ReplicaStats> replicaStats() const;

private:
    ChatResponse parseReply(const std::string& body, std::string& problem) const;

    EndpointProfile m_profile;
    CallCache* m_cache;
    RetryPolicy m_retry;
    std::unique_ptr<ReplicaSet> m_servers;
    mutable std::mutex m_countersMutex;
    Counters m_counters;
    std::atomic<uint64_t> m_rngCounter{0};
};

// For the endpoint settings "Test connection" button and `hindsight endpoint test`:
// one tiny uncached request. Never throws; ok=false with a masked message on failure.
struct ConnectionTest {
    bool ok = false;
    std::string message;      // "OK: 'pong' in 312 ms (model gpt-4o-mini)" or the error
    double latencyMs = 0.0;
};
ConnectionTest testConnection(const EndpointProfile& profile, const StopToken& stop = StopToken());

} // namespace hw
