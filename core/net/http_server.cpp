#include "core/net/http_server.h"

#include "core/util/error.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <list>
#include <mutex>
#include <thread>

namespace hw {
namespace {

const char* reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
    }
}

std::string trim(std::string_view s)
{
    size_t a = 0, b = s.size();
    while (a < b && (s[a] == ' ' || s[a] == '\t'))
        ++a;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r'))
        --b;
    return std::string(s.substr(a, b - a));
}

bool sendAll(int fd, std::string_view data)
{
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

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

struct HttpServer::Impl {
    Handler handler;
    Options options;
    int listenFd = -1;
    int wakePipe[2] = {-1, -1};
    uint16_t boundPort = 0;
    std::atomic<bool> stopping{false};
    std::atomic<bool> running{false};
    std::atomic<uint64_t> served{0};
    std::atomic<uint64_t> accepted{0};
    std::thread acceptThread;

    struct Connection {
        int fd = -1;
        std::thread thread;
        std::atomic<bool> finished{false};
    };
    mutable std::mutex mutex;
    std::list<Connection> connections;

    // ---------------------------------------------------------------- connection

    class ChunkWriter : public HttpChunkWriter {
    public:
        ChunkWriter(int fd, const std::atomic<bool>& stopping) : m_fd(fd), m_stopping(stopping) {}
        bool write(std::string_view data) override
        {
            if (m_broken || m_stopping.load())
                return false;
            if (data.empty())
                return true;
            char size[32];
            std::snprintf(size, sizeof size, "%zx\r\n", data.size());
            std::string chunk = size;
            chunk.append(data);
            chunk += "\r\n";
            m_broken = !sendAll(m_fd, chunk);
            return !m_broken;
        }
        bool broken() const { return m_broken; }

    private:
        int m_fd;
        const std::atomic<bool>& m_stopping;
        bool m_broken = false;
    };

    // Reads more bytes into buf; false on EOF, error, idle timeout or stop.
    bool readMore(int fd, std::string& buf, int timeoutMs)
    {
        int waited = 0;
        for (;;) {
            if (stopping.load())
                return false;
            pollfd p{fd, POLLIN, 0};
            const int rc = ::poll(&p, 1, 100);
            if (rc < 0 && errno != EINTR)
                return false;
            if (rc == 0) {
                waited += 100;
                if (waited >= timeoutMs)
                    return false;
                continue;
            }
            char tmp[16384];
            const ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return false;
            buf.append(tmp, static_cast<size_t>(n));
            return true;
        }
    }

    bool sendSimple(int fd, int status, const std::string& body, bool close)
    {
        std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reasonPhrase(status) + "\r\n"
                          + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: "
                          + std::to_string(body.size()) + "\r\n"
                          + (close ? "Connection: close\r\n" : "") + "\r\n" + body;
        return sendAll(fd, out);
    }

    // Decodes a chunked body starting at buf[pos]; reads more as needed. Returns false on error.
    bool readChunked(int fd, std::string& buf, size_t pos, std::string& body, size_t& consumed)
    {
        for (;;) {
            size_t eol;
            while ((eol = buf.find("\r\n", pos)) == std::string::npos)
                if (!readMore(fd, buf, options.idleTimeoutMs))
                    return false;
            const std::string sizeLine = buf.substr(pos, eol - pos);
            char* end = nullptr;
            const unsigned long long n = std::strtoull(sizeLine.c_str(), &end, 16);
            if (end == sizeLine.c_str() || body.size() + n > options.maxBodyBytes)
                return false;
            pos = eol + 2;
            if (n == 0) {
                // Trailers (ignored) up to the empty line.
                for (;;) {
                    while ((eol = buf.find("\r\n", pos)) == std::string::npos)
                        if (!readMore(fd, buf, options.idleTimeoutMs))
                            return false;
                    const bool empty = eol == pos;
                    pos = eol + 2;
                    if (empty)
                        break;
                }
                consumed = pos;
                return true;
            }
            while (buf.size() < pos + n + 2)
                if (!readMore(fd, buf, options.idleTimeoutMs))
                    return false;
            body.append(buf, pos, n);
            pos += n + 2;
        }
    }

    void serve(int fd, const std::string& peer)
    {
        std::string buf;
        for (;;) {
            // Head.
            size_t headEnd;
            while ((headEnd = buf.find("\r\n\r\n")) == std::string::npos) {
                if (buf.size() > options.maxHeaderBytes) {
                    sendSimple(fd, 400, "request head too large", true);
                    return;
                }
                if (!readMore(fd, buf, options.idleTimeoutMs))
                    return;
            }
            HttpServerRequest req;
            req.peer = peer;
            req.m_stopping = &stopping;
            {
                const std::string head = buf.substr(0, headEnd);
                size_t lineEnd = head.find("\r\n");
                const std::string requestLine = head.substr(0, lineEnd);
                const auto sp1 = requestLine.find(' ');
                const auto sp2 = requestLine.rfind(' ');
                if (sp1 == std::string::npos || sp2 == sp1) {
                    sendSimple(fd, 400, "malformed request line", true);
                    return;
                }
                req.method = requestLine.substr(0, sp1);
                req.target = requestLine.substr(sp1 + 1, sp2 - sp1 - 1);
                req.version = requestLine.substr(sp2 + 1);
                const auto q = req.target.find('?');
                req.path = req.target.substr(0, q);
                req.query = q == std::string::npos ? std::string() : req.target.substr(q + 1);
                size_t pos = lineEnd == std::string::npos ? head.size() : lineEnd + 2;
                while (pos < head.size()) {
                    size_t e = head.find("\r\n", pos);
                    if (e == std::string::npos)
                        e = head.size();
                    const std::string line = head.substr(pos, e - pos);
                    const auto colon = line.find(':');
                    if (colon != std::string::npos)
                        req.headers.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
                    pos = e + 2;
                }
            }
            size_t consumed = headEnd + 4;
            if (const auto expect = req.header("Expect"); expect && equalsIgnoreCase(*expect, "100-continue"))
                if (!sendAll(fd, "HTTP/1.1 100 Continue\r\n\r\n"))
                    return;
            // Body.
            const auto te = req.header("Transfer-Encoding");
            if (te && te->find("chunked") != std::string::npos) {
                size_t end = 0;
                if (!readChunked(fd, buf, consumed, req.body, end)) {
                    sendSimple(fd, 400, "bad chunked body", true);
                    return;
                }
                consumed = end;
            } else if (const auto cl = req.header("Content-Length")) {
                char* endp = nullptr;
                const unsigned long long n = std::strtoull(cl->c_str(), &endp, 10);
                if (endp == cl->c_str() || n > options.maxBodyBytes) {
                    sendSimple(fd, 413, "body too large", true);
                    return;
                }
                while (buf.size() < consumed + n)
                    if (!readMore(fd, buf, options.idleTimeoutMs))
                        return;
                req.body = buf.substr(consumed, n);
                consumed += n;
            }
            buf.erase(0, consumed);

            const auto conn = req.header("Connection");
            bool keepAlive = req.version == "HTTP/1.1" ? !(conn && equalsIgnoreCase(*conn, "close"))
                                                       : (conn && equalsIgnoreCase(*conn, "keep-alive"));
            HttpServerResponse resp;
            try {
                resp = handler(req);
            } catch (const std::exception& e) {
                resp = HttpServerResponse::text(500, std::string("handler error: ") + e.what());
            } catch (...) {
                resp = HttpServerResponse::text(500, "handler error");
            }
            if (resp.closeConnection || stopping.load())
                keepAlive = false;

            std::string head = "HTTP/1.1 " + std::to_string(resp.status) + " " + reasonPhrase(resp.status) + "\r\n";
            for (const auto& [k, v] : resp.headers) {
                if (equalsIgnoreCase(k, "Content-Length") || equalsIgnoreCase(k, "Transfer-Encoding")
                    || equalsIgnoreCase(k, "Connection"))
                    continue;
                head += k + ": " + v + "\r\n";
            }
            head += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
            const bool headOnly = req.method == "HEAD";
            if (resp.stream) {
                head += "Transfer-Encoding: chunked\r\n\r\n";
                if (!sendAll(fd, head))
                    return;
                ChunkWriter writer(fd, stopping);
                if (!headOnly) {
                    try {
                        resp.stream(writer);
                    } catch (...) {
                        return; // a half-sent chunked body cannot be repaired: drop the connection
                    }
                }
                if (writer.broken() || !sendAll(fd, "0\r\n\r\n"))
                    return;
            } else {
                head += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n\r\n";
                if (!headOnly)
                    head += resp.body;
                if (!sendAll(fd, head))
                    return;
            }
            ++served;
            if (!keepAlive)
                return;
        }
    }

    // ---------------------------------------------------------------- accept

    void reapFinished()
    {
        std::lock_guard<std::mutex> lock(mutex);
        for (auto it = connections.begin(); it != connections.end();) {
            if (it->finished.load()) {
                it->thread.join();
                it = connections.erase(it);
            } else {
                ++it;
            }
        }
    }

    void acceptLoop()
    {
        while (!stopping.load()) {
            pollfd fds[2] = {{listenFd, POLLIN, 0}, {wakePipe[0], POLLIN, 0}};
            const int rc = ::poll(fds, 2, 500);
            reapFinished();
            if (rc <= 0 || stopping.load())
                continue;
            if (!(fds[0].revents & POLLIN))
                continue;
            sockaddr_in addr{};
            socklen_t len = sizeof addr;
            const int fd = ::accept4(listenFd, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC);
            if (fd < 0)
                continue;
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            char ip[INET_ADDRSTRLEN] = "?";
            ::inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof ip);
            const std::string peer = std::string(ip) + ":" + std::to_string(ntohs(addr.sin_port));

            std::lock_guard<std::mutex> lock(mutex);
            if (static_cast<int>(connections.size()) >= options.maxConnections) {
                sendSimple(fd, 503, "too many connections", true);
                ::close(fd);
                continue;
            }
            ++accepted;
            connections.emplace_back();
            Connection& c = connections.back();
            c.fd = fd;
            c.thread = std::thread([this, &c, peer] {
                serve(c.fd, peer);
                {
                    // Close under the lock so stop() never shuts down a reused descriptor.
                    std::lock_guard<std::mutex> l(mutex);
                    ::close(c.fd);
                    c.fd = -1;
                }
                c.finished = true;
            });
        }
    }
};

HttpServer::HttpServer(Handler handler) : HttpServer(std::move(handler), Options()) {}

HttpServer::HttpServer(Handler handler, Options options) : m_impl(std::make_unique<Impl>())
{
    m_impl->handler = std::move(handler);
    m_impl->options = std::move(options);
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start()
{
    Impl& d = *m_impl;
    if (d.running.load() || d.listenFd >= 0)
        throw Error("HTTP server already started");
    const std::string where = d.options.host + ":" + std::to_string(d.options.port);
    d.listenFd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (d.listenFd < 0)
        throw Error("cannot create socket for " + where + ": " + std::strerror(errno));
    const int one = 1;
    ::setsockopt(d.listenFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(d.options.port);
    if (::inet_pton(AF_INET, d.options.host.c_str(), &addr.sin_addr) != 1) {
        ::close(d.listenFd);
        d.listenFd = -1;
        throw Error("cannot bind " + where + ": not an IPv4 address");
    }
    if (::bind(d.listenFd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0
        || ::listen(d.listenFd, 512) < 0) {
        const std::string why = std::strerror(errno);
        ::close(d.listenFd);
        d.listenFd = -1;
        throw Error("cannot bind " + where + ": " + why);
    }
    socklen_t len = sizeof addr;
    ::getsockname(d.listenFd, reinterpret_cast<sockaddr*>(&addr), &len);
    d.boundPort = ntohs(addr.sin_port);
    if (::pipe2(d.wakePipe, O_CLOEXEC) < 0) {
        ::close(d.listenFd);
        d.listenFd = -1;
        throw Error(std::string("cannot create pipe: ") + std::strerror(errno));
    }
    d.stopping = false;
    d.served = 0;
    d.accepted = 0;
    d.running = true;
    d.acceptThread = std::thread([&d] { d.acceptLoop(); });
}

void HttpServer::stop()
{
    Impl& d = *m_impl;
    if (!d.running.exchange(false))
        return;
    d.stopping = true;
    const char c = 'x';
    [[maybe_unused]] const ssize_t w = ::write(d.wakePipe[1], &c, 1);
    d.acceptThread.join();
    ::close(d.listenFd);
    d.listenFd = -1;
    {
        std::lock_guard<std::mutex> lock(d.mutex);
        for (auto& conn : d.connections)
            if (conn.fd >= 0)
                ::shutdown(conn.fd, SHUT_RDWR);
    }
    // Handlers return on their own (they watch req.stopping()); then each thread ends.
    for (auto& conn : d.connections)
        conn.thread.join();
    d.connections.clear();
    ::close(d.wakePipe[0]);
    ::close(d.wakePipe[1]);
    d.wakePipe[0] = d.wakePipe[1] = -1;
}

bool HttpServer::isRunning() const { return m_impl->running.load(); }
uint16_t HttpServer::port() const { return m_impl->boundPort; }
const std::string& HttpServer::host() const { return m_impl->options.host; }
std::string HttpServer::baseUrl() const
{
    return "http://" + m_impl->options.host + ":" + std::to_string(m_impl->boundPort);
}
int HttpServer::openConnections() const
{
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    int n = 0;
    for (const auto& c : m_impl->connections)
        n += !c.finished.load();
    return n;
}
uint64_t HttpServer::requestsServed() const { return m_impl->served.load(); }
uint64_t HttpServer::connectionsAccepted() const { return m_impl->accepted.load(); }

} // namespace hw
