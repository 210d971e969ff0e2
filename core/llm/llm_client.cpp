#include "core/llm/llm_client.h"

#include "core/llm/endpoint_secrets.h"
#include "core/llm/replica_set.h"
#include "core/llm/sha256.h"
#include "core/net/http_client.h"
#include "core/net/redact.h"

#include <chrono>
#include <cmath>
#include <thread>

namespace hw {
namespace {

// Sleeps up to ms, waking early (and throwing) when stop is requested.
void interruptibleSleep(double ms, const StopToken& stop)
{
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(static_cast<int64_t>(ms * 1000));
    while (std::chrono::steady_clock::now() < until) {
        if (stop.stopRequested())
            throw Cancelled();
        const auto left = until - std::chrono::steady_clock::now();
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(10)));
    }
    if (stop.stopRequested())
        throw Cancelled();
}

// Cuts text to at most maxBytes on a UTF-8 boundary, saying how much was left out.
std::string cutUtf8(const std::string& text, size_t maxBytes)
{
    if (text.size() <= maxBytes)
        return text;
    size_t n = maxBytes;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80)
        --n;
    return text.substr(0, n) + "\n… (" + std::to_string(text.size() - n) + " more bytes not kept)";
}

} // namespace

nlohmann::json LlmExchange::toJson() const
{
    return {{"endpoint", endpoint}, {"model", model},     {"request", request},  {"status", status},
            {"reply", reply},       {"problem", problem}, {"attempts", attempts}};
}

LlmClient::LlmClient(EndpointProfile profile, CallCache* cache, RetryPolicy retry)
    : m_profile(std::move(profile)), m_cache(cache), m_retry(retry),
      m_servers(std::make_unique<ReplicaSet>(m_profile.chatCompletionsUrls(), m_profile.maxInFlight))
{
    m_profile.validate();
    requireApiKey(m_profile);
}

LlmClient::~LlmClient() = default;

void LlmClient::setMaxInFlight(int n)
{
    m_profile.maxInFlight = std::max(1, n);
    m_servers->setMaxInFlight(m_profile.maxInFlight);
}

std::vector<ReplicaStats> LlmClient::replicaStats() const { return m_servers->stats(); }

nlohmann::json LlmClient::requestBody(const ChatRequest& request) const
{
    nlohmann::json body = nlohmann::json::object();
    for (auto it = m_profile.extraBody.begin(); it != m_profile.extraBody.end(); ++it)
        body[it.key()] = it.value();
    body["model"] = m_profile.model;
    nlohmann::json messages = nlohmann::json::array();
    for (const auto& m : request.messages)
        messages.push_back({{"role", m.role}, {"content", m.content}});
    body["messages"] = std::move(messages);
    body["temperature"] = request.temperature.value_or(m_profile.temperature);
    body["max_tokens"] = request.maxTokens.value_or(m_profile.maxTokens);
    if (request.seed && m_profile.sendSeed)
        body["seed"] = *request.seed;
    body["stream"] = false;
    return body;
}

namespace {

// The cache key: URL, body as sent, and seed and sample index (part of the key even when the
// seed is not sent: distinct samples of one prompt must never replay each other).
std::string hashOf(const std::string& url, const std::string& bodyText, const ChatRequest& request)
{
    Sha256 h;
    h.update(url);
    h.update("\n");
    h.update(bodyText);
    h.update("\nseed=");
    h.update(request.seed ? std::to_string(*request.seed) : std::string("none"));
    h.update("\nsample=");
    h.update(std::to_string(request.sampleIndex));
    return h.hexDigest();
}

} // namespace

// With replicas the key names the model, not a server: any replica's answer is the model's.
static std::string cacheUrlOf(const EndpointProfile& p)
{
    return p.replicas.empty() ? p.chatCompletionsUrl() : "replicas-of:" + p.model;
}

std::string LlmClient::requestHash(const ChatRequest& request) const
{
    return hashOf(cacheUrlOf(m_profile), requestBody(request).dump(), request);
}

std::string LlmClient::mask(const std::string& text) const
{
    return maskSecrets(text, {m_profile.apiKey()});
}

ChatResponse LlmClient::parseReply(const std::string& body, std::string& problem) const
{
    ChatResponse out;
    nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded()) {
        problem = "reply is not valid JSON";
        return out;
    }
    if (!j.is_object() || !j.contains("choices") || !j["choices"].is_array() || j["choices"].empty()) {
        problem = j.is_object() && j.contains("error") ? "reply is an error object" : "reply has no choices";
        return out;
    }
    const auto& choice = j["choices"][0];
    if (!choice.is_object() || !choice.contains("message") || !choice["message"].is_object()
        || !choice["message"].contains("content") || !choice["message"]["content"].is_string()) {
        problem = "reply has no choices[0].message.content string";
        return out;
    }
    out.content = choice["message"]["content"].get<std::string>();
    if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
        out.finishReason = choice["finish_reason"].get<std::string>();
    if (j.contains("usage") && j["usage"].is_object()) {
        const auto& u = j["usage"];
        if (u.contains("prompt_tokens") && u["prompt_tokens"].is_number_integer())
            out.promptTokens = u["prompt_tokens"].get<int64_t>();
        if (u.contains("completion_tokens") && u["completion_tokens"].is_number_integer())
            out.completionTokens = u["completion_tokens"].get<int64_t>();
    }
    return out;
}

ChatResponse LlmClient::chat(const ChatRequest& request, const StopToken& stop, int64_t jobId)
{
    if (stop.stopRequested())
        throw Cancelled();
    const nlohmann::json body = requestBody(request);
    const std::string bodyText = body.dump();
    std::string url = m_profile.chatCompletionsUrl(); // of the attempt's server
    const std::string hash = hashOf(cacheUrlOf(m_profile), bodyText, request);
    const bool cached = m_cache && request.useCache;

    if (cached) {
        if (auto rec = m_cache->find(hash)) {
            ChatResponse out;
            std::string problem;
            out = parseReply(rec->response, problem);
            out.content = rec->content;
            out.promptTokens = rec->promptTokens;
            out.completionTokens = rec->completionTokens;
            out.latencyMs = rec->latencyMs;
            out.cost = 0.0;
            out.fromCache = true;
            out.callId = rec->id;
            out.requestHash = hash;
            std::lock_guard<std::mutex> lock(m_countersMutex);
            ++m_counters.cacheHits;
            return out;
        }
    }

    HttpRequest http;
    http.method = "POST";
    http.url = url;
    http.body = bodyText;
    http.timeoutMs = static_cast<long>(std::lround(m_profile.timeoutS * 1000.0));
    http.connectTimeoutMs = std::min<long>(http.timeoutMs, 15000);
    http.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    const std::string key = m_profile.apiKey();
    if (!key.empty())
        http.headers.emplace_back("Authorization", "Bearer " + key);

    auto who = [&] {
        return "POST " + url + " (model " + m_profile.model + (request.label.empty() ? "" : ", " + request.label) + ")";
    };
    const bool several = m_servers->size() > 1;
    const int maxAttempts = std::max(1, m_profile.maxAttempts);
    std::mt19937_64 rng(std::hash<std::string>()(hash) ^ (++m_rngCounter * 0x9E3779B97F4A7C15ull));
    std::string lastProblem;
    long lastStatus = 0;
    std::string lastBody;
    LlmError::Kind lastKind = LlmError::Kind::Exhausted;
    // What the jobs panel shows for the failed call (the cache only keeps answered ones).
    auto exchange = [&](int attempts) {
        LlmExchange x;
        x.endpoint = mask(url);
        x.model = m_profile.model;
        x.request = mask(bodyText);
        x.status = lastStatus;
        x.reply = mask(cutUtf8(lastBody, LlmExchange::kMaxReplyBytes));
        x.problem = mask(lastProblem);
        x.attempts = attempts;
        return x;
    };

    for (int attempt = 1; attempt <= maxAttempts; ++attempt) {
        ReplicaSet::Lease server = m_servers->acquire();
        url = server.url();
        http.url = url;
        HttpResponse r = server.http().perform(http, stop); // throws Cancelled
        // A server that did not answer, or answered 429/5xx, is taken out for a while (replicas).
        const bool serverFailed = r.transportFailed() || RetryPolicy::retryableStatus(r.status);
        if (serverFailed)
            m_servers->failed(server.index());
        else
            m_servers->succeeded(server.index());
        {
            std::lock_guard<std::mutex> lock(m_countersMutex);
            ++m_counters.attempts;
            if (attempt > 1)
                ++m_counters.retries;
        }
        std::optional<double> retryAfter;
        lastStatus = r.status;
        lastBody = r.transportFailed() ? std::string() : r.body;
        if (r.transportFailed()) {
            lastKind = LlmError::Kind::Exhausted;
            lastProblem = r.failure == HttpResponse::Failure::Timeout
                              ? "timed out after " + std::to_string(static_cast<int>(m_profile.timeoutS * 1000)) + " ms"
                              : "connection failed: " + r.error;
            // Another replica may answer: try it at once; alone, an unreachable server is an error.
            if (r.failure == HttpResponse::Failure::Other && !(several && attempt < maxAttempts)) {
                std::lock_guard<std::mutex> lock(m_countersMutex);
                ++m_counters.failures;
                throw LlmError(mask(who() + ": attempt " + std::to_string(attempt) + "/" + std::to_string(maxAttempts)
                                    + ": " + lastProblem),
                               LlmError::Kind::Http, 0, attempt, exchange(attempt));
            }
        } else if (r.status >= 200 && r.status < 300) {
            std::string problem;
            ChatResponse out = parseReply(r.body, problem);
            if (problem.empty()) {
                out.latencyMs = r.latencyMs;
                out.cost = m_profile.costOf(out.promptTokens, out.completionTokens);
                out.attempts = attempt;
                out.requestHash = hash;
                if (cached) {
                    CallRecord rec;
                    rec.requestHash = hash;
                    rec.endpoint = url;
                    rec.model = m_profile.model;
                    rec.request = bodyText;
                    rec.response = r.body;
                    rec.content = out.content;
                    rec.promptTokens = out.promptTokens;
                    rec.completionTokens = out.completionTokens;
                    rec.latencyMs = out.latencyMs;
                    rec.cost = out.cost;
                    rec.jobId = jobId;
                    out.callId = m_cache->store(rec);
                }
                std::lock_guard<std::mutex> lock(m_countersMutex);
                ++m_counters.requests;
                m_counters.promptTokens += out.promptTokens;
                m_counters.completionTokens += out.completionTokens;
                m_counters.cost += out.cost;
                return out;
            }
            lastKind = LlmError::Kind::BadReply;
            lastProblem = "HTTP " + std::to_string(r.status) + ": " + problem + ": " + excerpt(r.body);
        } else if (RetryPolicy::retryableStatus(r.status)) {
            lastKind = LlmError::Kind::Exhausted;
            lastProblem = "HTTP " + std::to_string(r.status) + ": " + excerpt(r.body);
            if (auto ms = r.header("retry-after-ms")) {
                char* end = nullptr;
                const double v = std::strtod(ms->c_str(), &end);
                if (end != ms->c_str() && v >= 0)
                    retryAfter = v;
            }
            if (!retryAfter)
                if (auto ra = r.header("Retry-After"))
                    retryAfter = RetryPolicy::parseRetryAfterMs(*ra);
        } else {
            {
                std::lock_guard<std::mutex> lock(m_countersMutex);
                ++m_counters.failures;
            }
            lastProblem = "HTTP " + std::to_string(r.status) + " (not retried)";
            throw LlmError(mask(who() + ": attempt " + std::to_string(attempt) + "/" + std::to_string(maxAttempts)
                                + ": HTTP " + std::to_string(r.status) + " (not retried): " + excerpt(r.body)),
                           LlmError::Kind::Http, r.status, attempt, exchange(attempt));
        }
        // With another replica in service the next attempt goes there without waiting.
        if (attempt < maxAttempts && !(several && serverFailed && m_servers->healthyCount() > 0))
            interruptibleSleep(m_retry.delayMs(attempt, retryAfter, rng), stop);
    }
    {
        std::lock_guard<std::mutex> lock(m_countersMutex);
        ++m_counters.failures;
    }
    throw LlmError(mask(who() + ": gave up after " + std::to_string(maxAttempts) + " attempts; last: " + lastProblem),
                   lastKind, lastStatus, maxAttempts, exchange(maxAttempts));
}

LlmClient::Counters LlmClient::counters() const
{
    std::lock_guard<std::mutex> lock(m_countersMutex);
    return m_counters;
}

namespace {

ConnectionTest testOneServer(const EndpointProfile& profile, const StopToken& stop)
{
    ConnectionTest out;
    try {
        EndpointProfile p = profile;
        p.maxAttempts = 1;
        p.maxInFlight = 1;
        p.timeoutS = std::min(p.timeoutS, 30.0);
        LlmClient client(p);
        ChatRequest req;
        req.messages = {{"user", "Reply with the single word: pong"}};
        req.maxTokens = 8;
        req.temperature = 0.0;
        req.useCache = false;
        req.label = "connection test";
        const ChatResponse r = client.chat(req, stop);
        out.ok = true;
        out.latencyMs = r.latencyMs;
        out.message = "OK: '" + excerpt(r.content, 40) + "' in " + std::to_string(static_cast<int>(r.latencyMs))
                      + " ms (model " + p.model + ")";
    } catch (const std::exception& e) {
        out.ok = false;
        out.message = maskSecrets(e.what(), {profile.apiKey()});
    }
    return out;
}

} // namespace

ConnectionTest testConnection(const EndpointProfile& profile, const StopToken& stop)
{
    if (profile.replicas.empty())
        return testOneServer(profile, stop);
    // Every server of the profile, each on its own: a dead replica is named, not hidden by failover.
    ConnectionTest out;
    out.ok = true;
    std::string failures;
    int answered = 0;
    for (const std::string& base : [&] {
             std::vector<std::string> all{profile.baseUrl};
             all.insert(all.end(), profile.replicas.begin(), profile.replicas.end());
             return all;
         }()) {
        EndpointProfile one = profile;
        one.baseUrl = base;
        one.replicas.clear();
        const ConnectionTest t = testOneServer(one, stop);
        if (t.ok) {
            ++answered;
            out.latencyMs = std::max(out.latencyMs, t.latencyMs);
        } else {
            out.ok = false;
            failures += (failures.empty() ? "" : "; ") + t.message;
        }
    }
    const int total = static_cast<int>(profile.replicas.size()) + 1;
    out.message = out.ok ? "OK: all " + std::to_string(total) + " servers answered (slowest "
                               + std::to_string(static_cast<int>(out.latencyMs)) + " ms, model " + profile.model + ")"
                         : std::to_string(answered) + " of " + std::to_string(total) + " servers answered: " + failures;
    return out;
}

} // namespace hw
