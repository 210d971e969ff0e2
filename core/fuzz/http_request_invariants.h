#pragma once
// What must hold for ANY bytes reaching the HTTP server's own request framing
// (core/net/request_framing.h, chunked_body_decoder.h), the code that stays ours in front of
// cpp-httplib: no crash, no hang, no unbounded growth, and a canonical form that re-parses to the
// same request. Shared by the libFuzzer target fuzz_http_request.cpp and the deterministic replay
// in tests/tst_core_http_framing.cpp. A violated invariant calls the handler (abort by default).
#include "core/net/chunked_body_decoder.h"
#include "core/net/request_framing.h"

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>

namespace hw::fuzz {

inline std::function<void(const std::string&)>& httpFailHandler()
{
    static std::function<void(const std::string&)> h = [](const std::string& what) {
        std::fprintf(stderr, "invariant violated: %s\n", what.c_str());
        std::abort();
    };
    return h;
}
inline void httpCheck(bool ok, const std::string& what)
{
    if (!ok)
        httpFailHandler()(what);
}

// Chunked decoding of `bytes`, once whole and once fed in two parts: the same outcome both ways.
inline void checkChunked(std::string_view bytes, uint64_t limit)
{
    ChunkedBodyDecoder whole(limit);
    const auto a = whole.decode(bytes);
    httpCheck(whole.body().size() <= limit, "chunked body over the limit");
    httpCheck(whole.consumed() <= bytes.size(), "chunked decoder consumed more than it was given");
    if (a == ChunkedBodyDecoder::Status::Failed)
        httpCheck(whole.error().status >= 400 && whole.error().status < 500 && !whole.error().message.empty(),
                  "chunked failure without a 4xx status and message");
    ChunkedBodyDecoder split(limit);
    auto b = split.decode(bytes.substr(0, bytes.size() / 2));
    if (b == ChunkedBodyDecoder::Status::NeedMore)
        b = split.decode(bytes);
    httpCheck(a == b, "chunked outcome depends on how the bytes arrived");
    if (a == ChunkedBodyDecoder::Status::Done) {
        httpCheck(whole.body() == split.body() && whole.consumed() == split.consumed(),
                  "chunked body depends on how the bytes arrived");
    }
}

inline void checkHttpRequest(std::string_view bytes)
{
    FramingLimits limits;
    limits.maxBodyBytes = 1 << 16;
    const size_t end = findHeadEnd(bytes);
    if (end == std::string_view::npos) {
        checkChunked(bytes, limits.maxBodyBytes); // the input may as well be a body
        return;
    }
    httpCheck(end >= 4 && end <= bytes.size() && bytes.substr(end - 4, 4) == "\r\n\r\n", "head end misplaced");
    RequestHead head;
    const FramingError e = parseRequestHead(bytes.substr(0, end), limits, head);
    if (e) {
        httpCheck(e.status >= 400 && e.status < 600 && !e.message.empty(), "refusal without a status and message");
        return;
    }
    httpCheck(!(head.body == RequestHead::Body::Length && head.contentLength > limits.maxBodyBytes),
              "accepted a Content-Length over the limit");
    for (const auto& [name, value] : head.headers)
        httpCheck(name.find_first_of("\r\n: \t") == std::string::npos && value.find_first_of("\r\n") == std::string::npos
                      && value.find('\0') == std::string::npos,
                  "header with CR, LF, NUL or a bad name accepted");

    // What cpp-httplib will be given must re-parse to the same request, with one Content-Length.
    const std::string_view rest = bytes.substr(end);
    std::string body;
    if (head.body == RequestHead::Body::Chunked) {
        checkChunked(rest, limits.maxBodyBytes);
        ChunkedBodyDecoder d(limits.maxBodyBytes);
        if (d.decode(rest) != ChunkedBodyDecoder::Status::Done)
            return;
        body = d.body();
    } else if (head.body == RequestHead::Body::Length) {
        body = std::string(rest.substr(0, static_cast<size_t>(std::min<uint64_t>(head.contentLength, rest.size()))));
    }
    const std::string canonical = canonicalHead(head, body.size());
    RequestHead again;
    const FramingError e2 = parseRequestHead(canonical, limits, again);
    httpCheck(!e2, "canonical head refused: " + e2.message);
    httpCheck(again.method == head.method && again.target == head.target && again.version == head.version,
              "canonical head changed the request line");
    httpCheck(again.body != RequestHead::Body::Chunked, "canonical head still chunked");
    httpCheck(again.body == RequestHead::Body::None ? body.empty() : again.contentLength == body.size(),
              "canonical Content-Length differs from the body");
    httpCheck(again.keepAlive == head.keepAlive, "canonical head changed keep-alive");
}

} // namespace hw::fuzz
