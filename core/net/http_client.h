#pragma once
// Many HTTP requests in flight at once over one libcurl multi handle, with a bound.
//
//   HttpClient http(32);                      // at most 32 transfers running, the rest queue
//   auto id = http.submit(request, [](HttpResponse r) { ... });   // callback on the I/O thread
//   http.cancel(id);                          // callback then gets Failure::Cancelled
//   HttpResponse r = http.perform(request, stop);  // blocking; throws hw::Cancelled on stop
//
// One I/O thread drives every transfer, so a few hundred requests in flight cost one thread.
// Connections are kept alive and reused between requests to the same host. No retries here:
// retry policy belongs to the caller (LlmClient). Nothing is logged; headers may carry secrets.
#include "core/net/http_types.h"
#include "core/util/progress.h"

#include <cstdint>
#include <functional>
#include <memory>

namespace hw {

class HttpClient {
public:
    using Callback = std::function<void(HttpResponse)>;

    explicit HttpClient(int maxInFlight = 16);
    ~HttpClient();   // cancels what is still queued or running (callbacks get Cancelled), joins
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Queues a request; returns its id. `done` runs exactly once, on the I/O thread, and must be
    // quick (hand the response to another thread). Thread-safe.
    uint64_t submit(HttpRequest request, Callback done);
    // Stops a queued or running request; its callback gets Failure::Cancelled (unless it already
    // finished). Unknown ids are ignored. Thread-safe.
    void cancel(uint64_t id);

    // Blocking helper: submits and waits, checking `stop` every few milliseconds. On stop the
    // transfer is cancelled and hw::Cancelled is thrown. Transport failures are returned, not thrown.
    HttpResponse perform(HttpRequest request, const StopToken& stop = StopToken());

    void setMaxInFlight(int n);     // takes effect for transfers started from now on
    int maxInFlight() const;
    int inFlight() const;           // transfers running now
    int queued() const;             // submitted, waiting for a slot

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace hw
