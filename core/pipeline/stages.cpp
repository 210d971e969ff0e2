#include "core/pipeline/stages.h"

namespace hw {

StageUsage& StageUsage::operator+=(const StageUsage& o)
{
    requests += o.requests;
    cacheHits += o.cacheHits;
    retries += o.retries;
    promptTokens += o.promptTokens;
    completionTokens += o.completionTokens;
    cost += o.cost;
    latencyMs += o.latencyMs;
    callIds.insert(callIds.end(), o.callIds.begin(), o.callIds.end());
    return *this;
}

nlohmann::json StageUsage::toJson() const
{
    return {{"requests", requests},
            {"cache_hits", cacheHits},
            {"retries", retries},
            {"prompt_tokens", promptTokens},
            {"completion_tokens", completionTokens},
            {"cost", cost},
            {"latency_ms", latencyMs}};
}

} // namespace hw
