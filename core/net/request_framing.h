#pragma once
// The part of HTTP/1.1 request parsing that stays ours in front of cpp-httplib: where a request
// ends. cpp-httplib 0.11.4 is lax exactly where request smuggling lives (it accepts
// Content-Length together with Transfer-Encoding, takes the first of two different
// Content-Lengths, reads "5abc" as 5, ignores a Transfer-Encoding that is not "chunked"), so every
// request head is checked here first and handed on only in a canonical form: the request line,
// the headers minus the framing ones, and one Content-Length of the decoded body.
//
// Pure functions on bytes (no sockets): the fuzz target core/fuzz/fuzz_http_request.cpp drives them.
#include "core/net/http_types.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hw {

struct FramingLimits {
    size_t maxHeadBytes = 64 * 1024;   // request line + headers + blank line
    size_t maxLineBytes = 8000;        // any one line (cpp-httplib refuses longer ones itself)
    size_t maxHeaders = 100;
    uint64_t maxBodyBytes = 64u << 20;
};

// A request head that passed the checks.
struct RequestHead {
    enum class Body { None, Length, Chunked };

    std::string method;
    std::string target;
    std::string version;               // "HTTP/1.0" or "HTTP/1.1"
    HttpHeaders headers;               // as received, values trimmed
    Body body = Body::None;
    uint64_t contentLength = 0;        // for Body::Length
    bool expectContinue = false;       // "Expect: 100-continue"
    bool keepAlive = true;             // HTTP/1.1 without "close", or HTTP/1.0 with "keep-alive"
};

// Why a request was refused: an HTTP status (400, 413, 431, ...) and a message for the client.
struct FramingError {
    int status = 0;                    // 0 = no error
    std::string message;
    explicit operator bool() const { return status != 0; }
};

// Offset just past the blank line ending the head, or npos while it is incomplete.
size_t findHeadEnd(std::string_view buffer);

// Parses and checks a complete head (up to and including the blank line). On error `head` is
// left partially filled and must not be used.
FramingError parseRequestHead(std::string_view headBytes, const FramingLimits& limits, RequestHead& head);

// The head cpp-httplib gets: no Transfer-Encoding, Expect or Content-Length from the client, one
// Content-Length of `bodySize`.
std::string canonicalHead(const RequestHead& head, uint64_t bodySize);

} // namespace hw
