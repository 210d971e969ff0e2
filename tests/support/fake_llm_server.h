#pragma once
// A scriptable OpenAI-compatible /v1/chat/completions server for tests, on hw::HttpServer,
// running in the test process on an ephemeral port. Qt-free.
//
//   hwtest::FakeLlmServer server;                       // answers like a cooperative LLM
//   server.enqueue(FakeReply::error(429, {{"Retry-After", "1"}}));  // then faults, in order
//   profile.baseUrl = server.baseUrl();                 // "http://127.0.0.1:PORT/v1"
//   ...
//   QCOMPARE(server.answered(), 3);                     // counted at the server
//
// Default replies (pipelineResponder) recognise our prompt templates by the reply format they ask
// for: controller lists built from the transcript's AI lines, short continuations, reward lines,
// whole imagined dialogues. Every reply is a deterministic function of the request.
#include "core/net/http_server.h"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hwtest {

struct FakeReply {
    int status = 200;
    std::string content;                  // choices[0].message.content
    std::optional<std::string> rawBody;   // sent as is instead of a chat completion
    hw::HttpHeaders headers;              // e.g. {"Retry-After", "1"}
    int delayMs = 0;                      // wait before answering (to provoke timeouts)
    int64_t promptTokens = -1;            // -1: ~ characters / 4 of the request's messages
    int64_t completionTokens = -1;        // -1: ~ characters / 4 of content

    static FakeReply text(std::string content);
    static FakeReply error(int code, hw::HttpHeaders headers = {}, std::string body = "{\"error\":\"fault\"}");
    static FakeReply malformed(std::string body = "{\"choices\": [ this is not json");
    static FakeReply slow(int delayMs, std::string content = "OK");
};

struct FakeCall {
    int64_t seq = 0;                      // arrival order, from 0
    std::string path;
    hw::HttpHeaders headers;
    std::string body;
    nlohmann::json json;                  // parsed body (null when not JSON)
    std::string model;
    std::vector<std::pair<std::string, std::string>> messages; // (role, content)
    std::string bodyHash;                 // sha256 of body

    std::string prompt() const;           // every message's content, joined by blank lines
};

class FakeLlmServer {
public:
    using Responder = std::function<FakeReply(const FakeCall&)>;

    FakeLlmServer();                      // pipelineResponder()
    explicit FakeLlmServer(Responder responder);
    ~FakeLlmServer();
    FakeLlmServer(const FakeLlmServer&) = delete;
    FakeLlmServer& operator=(const FakeLlmServer&) = delete;

    std::string baseUrl() const;          // "http://127.0.0.1:PORT/v1"
    uint16_t port() const;

    void setResponder(Responder responder);
    void enqueue(FakeReply reply);        // served before the responder, first in first out
    void setLatencyMs(int ms);            // added before every reply

    // Gate: once `n` requests got a 200 reply, hold every further request until release()
    // (answer them) or dropHeld() (503, not counted as answered: for a client that was killed).
    void holdAfter(int64_t n);
    void release();
    void dropHeld();
    int64_t held() const;

    int64_t received() const;             // requests that arrived
    int64_t answered() const;             // 200 replies with a chat completion sent
    int64_t faults() const;               // non-200 or malformed replies sent
    int maxConcurrent() const;            // most requests in the handler at once
    std::vector<FakeCall> calls() const;  // every request, in arrival order
    // 200 replies per request body hash; a value above 1 means a finished call was sent again.
    std::map<std::string, int> answeredByHash() const;
    int64_t duplicateAnswers() const;     // sum over hashes of (count - 1)
    void resetCounters();

    // Replies for our prompt templates (see top of file).
    static FakeReply pipelineResponder(const FakeCall& call);
    static std::string chatCompletionJson(const std::string& content, int64_t promptTokens, int64_t completionTokens,
                                          const std::string& model);

private:
    hw::HttpServerResponse handle(const hw::HttpServerRequest& req);

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    Responder m_responder;
    std::vector<FakeReply> m_queue;
    int m_latencyMs = 0;
    int64_t m_holdAfter = -1;
    bool m_released = false;
    bool m_drop = false;
    int64_t m_held = 0;
    int64_t m_received = 0;
    int64_t m_answered = 0;
    int64_t m_faults = 0;
    int m_concurrent = 0;
    int m_maxConcurrent = 0;
    std::vector<FakeCall> m_calls;
    std::map<std::string, int> m_answeredByHash;
    bool m_stopping = false;
    std::unique_ptr<hw::HttpServer> m_server;
};

} // namespace hwtest
