#pragma once
// Values exchanged with an OpenAI-compatible /v1/chat/completions endpoint.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hw {

struct ChatMessage {
    std::string role;     // "system" | "user" | "assistant"
    std::string content;
};

struct ChatRequest {
    std::vector<ChatMessage> messages;
    std::optional<double> temperature;  // nullopt = the profile's
    std::optional<int> maxTokens;       // nullopt = the profile's
    std::optional<uint64_t> seed;       // sent as "seed" when the profile allows; part of the key
    int sampleIndex = 0;                // distinct samples of one prompt get distinct cache keys
    std::string label;                  // names the call in errors, e.g. "relabel d:12"
    bool useCache = true;               // false: always send, and do not record (connection tests)
};

struct ChatResponse {
    std::string content;
    std::string finishReason;           // "stop", "length", ...
    int64_t promptTokens = 0;
    int64_t completionTokens = 0;
    double latencyMs = 0.0;             // of the successful attempt (the original one for replays)
    double cost = 0.0;                  // of this call as sent; 0 for a cache replay
    bool fromCache = false;
    int64_t callId = 0;                 // llm_calls.id (0 without a cache)
    int attempts = 0;                   // 0 for a cache replay
    std::string requestHash;
};

} // namespace hw
