#pragma once
// The httplib::Stream one request is processed on: reads come from the request already received
// and checked by ConnectionReader (canonical head + body), writes go to the client's socket with
// a timeout. cpp-httplib then parses, routes and answers exactly what our framing checks accepted.
#include <httplib.h>

#include <string>

namespace hw {

class RequestStream : public httplib::Stream {
public:
    RequestStream(int fd, std::string request, int writeTimeoutMs);

    bool is_readable() const override;
    bool is_writable() const override;
    ssize_t read(char* ptr, size_t size) override;
    ssize_t write(const char* ptr, size_t size) override;
    void get_remote_ip_and_port(std::string& ip, int& port) const override;
    void get_local_ip_and_port(std::string& ip, int& port) const override;
    socket_t socket() const override { return m_fd; }

    bool writeFailed() const { return m_writeFailed; }

private:
    int m_fd;
    std::string m_request;
    size_t m_pos = 0;
    int m_writeTimeoutMs;
    bool m_writeFailed = false;
};

} // namespace hw
