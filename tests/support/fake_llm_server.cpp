#include "fake_llm_server.h"

#include "core/llm/sha256.h"

#include <chrono>
#include <sstream>

namespace hwtest {
namespace {

std::vector<std::string> lines(const std::string& s)
{
    std::vector<std::string> out;
    std::istringstream in(s);
    std::string line;
    while (std::getline(in, line))
        out.push_back(line);
    return out;
}

} // namespace

FakeReply FakeReply::text(std::string content)
{
    FakeReply r;
    r.content = std::move(content);
    return r;
}

FakeReply FakeReply::error(int code, hw::HttpHeaders headers, std::string body)
{
    FakeReply r;
    r.status = code;
    r.headers = std::move(headers);
    r.rawBody = std::move(body);
    return r;
}

FakeReply FakeReply::malformed(std::string body)
{
    FakeReply r;
    r.rawBody = std::move(body);
    return r;
}

FakeReply FakeReply::slow(int delayMs, std::string content)
{
    FakeReply r;
    r.delayMs = delayMs;
    r.content = std::move(content);
    return r;
}

std::string FakeCall::prompt() const
{
    std::string out;
    for (const auto& [role, content] : messages)
        out += content + "\n\n";
    return out;
}

FakeLlmServer::FakeLlmServer() : FakeLlmServer(&FakeLlmServer::pipelineResponder) {}

FakeLlmServer::FakeLlmServer(Responder responder) : m_responder(std::move(responder))
{
    m_server = std::make_unique<hw::HttpServer>([this](const hw::HttpServerRequest& r) { return handle(r); });
    m_server->start();
}

FakeLlmServer::~FakeLlmServer()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
    }
    m_cv.notify_all();
    m_server->stop();
}

std::string FakeLlmServer::baseUrl() const { return m_server->baseUrl() + "/v1"; }
uint16_t FakeLlmServer::port() const { return m_server->port(); }

void FakeLlmServer::setResponder(Responder responder)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_responder = std::move(responder);
}

void FakeLlmServer::enqueue(FakeReply reply)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_queue.push_back(std::move(reply));
}

void FakeLlmServer::setLatencyMs(int ms)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_latencyMs = ms;
}

void FakeLlmServer::holdAfter(int64_t n)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_holdAfter = n;
    m_released = false;
    m_drop = false;
}

void FakeLlmServer::release()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_released = true;
        m_holdAfter = -1;
    }
    m_cv.notify_all();
}

void FakeLlmServer::dropHeld()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_drop = true;
    }
    m_cv.notify_all();
    // Wait until the held handlers have left.
    std::unique_lock<std::mutex> lock(m_mutex);
    m_cv.wait_for(lock, std::chrono::seconds(10), [&] { return m_held == 0; });
    m_drop = false;
    m_holdAfter = -1;
}

int64_t FakeLlmServer::held() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_held;
}
int64_t FakeLlmServer::received() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_received;
}
int64_t FakeLlmServer::answered() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_answered;
}
int64_t FakeLlmServer::faults() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_faults;
}
int FakeLlmServer::maxConcurrent() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_maxConcurrent;
}
std::vector<FakeCall> FakeLlmServer::calls() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_calls;
}
std::map<std::string, int> FakeLlmServer::answeredByHash() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_answeredByHash;
}
int64_t FakeLlmServer::duplicateAnswers() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    int64_t d = 0;
    for (const auto& [h, n] : m_answeredByHash)
        d += n - 1;
    return d;
}
void FakeLlmServer::resetCounters()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_received = m_answered = m_faults = 0;
    m_maxConcurrent = 0;
    m_calls.clear();
    m_answeredByHash.clear();
}

std::string FakeLlmServer::chatCompletionJson(const std::string& content, int64_t promptTokens,
                                              int64_t completionTokens, const std::string& model)
{
    nlohmann::json j = {
        {"id", "chatcmpl-fake"},
        {"object", "chat.completion"},
        {"created", 0},
        {"model", model},
        {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", content}}}, {"finish_reason", "stop"}}}},
        {"usage",
         {{"prompt_tokens", promptTokens}, {"completion_tokens", completionTokens}, {"total_tokens", promptTokens + completionTokens}}}};
    return j.dump();
}

hw::HttpServerResponse FakeLlmServer::handle(const hw::HttpServerRequest& req)
{
    FakeCall call;
    call.path = req.path;
    call.headers = req.headers;
    call.body = req.body;
    call.bodyHash = hw::sha256Hex(req.body);
    call.json = nlohmann::json::parse(req.body, nullptr, false);
    if (call.json.is_discarded())
        call.json = nullptr;
    if (call.json.is_object()) {
        call.model = call.json.value("model", "");
        if (call.json.contains("messages") && call.json["messages"].is_array())
            for (const auto& m : call.json["messages"])
                if (m.is_object())
                    call.messages.emplace_back(m.value("role", ""), m.value("content", ""));
    }
    FakeReply reply;
    int latency = 0;
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        call.seq = m_received++;
        m_calls.push_back(call);
        ++m_concurrent;
        m_maxConcurrent = std::max(m_maxConcurrent, m_concurrent);
        if (m_holdAfter >= 0 && m_answered >= m_holdAfter) {
            ++m_held;
            m_cv.notify_all();
            m_cv.wait(lock, [&] { return m_released || m_drop || m_stopping || req.stopping(); });
            --m_held;
            m_cv.notify_all();
            if (m_drop || m_stopping || req.stopping()) {
                --m_concurrent;
                auto r = hw::HttpServerResponse::json(503, "{\"error\":\"dropped\"}");
                r.closeConnection = true;
                return r;
            }
        }
        latency = m_latencyMs;
        if (!m_queue.empty()) {
            reply = m_queue.front();
            m_queue.erase(m_queue.begin());
        } else {
            auto responder = m_responder;
            lock.unlock();
            reply = responder(call);
            lock.lock();
        }
    }
    if (req.path != "/v1/chat/completions" && !reply.rawBody) {
        reply = FakeReply::error(404, {}, "{\"error\":\"unknown path " + req.path + "\"}");
    }
    const int wait = latency + reply.delayMs;
    if (wait > 0) {
        // Sleep, but let the server stop early.
        std::unique_lock<std::mutex> lock(m_mutex);
        m_cv.wait_for(lock, std::chrono::milliseconds(wait), [&] { return m_stopping || req.stopping(); });
    }
    hw::HttpServerResponse resp;
    resp.status = reply.status;
    resp.headers = reply.headers;
    resp.headers.emplace_back("Content-Type", "application/json");
    bool ok = false;
    if (reply.rawBody) {
        resp.body = *reply.rawBody;
    } else {
        int64_t promptChars = 0;
        for (const auto& m : call.messages)
            promptChars += static_cast<int64_t>(m.second.size());
        const int64_t pt = reply.promptTokens >= 0 ? reply.promptTokens : promptChars / 4 + 1;
        const int64_t ct = reply.completionTokens >= 0 ? reply.completionTokens
                                                        : static_cast<int64_t>(reply.content.size()) / 4 + 1;
        resp.body = chatCompletionJson(reply.content, pt, ct, call.model);
        ok = reply.status == 200;
    }
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        --m_concurrent;
        if (ok) {
            ++m_answered;
            ++m_answeredByHash[call.bodyHash];
        } else {
            ++m_faults;
        }
    }
    m_cv.notify_all();
    return resp;
}

FakeReply FakeLlmServer::pipelineResponder(const FakeCall& call)
{
    const std::string prompt = call.prompt();
    const uint64_t seed = call.json.is_object() && call.json.contains("seed") && call.json["seed"].is_number_unsigned()
                              ? call.json["seed"].get<uint64_t>()
                              : 0;
    auto has = [&](const char* s) { return prompt.find(s) != std::string::npos; };
    if (has("Unfinished: <yes or no>"))
        return FakeReply::text("The persuadee states a decision at the end.\nUnfinished: no");
    if (has("Final Donation Amount: <"))
        return FakeReply::text("They agree to give a dollar.\nFinal Donation Amount: $" + std::to_string(seed % 3) + ".00");
    if (has("Final Emotional Intensity: <"))
        return FakeReply::text("The seeker sounds calmer.\nFinal Emotional Intensity: " + std::to_string(1 + seed % 3));
    if (has("N. \"<")) {
        // Controller: quote the transcript's AI lines back.
        std::vector<std::string> agentLines;
        for (const auto& l : lines(prompt))
            if (l.rfind("AI: ", 0) == 0)
                agentLines.push_back(l.substr(4));
        std::string out = "Here are my suggestions:\n";
        int n = 0;
        for (const auto& l : agentLines) {
            if (n == 3)
                break;
            ++n;
            out += std::to_string(n) + ". \"" + l + "\";Could acknowledge the other person first;\"I hear you. " + l
                   + "\"/\n";
        }
        if (n == 0)
            out = "I cannot find any utterance to improve.";
        return FakeReply::text(out);
    }
    if (has("Conversation so far:"))
        return FakeReply::text("H: That is a fair point.\nAI: Thank you for hearing me out.\nH: Alright, I will do it.");
    if (has("persona:"))
        return FakeReply::text("AI: Hello, do you have a minute?\nH: Sure, what is it about?\n"
                               "AI: I would like to tell you about a cause I care about.\nH: Go on then, I'm listening.");
    return FakeReply::text("pong");
}

} // namespace hwtest
