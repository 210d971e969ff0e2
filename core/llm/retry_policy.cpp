#include "core/llm/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace hw {

bool RetryPolicy::retryableStatus(long status)
{
    // The rule: no retry on any 4xx but 429. 408 and 409 included: a server that means
    // "busy" says 429 or 503, and retrying a request it calls conflicting or too slow only
    // repeats the failure (our own timeouts are retried separately, as transport errors).
    return status == 429 || (status >= 500 && status <= 599);
}

std::optional<double> RetryPolicy::parseRetryAfterMs(const std::string& value, std::time_t now)
{
    std::string v = value;
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
        v.pop_back();
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
        v.erase(v.begin());
    if (v.empty())
        return std::nullopt;
    char* end = nullptr;
    const double secs = std::strtod(v.c_str(), &end);
    if (end && *end == '\0') {
        if (!std::isfinite(secs) || secs < 0)
            return std::nullopt;
        return secs * 1000.0;
    }
    // IMF-fixdate: "Wed, 21 Oct 2015 07:28:00 GMT"
    std::tm tm{};
    const char* rest = strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!rest)
        return std::nullopt;
    const std::time_t when = timegm(&tm);
    return std::max(0.0, std::difftime(when, now) * 1000.0);
}

double RetryPolicy::delayMs(int attempt, std::optional<double> retryAfterMs, std::mt19937_64& rng) const
{
    std::uniform_real_distribution<double> u(0.0, 1.0);
    if (retryAfterMs)
        return std::min(maxRetryAfterMs, *retryAfterMs * (1.0 + jitter * u(rng)));
    const double backoff = std::min(maxDelayMs, baseDelayMs * std::pow(2.0, std::max(0, attempt - 1)));
    return std::max(0.0, backoff * (1.0 - jitter + 2.0 * jitter * u(rng)));
}

} // namespace hw
