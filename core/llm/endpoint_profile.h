#pragma once
// Named settings for an OpenAI-compatible chat endpoint (OpenAI, vLLM, Ollama, llama.cpp server),
// kept in the user's config folder as endpoints.json:
//
//   {"profiles": [{"name": "local-vllm", "baseUrl": "http://127.0.0.1:8000/v1",
//                  "model": "meta-llama/Llama-3.1-8B-Instruct", "apiKeyEnv": "",
//                  "temperature": 0.7, "maxTokens": 1024, "timeoutS": 120, "maxInFlight": 32,
//                  "pricePromptPer1k": 0, "priceCompletionPer1k": 0}]}
//
// The API key itself is never stored: a profile names the environment variable that holds it.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

struct EndpointProfile {
    std::string name;                 // unique among profiles; "" for ad-hoc (--endpoint URL)
    std::string baseUrl;              // up to /v1, e.g. "https://api.openai.com/v1"
    std::string model;
    std::string apiKeyEnv;            // e.g. "OPENAI_API_KEY"; "" = send no Authorization header
    double temperature = 0.7;
    int maxTokens = 1024;
    double timeoutS = 120.0;          // per attempt, connect included
    int maxInFlight = 8;              // requests in flight at once (--concurrency overrides)
    double pricePromptPer1k = 0.0;    // optional, any currency; 0 = cost not tracked
    double priceCompletionPer1k = 0.0;
    int maxAttempts = 5;              // tries per call (timeouts, connection errors, 429, 5xx)
    bool sendSeed = true;             // send "seed" (OpenAI, vLLM, llama.cpp accept it)
    nlohmann::json extraBody = nlohmann::json::object(); // merged into each request, e.g. {"top_p":0.9}
    // More servers of the same model (e.g. vLLM replicas): requests are spread over baseUrl and
    // these by requests in flight, maxInFlight each; a failing one is taken out for a while
    // (core/llm/replica_set.h). Cached calls are keyed by the model, not by the server.
    std::vector<std::string> replicas;

    // "<baseUrl>/chat/completions" (baseUrl may already end with /chat/completions).
    std::string chatCompletionsUrl() const;
    // The chat completions URL of baseUrl, then of each replica.
    std::vector<std::string> chatCompletionsUrls() const;
    // The key from the environment; "" when apiKeyEnv is empty or unset.
    std::string apiKey() const;
    double costOf(int64_t promptTokens, int64_t completionTokens) const;
    // Throws hw::Error naming the profile and the bad field.
    void validate() const;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EndpointProfile, name, baseUrl, replicas, model, apiKeyEnv,
                                                temperature, maxTokens, timeoutS, maxInFlight,
                                                pricePromptPer1k, priceCompletionPer1k, maxAttempts,
                                                sendSeed, extraBody)

class EndpointProfiles {
public:
    static std::string defaultPath();   // userConfigDir() + "/endpoints.json"

    // A missing file gives an empty set; a malformed one throws hw::Error naming the file.
    static EndpointProfiles load(const std::string& path = defaultPath());
    // Writes atomically (temporary file + rename), creating the folder. Throws hw::Error.
    void save(const std::string& path = defaultPath()) const;

    const std::vector<EndpointProfile>& all() const { return m_profiles; }
    std::optional<EndpointProfile> find(const std::string& name) const;
    void upsert(EndpointProfile profile);   // validates; replaces the profile of the same name
    bool remove(const std::string& name);

private:
    std::vector<EndpointProfile> m_profiles;
};

// What --endpoint/--model mean on the command line: a base URL ("http://..."/"https://...") gives
// an ad-hoc profile with `model` (required); anything else is a saved profile's name, and a
// non-empty `model` overrides its model. Throws hw::Error for an unknown name or missing model.
EndpointProfile resolveEndpoint(const std::string& nameOrUrl, const std::string& model,
                                const EndpointProfiles& profiles);

} // namespace hw
