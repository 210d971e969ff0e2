#include "core/pipeline/stage_description.h"

#include "core/util/error.h"

namespace hw {

StageBackend StageBackend::llm(const EndpointProfile& p, int fewShots)
{
    StageBackend b;
    b.kind = "llm";
    b.profile = p.name;
    // Always the full URL: `--endpoint http://host/v1` and a recorded ".../chat/completions" are
    // the same endpoint, and must make the same job.
    b.endpoint = p.chatCompletionsUrl();
    b.model = p.model;
    b.temperature = p.temperature;
    b.maxTokens = p.maxTokens;
    b.sendSeed = p.sendSeed;
    b.extraBody = p.extraBody.is_object() ? p.extraBody : nlohmann::json::object();
    b.fewShots = fewShots;
    b.apiKeyEnv = p.apiKeyEnv;
    b.timeoutS = p.timeoutS;
    b.maxAttempts = p.maxAttempts;
    b.maxInFlight = p.maxInFlight;
    b.pricePromptPer1k = p.pricePromptPer1k;
    b.priceCompletionPer1k = p.priceCompletionPer1k;
    return b;
}

StageBackend StageBackend::retrieval()
{
    StageBackend b;
    b.kind = "retrieval";
    return b;
}

StageBackend StageBackend::local(const std::string& checkpoint, const std::string& device)
{
    StageBackend b;
    b.kind = "checkpoint";
    b.checkpoint = checkpoint;
    b.device = device;
    return b;
}

EndpointProfile StageBackend::endpointProfile(const EndpointProfiles& profiles) const
{
    if (kind != "llm")
        throw Error("the " + kind + " backend has no endpoint");
    EndpointProfile p;
    std::optional<EndpointProfile> saved;
    if (!profile.empty())
        saved = profiles.find(profile);
    if (saved) {
        p = *saved;
    } else {
        p.name = profile;
        p.apiKeyEnv = apiKeyEnv;
    }
    // How the run reached the endpoint is the run's too: a job started with `--profile X
    // --max-attempts 1` resumes with one attempt per call, whatever the saved profile says now.
    p.timeoutS = timeoutS;
    p.maxAttempts = maxAttempts;
    p.maxInFlight = maxInFlight;
    p.pricePromptPer1k = pricePromptPer1k;
    p.priceCompletionPer1k = priceCompletionPer1k;
    // What the replies depend on comes from the record, so cached calls replay.
    if (!endpoint.empty())
        p.baseUrl = endpoint;
    p.model = model;
    p.temperature = temperature;
    p.maxTokens = maxTokens;
    p.sendSeed = sendSeed;
    p.extraBody = extraBody.is_object() ? extraBody : nlohmann::json::object();
    // The variable the run read its key from (an ad-hoc `--endpoint URL --api-key-env VAR`).
    if (!apiKeyEnv.empty())
        p.apiKeyEnv = apiKeyEnv;
    return p;
}

std::string StageBackend::summary() const
{
    if (kind == "llm")
        return "llm " + model + " @ " + (profile.empty() ? endpoint : profile);
    if (kind == "checkpoint")
        return "checkpoint " + checkpoint;
    return kind;
}

const StageBackend& StageDescription::backend(const std::string& r) const
{
    const auto it = backends.find(r);
    if (it == backends.end() || it->second.kind.empty())
        throw Error("stage " + kind + ": no backend for its " + r);
    return it->second;
}

bool StageDescription::has(const std::string& r) const
{
    const auto it = backends.find(r);
    return it != backends.end() && !it->second.kind.empty();
}

nlohmann::json StageDescription::identity() const
{
    nlohmann::json j = *this;
    j.erase("concurrency");
    for (auto& [name, b] : j["backends"].items()) {
        (void)name;
        for (const char* k : {"apiKeyEnv", "timeoutS", "maxAttempts", "maxInFlight", "pricePromptPer1k",
                              "priceCompletionPer1k", "device"})
            b.erase(k);
    }
    return j;
}

std::optional<StageBackend> backendFromLegacy(const nlohmann::json& d, int fewShots)
{
    if (!d.is_object())
        return std::nullopt;
    const std::string k = d.value("kind", std::string("llm"));
    if (k == "retrieval")
        return StageBackend::retrieval();
    if (k == "local" || k == "reward_model" || k == "checkpoint")
        return StageBackend::local(d.value("checkpoint", std::string()));
    if (k != "llm" || !d.contains("endpoint") || !d["endpoint"].is_string())
        return std::nullopt;
    EndpointProfile p;
    p.name = d.value("profile", std::string());
    p.baseUrl = d["endpoint"].get<std::string>();
    p.model = d.value("model", std::string());
    if (d.contains("temperature") && d["temperature"].is_number())
        p.temperature = d["temperature"].get<double>();
    if (d.contains("max_tokens") && d["max_tokens"].is_number_integer())
        p.maxTokens = d["max_tokens"].get<int>();
    p.apiKeyEnv = d.value("api_key_env", std::string());
    return StageBackend::llm(p, fewShots);
}

std::optional<StageBackend> legacyStageBackend(const nlohmann::json& stage, const std::string& legacyRole, int fewShots)
{
    if (!stage.is_object())
        return std::nullopt;
    if (stage.contains(legacyRole))
        return backendFromLegacy(stage[legacyRole], fewShots);
    if (stage.contains("endpoint"))
        return backendFromLegacy(stage, fewShots);
    return std::nullopt;
}

} // namespace hw
