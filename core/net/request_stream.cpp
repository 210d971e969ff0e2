#include "core/net/request_stream.h"

#include "core/net/socket_io.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstring>

namespace hw {
namespace {

void addressOf(const sockaddr_storage& addr, std::string& ip, int& port)
{
    char buf[INET6_ADDRSTRLEN] = "";
    if (addr.ss_family == AF_INET) {
        const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
        ::inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
        port = ntohs(a->sin_port);
    } else if (addr.ss_family == AF_INET6) {
        const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
        ::inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
        port = ntohs(a->sin6_port);
    }
    ip = buf;
}

} // namespace

RequestStream::RequestStream(int fd, std::string request, int writeTimeoutMs)
    : m_fd(fd), m_request(std::move(request)), m_writeTimeoutMs(writeTimeoutMs)
{
}

bool RequestStream::is_readable() const { return m_pos < m_request.size(); }

bool RequestStream::is_writable() const
{
    if (m_writeFailed)
        return false;
    pollfd p{m_fd, POLLOUT, 0};
    return ::poll(&p, 1, m_writeTimeoutMs) > 0 && !(p.revents & (POLLERR | POLLHUP | POLLNVAL));
}

ssize_t RequestStream::read(char* ptr, size_t size)
{
    const size_t n = std::min(size, m_request.size() - m_pos);
    std::memcpy(ptr, m_request.data() + m_pos, n);
    m_pos += n;
    return static_cast<ssize_t>(n);
}

ssize_t RequestStream::write(const char* ptr, size_t size)
{
    if (m_writeFailed || !sendAll(m_fd, std::string_view(ptr, size), m_writeTimeoutMs)) {
        m_writeFailed = true;
        return -1;
    }
    return static_cast<ssize_t>(size);
}

void RequestStream::get_remote_ip_and_port(std::string& ip, int& port) const
{
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getpeername(m_fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        addressOf(addr, ip, port);
}

void RequestStream::get_local_ip_and_port(std::string& ip, int& port) const
{
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        addressOf(addr, ip, port);
}

} // namespace hw
