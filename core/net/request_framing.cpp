#include "core/net/request_framing.h"

#include <cctype>

namespace hw {
namespace {

// RFC 9110 tchar: the characters of a method or a header name.
bool isTokenChar(unsigned char c)
{
    if (std::isalnum(c))
        return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(std::string_view s)
{
    if (s.empty())
        return false;
    for (const unsigned char c : s)
        if (!isTokenChar(c))
            return false;
    return true;
}

// Field values: visible characters, spaces, tabs and obs-text; never CTLs (NUL, CR, LF, ...).
bool isFieldValue(std::string_view s)
{
    for (const unsigned char c : s)
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    return true;
}

// The request target: no controls, no spaces, nothing but printable ASCII (origin-form as sent).
bool isTarget(std::string_view s)
{
    if (s.empty())
        return false;
    for (const unsigned char c : s)
        if (c <= 0x20 || c >= 0x7f)
            return false;
    return true;
}

std::string_view trimOws(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// 1*DIGIT without sign, spaces or suffix, and without overflow.
bool parseDecimal(std::string_view s, uint64_t& out)
{
    if (s.empty() || s.size() > 19)
        return false;
    uint64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    out = v;
    return true;
}

bool hasConnectionToken(std::string_view value, std::string_view token)
{
    size_t start = 0;
    while (start <= value.size()) {
        size_t comma = value.find(',', start);
        if (comma == std::string_view::npos)
            comma = value.size();
        if (equalsIgnoreCase(trimOws(value.substr(start, comma - start)), token))
            return true;
        start = comma + 1;
    }
    return false;
}

FramingError bad(std::string message) { return {400, std::move(message)}; }

} // namespace

size_t findHeadEnd(std::string_view buffer)
{
    const size_t at = buffer.find("\r\n\r\n");
    return at == std::string_view::npos ? std::string_view::npos : at + 4;
}

FramingError parseRequestHead(std::string_view bytes, const FramingLimits& limits, RequestHead& head)
{
    if (bytes.size() > limits.maxHeadBytes)
        return {431, "request head larger than " + std::to_string(limits.maxHeadBytes) + " bytes"};
    if (bytes.size() < 4 || bytes.substr(bytes.size() - 4) != "\r\n\r\n")
        return bad("request head does not end with an empty line");
    bytes.remove_suffix(2); // every line, the last included, now ends with CRLF

    bool first = true;
    bool sawContentLength = false, sawTransferEncoding = false;
    size_t hostCount = 0;
    while (!bytes.empty()) {
        const size_t eol = bytes.find("\r\n");
        const std::string_view line = bytes.substr(0, eol);
        bytes.remove_prefix(eol + 2);
        if (line.size() > limits.maxLineBytes)
            return {first ? 414 : 431, std::string(first ? "request line" : "a header line") + " longer than "
                                           + std::to_string(limits.maxLineBytes) + " bytes"};
        if (line.find_first_of("\r\n") != std::string_view::npos || line.find('\0') != std::string_view::npos)
            return bad("bare CR, LF or NUL in the request head");
        if (first) {
            first = false;
            const size_t sp1 = line.find(' ');
            const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
            if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
                return bad("malformed request line (expected METHOD TARGET HTTP/1.x)");
            head.method = std::string(line.substr(0, sp1));
            head.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
            head.version = std::string(line.substr(sp2 + 1));
            if (!isToken(head.method))
                return bad("malformed method in the request line");
            if (!isTarget(head.target) || (head.target.front() != '/' && head.target != "*"))
                return bad("malformed request target (expected a path starting with '/')");
            if (head.version != "HTTP/1.1" && head.version != "HTTP/1.0")
                return {505, "unsupported HTTP version '" + head.version + "' (HTTP/1.0 or HTTP/1.1)"};
            continue;
        }
        if (line.empty())
            return bad("empty line inside the request head");
        if (line.front() == ' ' || line.front() == '\t')
            return bad("obsolete header line folding is not accepted");
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos)
            return bad("header line without ':'");
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trimOws(line.substr(colon + 1));
        if (!isToken(name))
            return bad("malformed header name (no spaces before ':', token characters only)");
        if (!isFieldValue(value))
            return bad("control character in header '" + std::string(name) + "'");
        if (head.headers.size() >= limits.maxHeaders)
            return {431, "more than " + std::to_string(limits.maxHeaders) + " headers"};

        if (equalsIgnoreCase(name, "Content-Length")) {
            // A list ("5, 5") or repeats are allowed by RFC 9110 only when all values agree; a
            // smuggler relies on two parsers picking different ones, so any disagreement is fatal.
            size_t start = 0;
            while (start <= value.size()) {
                size_t comma = value.find(',', start);
                if (comma == std::string_view::npos)
                    comma = value.size();
                uint64_t n = 0;
                if (!parseDecimal(trimOws(value.substr(start, comma - start)), n))
                    return bad("invalid Content-Length '" + std::string(value) + "'");
                if (sawContentLength && n != head.contentLength)
                    return bad("conflicting Content-Length values");
                head.contentLength = n;
                sawContentLength = true;
                start = comma + 1;
            }
        } else if (equalsIgnoreCase(name, "Transfer-Encoding")) {
            if (sawTransferEncoding || !equalsIgnoreCase(value, "chunked"))
                return bad("unsupported Transfer-Encoding '" + std::string(value) + "' (only 'chunked')");
            sawTransferEncoding = true;
        } else if (equalsIgnoreCase(name, "Host")) {
            ++hostCount;
        } else if (equalsIgnoreCase(name, "Expect")) {
            if (!equalsIgnoreCase(value, "100-continue"))
                return {417, "unsupported Expect '" + std::string(value) + "'"};
            head.expectContinue = true;
        }
        head.headers.emplace_back(std::string(name), std::string(value));
    }
    if (first)
        return bad("empty request");
    if (sawContentLength && sawTransferEncoding)
        return bad("both Content-Length and Transfer-Encoding");
    if (sawTransferEncoding && head.version == "HTTP/1.0")
        return bad("Transfer-Encoding in an HTTP/1.0 request");
    if (hostCount > 1 || (hostCount == 0 && head.version == "HTTP/1.1"))
        return bad("an HTTP/1.1 request needs exactly one Host header");
    if (sawContentLength && head.contentLength > limits.maxBodyBytes)
        return {413, "request body of " + std::to_string(head.contentLength) + " bytes is larger than the limit of "
                         + std::to_string(limits.maxBodyBytes) + " bytes"};
    head.body = sawTransferEncoding ? RequestHead::Body::Chunked
                                    : (sawContentLength ? RequestHead::Body::Length : RequestHead::Body::None);
    if (head.body == RequestHead::Body::None)
        head.expectContinue = false;

    const auto connection = findHeader(head.headers, "Connection");
    if (head.version == "HTTP/1.1")
        head.keepAlive = !(connection && hasConnectionToken(*connection, "close"));
    else
        head.keepAlive = connection && hasConnectionToken(*connection, "keep-alive");
    return {};
}

std::string canonicalHead(const RequestHead& head, uint64_t bodySize)
{
    std::string out = head.method + " " + head.target + " " + head.version + "\r\n";
    for (const auto& [name, value] : head.headers) {
        // Accept-Encoding and Range are dropped too: cpp-httplib would otherwise compress or slice
        // responses (a compressed event stream arrives in bursts; a sliced JSON body is useless).
        if (equalsIgnoreCase(name, "Content-Length") || equalsIgnoreCase(name, "Transfer-Encoding")
            || equalsIgnoreCase(name, "Expect") || equalsIgnoreCase(name, "Accept-Encoding")
            || equalsIgnoreCase(name, "Range"))
            continue;
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    if (head.body != RequestHead::Body::None || bodySize > 0)
        out += "Content-Length: " + std::to_string(bodySize) + "\r\n";
    out += "\r\n";
    return out;
}

} // namespace hw
