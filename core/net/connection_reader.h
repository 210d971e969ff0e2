#pragma once
// Reads one request after another from a client connection, with deadlines, and checks their
// framing (request_framing.h) before cpp-httplib parses them. A slow client cannot hold the
// connection's thread: the whole head must arrive within headerTimeoutMs of its first byte and the
// whole body within bodyTimeoutMs (deadlines, not idle timers that every byte resets).
#include "core/net/request_framing.h"

#include <atomic>
#include <chrono>
#include <string>

namespace hw {

class ConnectionReader {
public:
    struct Options {
        FramingLimits limits;
        int idleTimeoutMs = 60000;      // between requests on a kept-alive connection
        int headerTimeoutMs = 10000;    // first byte of the head to its blank line
        int bodyTimeoutMs = 60000;      // end of the head to the last byte of the body
        int writeTimeoutMs = 30000;     // for the "100 Continue" interim response
    };
    enum class Outcome { Request, Closed, Refused };

    ConnectionReader(int fd, Options options, const std::atomic<bool>& stopping);

    // Waits for the next request. Request: `head` is filled and `canonical` holds the canonical
    // head (canonicalHead) and the decoded body. Closed: the client left, went idle or the server
    // is stopping. Refused: error() says why (a 4xx status); the connection must be closed.
    Outcome next(RequestHead& head, std::string& canonical);
    const FramingError& error() const { return m_error; }

private:
    using Clock = std::chrono::steady_clock;
    enum class Read { Data, Closed, Timeout };

    Read readSome(Clock::time_point deadline);
    Outcome refuse(int status, std::string message);

    int m_fd;
    Options m_options;
    const std::atomic<bool>& m_stopping;
    std::string m_buffer;   // received, not yet consumed (pipelined requests stay here)
    FramingError m_error;
};

} // namespace hw
