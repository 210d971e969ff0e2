#pragma once
// `hindsight serve`: a local checkpoint behind an OpenAI-compatible API, so any OpenAI client
// (our own pipeline's LlmClient included) can talk to it.
//
//   GET  /v1/models             {"object":"list","data":[{"id":NAME,"object":"model",...}]}
//   POST /v1/chat/completions   messages -> dialogue -> the next agent turn
//   GET  /health                "ok"
//   GET  /metrics               Prometheus text: requests, tokens/s, batch occupancy, queue length
//
// Messages map onto the dialogue format (dialogue_codec.h): "system" messages are the context
// prefix, "user" turns are user turns (states, </s>), "assistant" turns are agent turns
// (actions, </a>); the reply is the agent turn the model writes next, up to its </a>.
// Supported request fields: messages, model (any; echoed as our name), temperature (0 = greedy),
// top_p, top_k (extension), max_tokens / max_completion_tokens, seed, n (batched samples),
// beta (extension: ILQL servers only), stop (strings; not applied while streaming), stream (server-sent events, OpenAI chunk format,
// ending with "data: [DONE]"). Unknown fields are ignored, as OpenAI-compatible servers do.
// Errors are OpenAI-shaped: {"error":{"message","type","param","code"}} with 400/404/405/500.
//
// Hostile input (see chat_http_guard.h for Host/Origin/token/Content-Type, http_server.h for
// framing): bodies over maxBodyBytes get 413; a prompt longer than the model's context, numbers
// out of range or not finite, invalid JSON or UTF-8 get 400 naming the field; a request that
// cannot get its share of the in-flight budget gets 429 (413 if it never could). Client errors
// are never 500. /v1/models names the model, never a path on this machine.
#include "core/util/progress.h"

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

struct ChatServerOptions {
    std::string checkpoint;          // checkpoint or run directory (a model directory)
    std::string device;              // "" = default device
    std::string host = "127.0.0.1";  // loopback by default; "0.0.0.0" exposes it
    uint16_t port = 8000;            // 0 = an ephemeral port (tests)
    std::string modelName;           // "" = the checkpoint directory's name
    int64_t defaultMaxTokens = 128;
    double defaultTemperature = 1.0;
    int maxN = 8;                    // most samples per request
    std::string apiKey;              // "" = no authentication; else clients send "Bearer KEY"
    std::vector<std::string> allowedHosts; // extra names accepted in the Host header
    size_t maxBodyBytes = 4u << 20;  // a chat request body
    int64_t maxInFlightTokens = 0;   // token positions reserved by requests at once; 0 = 64 x context
    int maxConnectionsPerClient = 32;
    int headerTimeoutMs = 10000;     // whole request head, from its first byte
    // Set: ILQL decoding (the checkpoint must have value heads) with this β by default; a request
    // may send "beta" (extension field). Unset: π_β, and a request's "beta" is refused.
    std::optional<double> beta;
    // Continuous batching (core/gen/generation_engine.h; float32 CPU models): concurrent requests
    // decode together in up to maxBatch KV slots; up to maxQueue more wait, beyond that 429.
    // Other devices/dtypes, and ILQL with a separate value trunk, generate one request at a time.
    bool continuousBatching = true;
    int64_t maxBatch = 16;
    int64_t maxQueue = 64;
};

class LocalChatServer {
public:
    // Loads the checkpoint (throws hw::Error naming what is wrong); does not listen yet.
    explicit LocalChatServer(ChatServerOptions options);
    ~LocalChatServer();
    LocalChatServer(const LocalChatServer&) = delete;
    LocalChatServer& operator=(const LocalChatServer&) = delete;

    void start();                    // binds; throws hw::Error when the address is taken
    void stop();
    std::string baseUrl() const;     // "http://127.0.0.1:PORT" (clients add /v1)
    uint16_t port() const;
    const std::string& modelName() const;
    uint64_t requestsServed() const;

    // The non-streaming completion for a request body (what POST /v1/chat/completions answers).
    // Throws hw::Error for an invalid request (the server turns it into a 400).
    nlohmann::json complete(const nlohmann::json& request);

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace hw
