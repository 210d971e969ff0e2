#pragma once
// Plain HTTP request/response values shared by HttpClient (libcurl) and HttpServer (sockets).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hw {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive header lookup; the first match wins.
std::optional<std::string> findHeader(const HttpHeaders& headers, std::string_view name);
bool equalsIgnoreCase(std::string_view a, std::string_view b);

// A request made by HttpClient.
struct HttpRequest {
    std::string method = "POST";       // GET, POST, ...
    std::string url;
    HttpHeaders headers;               // may hold secrets (Authorization): never log them
    std::string body;
    long timeoutMs = 60000;            // whole transfer, connect included
    long connectTimeoutMs = 10000;
};

// What came back. A transport failure (no HTTP status) has status 0 and `error` set.
struct HttpResponse {
    enum class Failure { None, Timeout, Connect, Cancelled, Other };

    long status = 0;
    HttpHeaders headers;
    std::string body;
    Failure failure = Failure::None;
    std::string error;                 // curl's message for transport failures
    double latencyMs = 0.0;            // submit (start of transfer) to last byte

    bool transportFailed() const { return failure != Failure::None; }
    std::optional<std::string> header(std::string_view name) const { return findHeader(headers, name); }
};

} // namespace hw
