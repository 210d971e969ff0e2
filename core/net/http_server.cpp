#include "core/net/http_server.h"

#include "core/net/connection_reader.h"
#include "core/net/connection_threads.h"
#include "core/net/request_stream.h"
#include "core/net/socket_io.h"
#include "core/util/error.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace hw {
namespace {

// Set by the handler adapter when the response asks to close the connection; read by the
// connection loop on the same thread (cpp-httplib calls the handler on the connection's thread).
thread_local bool t_closeAfterResponse = false;

// Requests served on one kept-alive connection before it is closed (also announced to clients in
// cpp-httplib's "Keep-Alive: timeout=N, max=M" header).
constexpr size_t kMaxRequestsPerConnection = 1000;

const char* reasonPhrase(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

// An OpenAI-shaped JSON error, sent by the connection layer itself (the handler never saw the
// request), always closing the connection.
std::string refusal(int status, const std::string& message)
{
    const nlohmann::json e = {{"error",
                               {{"message", message},
                                {"type", status == 429 || status == 503 ? "rate_limit_error" : "invalid_request_error"},
                                {"param", nullptr},
                                {"code", nullptr}}}};
    const std::string body = e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return "HTTP/1.1 " + std::to_string(status) + " " + reasonPhrase(status)
           + "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size())
           + "\r\nConnection: close\r\n\r\n" + body;
}

// Sends the refusal, then half-closes and drains what the client is still sending for a short
// while: closing a socket with unread input sends a reset, which can destroy the refusal before
// the client reads it (nginx's "lingering close").
void refuseAndLinger(int fd, int status, const std::string& message, int writeTimeoutMs, int lingerMs)
{
    if (!sendAll(fd, refusal(status, message), writeTimeoutMs))
        return;
    ::shutdown(fd, SHUT_WR);
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(lingerMs);
    size_t drained = 0;
    char buf[16384];
    while (drained < (4u << 20) && std::chrono::steady_clock::now() < until) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0)
            continue;
        const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0)
            break;
        drained += static_cast<size_t>(n);
    }
}

// Adapts HttpChunkWriter onto cpp-httplib's DataSink.
class SinkWriter : public HttpChunkWriter {
public:
    SinkWriter(httplib::DataSink& sink, const std::atomic<bool>& stopping) : m_sink(sink), m_stopping(stopping) {}
    bool write(std::string_view data) override
    {
        if (m_broken || m_stopping.load())
            return false;
        if (data.empty())
            return true;
        m_broken = !m_sink.write(data.data(), data.size());
        return !m_broken;
    }
    bool broken() const { return m_broken; }

private:
    httplib::DataSink& m_sink;
    const std::atomic<bool>& m_stopping;
    bool m_broken = false;
};

} // namespace

HttpServerResponse HttpServerResponse::json(int status, std::string body)
{
    HttpServerResponse r;
    r.status = status;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = std::move(body);
    return r;
}

HttpServerResponse HttpServerResponse::text(int status, std::string body)
{
    HttpServerResponse r;
    r.status = status;
    r.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
    r.body = std::move(body);
    return r;
}

// cpp-httplib's server with our connection loop: process_and_close_socket (a virtual of
// httplib::Server) is replaced so that every request passes ConnectionReader's checks and
// deadlines before the library's process_request parses and answers it.
struct HttpServer::Impl : public httplib::Server {
    HttpServer::Handler handler;   // qualified: httplib::Server has a Handler type and an Options()
    HttpServer::Options options;
    uint16_t boundPort = 0;
    std::thread listenThread;
    std::atomic<bool> stopping{false};
    std::atomic<bool> running{false};
    std::atomic<uint64_t> served{0};
    std::atomic<uint64_t> accepted{0};

    mutable std::mutex mutex;
    std::set<int> openSockets;
    std::map<std::string, int> perClient;

    Impl(HttpServer::Handler h, HttpServer::Options o) : handler(std::move(h)), options(std::move(o))
    {
        new_task_queue = [] { return new ConnectionThreads(); };
        set_payload_max_length(options.maxBodyBytes);
        // Only the values announced in the Keep-Alive header: serveConnection() enforces them.
        set_keep_alive_timeout(std::max(1, options.idleTimeoutMs / 1000));
        set_keep_alive_max_count(kMaxRequestsPerConnection);
        const httplib::Server::Handler route = [this](const httplib::Request& q, httplib::Response& r) { serve(q, r); };
        // Every path of every method goes to our one handler ([\s\S] also matches a decoded '\n').
        const std::string any = "[\\s\\S]*";
        Get(any, route);
        Post(any, route);
        Put(any, route);
        Patch(any, route);
        Delete(any, route);
        Options(any, route);
    }

    void serve(const httplib::Request& hreq, httplib::Response& hres)
    {
        HttpServerRequest req;
        req.method = hreq.method;
        req.target = hreq.target;
        req.version = hreq.version;
        const auto q = req.target.find('?');
        req.path = req.target.substr(0, q);
        req.query = q == std::string::npos ? std::string() : req.target.substr(q + 1);
        for (const auto& [k, v] : hreq.headers)
            req.headers.emplace_back(k, v);
        req.body = hreq.body;
        req.peer = (hreq.remote_addr.find(':') != std::string::npos ? "[" + hreq.remote_addr + "]" : hreq.remote_addr)
                   + ":" + std::to_string(hreq.remote_port);
        req.m_stopping = &stopping;

        HttpServerResponse resp;
        try {
            resp = handler(req);
        } catch (const std::exception& e) {
            resp = HttpServerResponse::text(500, std::string("handler error: ") + e.what());
        } catch (...) {
            resp = HttpServerResponse::text(500, "handler error");
        }
        hres.status = resp.status;
        std::string contentType;
        for (const auto& [k, v] : resp.headers) {
            if (equalsIgnoreCase(k, "Content-Length") || equalsIgnoreCase(k, "Transfer-Encoding")
                || equalsIgnoreCase(k, "Connection"))
                continue;
            if (equalsIgnoreCase(k, "Content-Type")) {
                contentType = v;
                if (resp.stream)
                    continue; // set_chunked_content_provider sets it
            }
            hres.set_header(k, v);
        }
        if (resp.closeConnection || stopping.load()) {
            hres.set_header("Connection", "close");
            t_closeAfterResponse = true;
        }
        if (resp.stream) {
            hres.set_chunked_content_provider(
                contentType.empty() ? "application/octet-stream" : contentType.c_str(),
                [this, stream = std::move(resp.stream)](size_t, httplib::DataSink& sink) {
                    SinkWriter writer(sink, stopping);
                    try {
                        stream(writer);
                    } catch (...) {
                        return false; // a half-sent chunked body cannot be repaired: drop the connection
                    }
                    if (writer.broken())
                        return false;
                    sink.done();
                    return true;
                });
        } else {
            hres.body = std::move(resp.body);
        }
    }

    // Admission: false (and the socket answered) when the client or the server is at its limit.
    bool admit(int sock, const std::string& ip)
    {
        int status = 0;
        std::string why;
        {
            std::lock_guard<std::mutex> lock(mutex);
            if (static_cast<int>(openSockets.size()) >= options.maxConnections) {
                status = 503;
                why = "too many connections (" + std::to_string(options.maxConnections) + ")";
            } else if (perClient[ip] >= options.maxConnectionsPerClient) {
                status = 429;
                why = "too many connections from " + ip + " (" + std::to_string(options.maxConnectionsPerClient) + ")";
            } else {
                openSockets.insert(sock);
                ++perClient[ip];
                ++accepted;
                return true;
            }
            if (perClient[ip] == 0)
                perClient.erase(ip);
        }
        // Short linger: a flood of refused connections must not pile up threads.
        refuseAndLinger(sock, status, why, options.writeTimeoutMs, 200);
        return false;
    }

    void release(int sock, const std::string& ip)
    {
        std::lock_guard<std::mutex> lock(mutex);
        openSockets.erase(sock);
        if (--perClient[ip] <= 0)
            perClient.erase(ip);
    }

    void adoptListeningSocket(int fd) { svr_sock_ = fd; } // what bind_to_port would have set

    bool process_and_close_socket(socket_t sock) override
    {
        const std::string ip = peerIp(sock);
        if (admit(sock, ip)) {
            const int one = 1;
            ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            serveConnection(sock);
            release(sock, ip);
        }
        ::shutdown(sock, SHUT_RDWR);
        ::close(sock);
        return true;
    }

    void serveConnection(int sock)
    {
        ConnectionReader::Options ro;
        ro.limits.maxHeadBytes = options.maxHeaderBytes;
        ro.limits.maxBodyBytes = options.maxBodyBytes;
        ro.idleTimeoutMs = options.idleTimeoutMs;
        ro.headerTimeoutMs = options.headerTimeoutMs;
        ro.bodyTimeoutMs = options.bodyTimeoutMs;
        ro.writeTimeoutMs = options.writeTimeoutMs;
        ConnectionReader reader(sock, ro, stopping);
        for (size_t count = 1; !stopping.load(); ++count) {
            RequestHead head;
            std::string request;
            const auto outcome = reader.next(head, request);
            if (outcome == ConnectionReader::Outcome::Closed)
                return;
            if (outcome == ConnectionReader::Outcome::Refused) {
                refuseAndLinger(sock, reader.error().status, reader.error().message, options.writeTimeoutMs, 1000);
                return;
            }
            RequestStream stream(sock, std::move(request), options.writeTimeoutMs);
            const bool close = !head.keepAlive || stopping.load() || count >= kMaxRequestsPerConnection;
            bool closed = false;
            t_closeAfterResponse = false;
            const bool ok = process_request(stream, close, closed, nullptr);
            if (ok && !stream.writeFailed())
                ++served;
            if (!ok || closed || close || t_closeAfterResponse || stream.writeFailed())
                return;
        }
    }
};

HttpServer::HttpServer(Handler handler) : HttpServer(std::move(handler), Options()) {}

HttpServer::HttpServer(Handler handler, Options options)
    : m_impl(std::make_unique<Impl>(std::move(handler), std::move(options)))
{
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start()
{
    Impl& d = *m_impl;
    if (d.running.load())
        throw Error("HTTP server already started");
    const std::string& host = d.options.host;
    const std::string where = host + ":" + std::to_string(d.options.port);

    // Bound here rather than by cpp-httplib's bind_to_port: a precise error, no SO_REUSEPORT (two
    // servers on one port must fail) and a real listen backlog.
    sockaddr_storage addr{};
    socklen_t addrLen = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
    if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(d.options.port);
        addrLen = sizeof *v4;
    } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(d.options.port);
        addrLen = sizeof *v6;
    } else {
        throw Error("cannot bind " + where + ": not an IPv4 or IPv6 address");
    }
    const int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw Error("cannot create socket for " + where + ": " + std::strerror(errno));
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), addrLen) < 0 || ::listen(fd, 512) < 0) {
        const std::string why = std::strerror(errno);
        ::close(fd);
        throw Error("cannot bind " + where + ": " + why);
    }
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addrLen);
    d.boundPort = ntohs(addr.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);

    d.stopping = false;
    d.served = 0;
    d.accepted = 0;
    d.adoptListeningSocket(fd);
    d.listenThread = std::thread([&d] { d.listen_after_bind(); });
    // httplib::Server::stop() only acts once the accept loop runs: wait for it.
    for (int i = 0; i < 10000 && !d.is_running(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!d.is_running()) {
        d.listenThread.join();
        throw Error("cannot serve " + where + ": the accept loop did not start");
    }
    d.running = true;
}

void HttpServer::stop()
{
    Impl& d = *m_impl;
    if (!d.running.exchange(false))
        return;
    d.stopping = true;
    {
        // Wake connections blocked on their sockets; handlers return on their own (they watch
        // req.stopping()), then each connection thread ends.
        std::lock_guard<std::mutex> lock(d.mutex);
        for (const int fd : d.openSockets)
            ::shutdown(fd, SHUT_RDWR);
    }
    d.httplib::Server::stop();  // closes the listening socket; the accept loop joins the connection threads
    d.listenThread.join();
}

bool HttpServer::isRunning() const { return m_impl->running.load(); }
uint16_t HttpServer::port() const { return m_impl->boundPort; }
const std::string& HttpServer::host() const { return m_impl->options.host; }
std::string HttpServer::baseUrl() const
{
    const std::string& h = m_impl->options.host;
    return "http://" + (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + std::to_string(m_impl->boundPort);
}
int HttpServer::openConnections() const
{
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    return static_cast<int>(m_impl->openSockets.size());
}
uint64_t HttpServer::requestsServed() const { return m_impl->served.load(); }
uint64_t HttpServer::connectionsAccepted() const { return m_impl->accepted.load(); }

} // namespace hw
