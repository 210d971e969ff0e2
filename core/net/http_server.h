#pragma once
// A small HTTP/1.1 server for local use: the test doubles of LLM endpoints and `hindsight serve`.
// Built on cpp-httplib (Debian's libcpp-httplib-dev), which parses, routes and writes responses;
// in front of it our own framing checks (request_framing.h, connection_reader.h) refuse what it
// is lax about: request smuggling, unbounded bodies, slow heads. No TLS, no HTTP/2.
//
//   HttpServer server([](const HttpServerRequest& req) {
//       if (req.method == "GET" && req.path == "/health")
//           return HttpServerResponse::text(200, "ok");
//       return HttpServerResponse::json(404, R"({"error":"not found"})");
//   });
//   server.start();                       // binds 127.0.0.1, port 0 = any free port
//   std::string url = server.baseUrl();   // "http://127.0.0.1:41234"
//   ...
//   server.stop();                        // or let the destructor do it
//
// Threading: cpp-httplib's accept thread, and one thread per open connection (a task queue of
// ours instead of its fixed pool, so that a kept-alive or streaming connection never makes
// another client wait for a pool slot). Keep-alive connections are served request after request
// on their thread. The handler is called concurrently from those threads, so it must be
// thread-safe. Bodies are read completely before the handler runs (Content-Length or chunked);
// "Expect: 100-continue" is answered.
//
// Refused before the handler runs, each with a JSON error body and the connection closed:
// Content-Length with Transfer-Encoding, conflicting or malformed Content-Lengths, any
// Transfer-Encoding but "chunked", bad chunk sizes (400); bodies over maxBodyBytes (413); heads
// over maxHeaderBytes (431); a head not complete within headerTimeoutMs of its first byte or a
// body not within bodyTimeoutMs (408); more than maxConnectionsPerClient connections from one
// address (429) or maxConnections in all (503).
//
// Streaming (server-sent events, token streams): set HttpServerResponse::stream. The server then
// sends the status and headers at once, calls stream(writer) on the connection's thread, sends
// each writer.write(data) as one HTTP chunk (Transfer-Encoding: chunked), and ends the response
// when stream returns. write() returns false once the client has gone; stop writing then.
//
//   resp.headers = {{"Content-Type", "text/event-stream"}};
//   resp.stream = [](HttpChunkWriter& w) {
//       for (auto& tok : tokens) if (!w.write("data: " + tok + "\n\n")) return;
//       w.write("data: [DONE]\n\n");
//   };
//
// Stopping: stop() closes the listening socket, shuts down every open connection, and waits for
// running handlers to return. A handler that waits for something (a long poll, a test's scripted
// delay) should watch req.stopping() and return early.
#include "core/net/http_types.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace hw {

struct HttpServerRequest {
    std::string method;   // "GET", "POST", ...
    std::string target;   // as sent: "/v1/chat/completions?x=1"
    std::string path;     // target without the query string
    std::string query;    // text after '?', undecoded ("" when none)
    std::string version;  // "HTTP/1.1"
    HttpHeaders headers;
    std::string body;     // complete, de-chunked
    std::string peer;     // "127.0.0.1:54321"

    std::optional<std::string> header(std::string_view name) const { return findHeader(headers, name); }
    // True once the server is stopping.
    bool stopping() const { return m_stopping && m_stopping->load(); }

    const std::atomic<bool>* m_stopping = nullptr; // set by the server
};

// Sink for a streamed response body; see HttpServerResponse::stream.
class HttpChunkWriter {
public:
    virtual ~HttpChunkWriter() = default;
    // Sends `data` as one chunk now (empty data is skipped). False when the client is gone or
    // the server is stopping.
    virtual bool write(std::string_view data) = 0;
};

struct HttpServerResponse {
    int status = 200;
    // The server adds Content-Length (or Transfer-Encoding: chunked) and Connection itself.
    HttpHeaders headers;
    std::string body;
    // When set, `body` is ignored and the body is streamed in chunks by this function.
    std::function<void(HttpChunkWriter&)> stream;
    // Close the connection after this response (default: keep it alive when the client allows).
    bool closeConnection = false;

    static HttpServerResponse json(int status, std::string body);
    static HttpServerResponse text(int status, std::string body);
};

class HttpServer {
public:
    using Handler = std::function<HttpServerResponse(const HttpServerRequest&)>;

    struct Options {
        std::string host = "127.0.0.1";  // "0.0.0.0" to listen on every interface
        uint16_t port = 0;               // 0 = an ephemeral port, see port()
        int maxConnections = 512;        // beyond this, new connections get 503 and are closed
        int maxConnectionsPerClient = 128; // per client IP address; beyond it 429 and closed
        size_t maxHeaderBytes = 64 * 1024;
        size_t maxBodyBytes = 64u << 20;
        int idleTimeoutMs = 60000;       // keep-alive connections idle longer are closed
        int headerTimeoutMs = 10000;     // whole head, from its first byte (a deadline)
        int bodyTimeoutMs = 60000;       // whole body, from the end of the head (a deadline)
        int writeTimeoutMs = 30000;      // a client that does not read for this long is dropped
    };

    explicit HttpServer(Handler handler);
    HttpServer(Handler handler, Options options);
    ~HttpServer();                     // stop()
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds and starts serving. Throws hw::Error ("cannot bind 127.0.0.1:8000: Address already in
    // use") when the address is taken or start() was already called. host is an IPv4 or IPv6
    // address literal.
    void start();
    // Idempotent; safe to call from any thread except a handler's.
    void stop();

    bool isRunning() const;
    uint16_t port() const;             // the bound port (the real one when Options::port was 0)
    const std::string& host() const;
    std::string baseUrl() const;       // "http://HOST:PORT"
    int openConnections() const;
    uint64_t requestsServed() const;   // responses completed since start()
    uint64_t connectionsAccepted() const; // since start(); with keep-alive, fewer than requests

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace hw
