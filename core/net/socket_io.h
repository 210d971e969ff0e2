#pragma once
// Small POSIX socket helpers shared by the HTTP server's connection code.
#include <string>
#include <string_view>

namespace hw {

// Sends all of `data`, waiting at most `timeoutMs` for the socket to accept each part (a client
// that stops reading cannot hold a thread forever). False when the peer is gone or too slow.
bool sendAll(int fd, std::string_view data, int timeoutMs);

// "127.0.0.1" / "::1" of the peer (no port); "" when unknown.
std::string peerIp(int fd);

} // namespace hw
