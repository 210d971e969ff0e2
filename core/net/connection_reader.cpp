#include "core/net/connection_reader.h"

#include "core/net/chunked_body_decoder.h"
#include "core/net/socket_io.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace hw {

ConnectionReader::ConnectionReader(int fd, Options options, const std::atomic<bool>& stopping)
    : m_fd(fd), m_options(options), m_stopping(stopping)
{
}

ConnectionReader::Read ConnectionReader::readSome(Clock::time_point deadline)
{
    for (;;) {
        if (m_stopping.load())
            return Read::Closed;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0)
            return Read::Timeout;
        pollfd p{m_fd, POLLIN, 0};
        // Short slices so that stop() is noticed even if the socket is not shut down.
        const int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 100)));
        if (rc < 0 && errno != EINTR)
            return Read::Closed;
        if (rc <= 0)
            continue;
        char tmp[16384];
        const ssize_t n = ::recv(m_fd, tmp, sizeof tmp, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return Read::Closed;
        m_buffer.append(tmp, static_cast<size_t>(n));
        return Read::Data;
    }
}

ConnectionReader::Outcome ConnectionReader::refuse(int status, std::string message)
{
    m_error = {status, std::move(message)};
    return Outcome::Refused;
}

ConnectionReader::Outcome ConnectionReader::next(RequestHead& head, std::string& canonical)
{
    using std::chrono::milliseconds;
    m_error = {};
    if (m_buffer.empty()
        && readSome(Clock::now() + milliseconds(m_options.idleTimeoutMs)) != Read::Data)
        return Outcome::Closed;

    // Head: one deadline from its first byte.
    const auto headDeadline = Clock::now() + milliseconds(m_options.headerTimeoutMs);
    size_t scanned = 0;
    size_t headEnd;
    while ((headEnd = findHeadEnd(std::string_view(m_buffer).substr(scanned))) == std::string::npos) {
        scanned = m_buffer.size() > 3 ? m_buffer.size() - 3 : 0;
        if (m_buffer.size() > m_options.limits.maxHeadBytes)
            return refuse(431, "request head larger than " + std::to_string(m_options.limits.maxHeadBytes) + " bytes");
        const Read r = readSome(headDeadline);
        if (r == Read::Timeout)
            return refuse(408, "request head not received within " + std::to_string(m_options.headerTimeoutMs) + " ms");
        if (r == Read::Closed)
            return Outcome::Closed;
    }
    headEnd += scanned;
    head = RequestHead();
    if (const FramingError e = parseRequestHead(std::string_view(m_buffer).substr(0, headEnd), m_options.limits, head))
        return refuse(e.status, e.message);
    m_buffer.erase(0, headEnd);

    if (head.expectContinue
        && !sendAll(m_fd, "HTTP/1.1 100 Continue\r\n\r\n", m_options.writeTimeoutMs))
        return Outcome::Closed;

    // Body: one deadline for all of it.
    const auto bodyDeadline = Clock::now() + milliseconds(m_options.bodyTimeoutMs);
    std::string body;
    if (head.body == RequestHead::Body::Length) {
        while (m_buffer.size() < head.contentLength) {
            const Read r = readSome(bodyDeadline);
            if (r == Read::Timeout)
                return refuse(408, "request body not received within " + std::to_string(m_options.bodyTimeoutMs) + " ms");
            if (r == Read::Closed)
                return Outcome::Closed;
        }
        body = m_buffer.substr(0, head.contentLength);
        m_buffer.erase(0, head.contentLength);
    } else if (head.body == RequestHead::Body::Chunked) {
        ChunkedBodyDecoder decoder(m_options.limits.maxBodyBytes);
        for (;;) {
            const auto s = decoder.decode(m_buffer);
            if (s == ChunkedBodyDecoder::Status::Failed)
                return refuse(decoder.error().status, decoder.error().message);
            if (s == ChunkedBodyDecoder::Status::Done)
                break;
            const Read r = readSome(bodyDeadline);
            if (r == Read::Timeout)
                return refuse(408, "request body not received within " + std::to_string(m_options.bodyTimeoutMs) + " ms");
            if (r == Read::Closed)
                return Outcome::Closed;
        }
        const size_t used = decoder.consumed();
        body = decoder.takeBody();
        m_buffer.erase(0, used);
    }
    canonical = canonicalHead(head, body.size());
    canonical += body;
    return Outcome::Request;
}

} // namespace hw
