#pragma once
// The checks `hindsight serve` makes on every request before it is parsed, so that a web page in
// the user's browser cannot drive the model and a network peer needs the token:
//   - Host must name this server (a DNS-rebinding page sends its own name): on a loopback
//     address localhost / 127.0.0.1 / [::1], on another address that address, plus any names
//     allowed explicitly; on 0.0.0.0 or :: any name (a token is required there).
//   - Origin present = a browser's cross-origin request: refused (no CORS headers are ever sent,
//     so preflights fail too).
//   - With an API key: "Authorization: Bearer KEY", compared in constant time (401 otherwise).
//   - A POST body must be declared "Content-Type: application/json" (415): a page can only send
//     text/plain or form bodies without a CORS preflight.
#include "core/net/http_server.h"

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hw {

// {"error":{"message","type","param","code"}}, the shape OpenAI clients parse. Never throws: text
// that is not valid UTF-8 (echoed from a request) is replaced, not an exception.
HttpServerResponse openAiError(int status, const std::string& message, const std::string& type,
                               const std::string& param = "", const std::string& code = "");

class ChatHttpGuard {
public:
    struct Options {
        std::string boundHost = "127.0.0.1";
        uint16_t port = 0;                    // the bound port (Host may name it or omit it)
        std::string apiKey;                   // "" = no authentication
        std::vector<std::string> allowedHosts; // extra names for Host (lower case)
    };

    explicit ChatHttpGuard(Options options);

    // nullopt when the request may go on; otherwise the refusal to send. `needsAuth` is false for
    // the unauthenticated /health probe.
    std::optional<HttpServerResponse> check(const HttpServerRequest& req, bool needsAuth) const;

    // The bound port, once known (port 0 = any free port is resolved by HttpServer::start()).
    void setPort(uint16_t port) { m_port = port; }

    static bool isLoopback(const std::string& host);
    static bool isWildcard(const std::string& host);

private:
    bool hostAllowed(const std::string& hostHeader) const;

    Options m_options;
    std::atomic<uint16_t> m_port;
};

} // namespace hw
