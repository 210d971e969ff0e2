#pragma once
// When and how long to wait before trying an LLM request again.
#include <ctime>
#include <optional>
#include <random>
#include <string>

namespace hw {

struct RetryPolicy {
    int maxAttempts = 5;              // total tries per call (the profile's maxAttempts wins)
    double baseDelayMs = 500.0;       // first backoff; doubles per attempt
    double maxDelayMs = 30000.0;
    double jitter = 0.25;             // backoff scaled by a random factor in [1 - j, 1 + j]
    double maxRetryAfterMs = 120000.0;// a server asking for more than this is capped

    // 429 and every 5xx; no other 4xx (not even 408/409).
    static bool retryableStatus(long status);
    // Retry-After as delta-seconds ("2", "0.5") or an HTTP-date; nullopt when unparseable.
    static std::optional<double> parseRetryAfterMs(const std::string& value, std::time_t now = std::time(nullptr));

    // Delay before the next try after `attempt` (1-based) failed. A server's Retry-After is
    // honoured (never waited less, plus up to `jitter` extra so clients do not come back in step);
    // otherwise exponential backoff with jitter.
    double delayMs(int attempt, std::optional<double> retryAfterMs, std::mt19937_64& rng) const;
};

} // namespace hw
