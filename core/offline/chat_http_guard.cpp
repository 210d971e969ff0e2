#include "core/offline/chat_http_guard.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace hw {
namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// Compares without an early exit, so response timing does not reveal how much of a guess matched.
bool constantTimeEquals(const std::string& a, const std::string& b)
{
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i % std::max<size_t>(b.size(), 1)]);
    return diff == 0 && !b.empty();
}

} // namespace

HttpServerResponse openAiError(int status, const std::string& message, const std::string& type,
                               const std::string& param, const std::string& code)
{
    const nlohmann::json e = {{"error",
                               {{"message", message},
                                {"type", type},
                                {"param", param.empty() ? nlohmann::json(nullptr) : nlohmann::json(param)},
                                {"code", code.empty() ? nlohmann::json(nullptr) : nlohmann::json(code)}}}};
    return HttpServerResponse::json(status, e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

ChatHttpGuard::ChatHttpGuard(Options options) : m_options(std::move(options)), m_port(m_options.port)
{
    for (auto& h : m_options.allowedHosts)
        h = lower(h);
}

bool ChatHttpGuard::isLoopback(const std::string& host)
{
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

bool ChatHttpGuard::isWildcard(const std::string& host) { return host == "0.0.0.0" || host == "::"; }

bool ChatHttpGuard::hostAllowed(const std::string& hostHeader) const
{
    // Split "name:port" / "[v6]:port".
    std::string name = lower(hostHeader), port;
    if (!name.empty() && name.front() == '[') {
        const size_t close = name.find(']');
        if (close == std::string::npos)
            return false;
        port = close + 1 < name.size() && name[close + 1] == ':' ? name.substr(close + 2) : "";
        if (close + 1 < name.size() && name[close + 1] != ':')
            return false;
        name = name.substr(1, close - 1);
    } else if (const size_t colon = name.rfind(':'); colon != std::string::npos) {
        port = name.substr(colon + 1);
        name = name.substr(0, colon);
    }
    if (!port.empty() && port != std::to_string(m_port.load()))
        return false;
    if (name.empty())
        return false;
    if (std::find(m_options.allowedHosts.begin(), m_options.allowedHosts.end(), name) != m_options.allowedHosts.end())
        return true;
    const std::string& bound = m_options.boundHost;
    if (isWildcard(bound))
        return m_options.allowedHosts.empty() || isLoopback(name);
    if (isLoopback(bound))
        return name == "localhost" || name == "127.0.0.1" || name == "::1" || name == bound;
    return name == lower(bound);
}

std::optional<HttpServerResponse> ChatHttpGuard::check(const HttpServerRequest& req, bool needsAuth) const
{
    const auto host = req.header("Host");
    if (!host)
        return openAiError(400, "missing Host header", "invalid_request_error");
    if (!hostAllowed(*host))
        return openAiError(403,
                           "Host '" + *host + "' does not name this server (start it with --allow-host to accept other names)",
                           "invalid_request_error", "", "host_not_allowed");
    if (req.header("Origin"))
        return openAiError(403, "cross-origin (browser) requests are not accepted", "invalid_request_error", "",
                           "origin_not_allowed");
    if (needsAuth && !m_options.apiKey.empty()) {
        const std::string auth = req.header("Authorization").value_or("");
        const bool bearer = auth.size() > 7 && equalsIgnoreCase(auth.substr(0, 7), "Bearer ");
        if (!bearer || !constantTimeEquals(auth.substr(7), m_options.apiKey)) {
            auto r = openAiError(401, auth.empty() ? "missing API key (send Authorization: Bearer KEY)" : "invalid API key",
                                 "invalid_request_error", "", "invalid_api_key");
            r.headers.emplace_back("WWW-Authenticate", "Bearer");
            return r;
        }
    }
    if (req.method == "POST") {
        const std::string type = lower(req.header("Content-Type").value_or(""));
        std::string media = type.substr(0, type.find(';')); // parameters (charset) are fine
        media.erase(media.find_last_not_of(" \t") + 1);
        media.erase(0, media.find_first_not_of(" \t"));
        if (media != "application/json")
            return openAiError(415, "Content-Type must be application/json (got '" + type + "')",
                               "invalid_request_error");
    }
    return std::nullopt;
}

} // namespace hw
