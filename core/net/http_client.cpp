#include "core/net/http_client.h"

#include "core/util/error.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace hw {
namespace {

using Clock = std::chrono::steady_clock;

// Loopback servers (local vLLM, llama.cpp, the tests' fake server) are never reached through a
// proxy, whatever http_proxy says; the user's no_proxy list is kept.
const std::string& noProxyList()
{
    static const std::string list = [] {
        std::string l;
        for (const char* name : {"no_proxy", "NO_PROXY"})
            if (const char* v = std::getenv(name); v && *v) {
                l = v;
                break;
            }
        return l + (l.empty() ? "" : ",") + "127.0.0.1,localhost,::1";
    }();
    return list;
}

void globalInit()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

HttpResponse::Failure failureOf(CURLcode code)
{
    switch (code) {
    case CURLE_OK: return HttpResponse::Failure::None;
    case CURLE_OPERATION_TIMEDOUT: return HttpResponse::Failure::Timeout;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return HttpResponse::Failure::Connect;
    default: return HttpResponse::Failure::Other;
    }
}

struct Transfer {
    uint64_t id = 0;
    HttpRequest request;
    HttpResponse response;
    HttpClient::Callback done;
    CURL* easy = nullptr;
    curl_slist* headerList = nullptr;
    Clock::time_point started;
    char errorBuffer[CURL_ERROR_SIZE] = {0};

    ~Transfer()
    {
        if (headerList)
            curl_slist_free_all(headerList);
        if (easy)
            curl_easy_cleanup(easy);
    }
};

size_t onBody(char* data, size_t size, size_t n, void* user)
{
    static_cast<Transfer*>(user)->response.body.append(data, size * n);
    return size * n;
}

size_t onHeader(char* data, size_t size, size_t n, void* user)
{
    auto* t = static_cast<Transfer*>(user);
    std::string line(data, size * n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
        line.pop_back();
    if (line.rfind("HTTP/", 0) == 0) {
        t->response.headers.clear(); // a new response (after 100 Continue or a redirect)
    } else if (const auto colon = line.find(':'); colon != std::string::npos) {
        std::string value = line.substr(colon + 1);
        const auto first = value.find_first_not_of(" \t");
        value = first == std::string::npos ? std::string() : value.substr(first);
        t->response.headers.emplace_back(line.substr(0, colon), value);
    }
    return size * n;
}

} // namespace

struct HttpClient::Impl {
    CURLM* multi = nullptr;
    std::thread io;

    mutable std::mutex mutex;
    std::deque<std::unique_ptr<Transfer>> pending;
    std::vector<uint64_t> cancels;
    bool stopping = false;
    int maxInFlight = 16;
    std::atomic<int> running{0};
    std::atomic<uint64_t> nextId{1};

    // Owned by the I/O thread only.
    std::map<uint64_t, std::unique_ptr<Transfer>> active;

    void wake() { curl_multi_wakeup(multi); }

    void start(std::unique_ptr<Transfer> t)
    {
        t->easy = curl_easy_init();
        if (!t->easy) {
            t->response.failure = HttpResponse::Failure::Other;
            t->response.error = "curl_easy_init failed";
            finish(std::move(t));
            return;
        }
        CURL* e = t->easy;
        const HttpRequest& r = t->request;
        curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, r.timeoutMs);
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, r.connectTimeoutMs);
        curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
        curl_easy_setopt(e, CURLOPT_NOPROXY, noProxyList().c_str());
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errorBuffer);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &onBody);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &onHeader);
        curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
        curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
        if (r.method == "GET") {
            curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        } else {
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
            if (r.method != "POST")
                curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
        }
        // "Expect:" off: otherwise curl waits for "100 Continue" before sending bodies > 1 KiB.
        t->headerList = curl_slist_append(t->headerList, "Expect:");
        for (const auto& [k, v] : r.headers)
            t->headerList = curl_slist_append(t->headerList, (k + ": " + v).c_str());
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headerList);

        t->started = Clock::now();
        if (curl_multi_add_handle(multi, e) != CURLM_OK) {
            t->response.failure = HttpResponse::Failure::Other;
            t->response.error = "curl_multi_add_handle failed";
            finish(std::move(t));
            return;
        }
        ++running;
        const uint64_t id = t->id;
        active.emplace(id, std::move(t));
    }

    static void finish(std::unique_ptr<Transfer> t)
    {
        auto cb = std::move(t->done);
        HttpResponse response = std::move(t->response);
        t.reset(); // free curl handles before the callback, which may submit again
        if (cb)
            cb(std::move(response));
    }

    void complete(CURL* easy, CURLcode code)
    {
        Transfer* raw = nullptr;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, reinterpret_cast<char**>(&raw));
        curl_multi_remove_handle(multi, easy);
        --running;
        auto it = active.find(raw->id);
        std::unique_ptr<Transfer> t = std::move(it->second);
        active.erase(it);
        t->response.latencyMs =
            std::chrono::duration<double, std::milli>(Clock::now() - t->started).count();
        t->response.failure = failureOf(code);
        if (code == CURLE_OK) {
            long status = 0;
            curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
            t->response.status = status;
        } else {
            t->response.status = 0;
            t->response.error = t->errorBuffer[0] ? std::string(t->errorBuffer) : curl_easy_strerror(code);
        }
        finish(std::move(t));
    }

    void cancelNow(uint64_t id, std::deque<std::unique_ptr<Transfer>>& queuedToCancel)
    {
        auto it = active.find(id);
        if (it == active.end())
            return;
        std::unique_ptr<Transfer> t = std::move(it->second);
        active.erase(it);
        curl_multi_remove_handle(multi, t->easy);
        --running;
        t->response.failure = HttpResponse::Failure::Cancelled;
        t->response.error = "cancelled";
        t->response.latencyMs =
            std::chrono::duration<double, std::milli>(Clock::now() - t->started).count();
        queuedToCancel.push_back(std::move(t));
    }

    void loop()
    {
        for (;;) {
            std::deque<std::unique_ptr<Transfer>> toStart;
            std::deque<std::unique_ptr<Transfer>> cancelled;
            std::vector<uint64_t> cancelIds;
            bool stop = false;
            {
                std::lock_guard<std::mutex> lock(mutex);
                stop = stopping;
                cancelIds.swap(cancels);
                // Cancel requests for transfers still waiting in the queue.
                for (uint64_t id : cancelIds) {
                    auto it = std::find_if(pending.begin(), pending.end(),
                                           [&](const auto& t) { return t->id == id; });
                    if (it != pending.end()) {
                        (*it)->response.failure = HttpResponse::Failure::Cancelled;
                        (*it)->response.error = "cancelled";
                        cancelled.push_back(std::move(*it));
                        pending.erase(it);
                    }
                }
                if (stop) {
                    for (auto& t : pending) {
                        t->response.failure = HttpResponse::Failure::Cancelled;
                        t->response.error = "cancelled";
                        cancelled.push_back(std::move(t));
                    }
                    pending.clear();
                } else {
                    while (!pending.empty()
                           && static_cast<int>(active.size() + toStart.size()) < maxInFlight) {
                        toStart.push_back(std::move(pending.front()));
                        pending.pop_front();
                    }
                }
            }
            for (uint64_t id : cancelIds)
                cancelNow(id, cancelled);
            if (stop) {
                std::vector<uint64_t> ids;
                for (const auto& [id, t] : active)
                    ids.push_back(id);
                for (uint64_t id : ids)
                    cancelNow(id, cancelled);
            }
            for (auto& t : cancelled)
                finish(std::move(t));
            if (stop)
                return;
            for (auto& t : toStart)
                start(std::move(t));

            int stillRunning = 0;
            curl_multi_perform(multi, &stillRunning);
            int left = 0;
            while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
                if (msg->msg == CURLMSG_DONE)
                    complete(msg->easy_handle, msg->data.result);
            }
            bool more = false;
            {
                std::lock_guard<std::mutex> lock(mutex);
                more = !cancels.empty() || stopping
                       || (!pending.empty() && static_cast<int>(active.size()) < maxInFlight);
            }
            if (!more)
                curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
        }
    }
};

HttpClient::HttpClient(int maxInFlight) : m_impl(std::make_unique<Impl>())
{
    globalInit();
    m_impl->maxInFlight = std::max(1, maxInFlight);
    m_impl->multi = curl_multi_init();
    if (!m_impl->multi)
        throw Error("cannot initialise libcurl (curl_multi_init failed)");
    curl_multi_setopt(m_impl->multi, CURLMOPT_MAXCONNECTS, static_cast<long>(std::max(16, 2 * maxInFlight)));
    m_impl->io = std::thread([impl = m_impl.get()] { impl->loop(); });
}

HttpClient::~HttpClient()
{
    {
        std::lock_guard<std::mutex> lock(m_impl->mutex);
        m_impl->stopping = true;
    }
    m_impl->wake();
    m_impl->io.join();
    curl_multi_cleanup(m_impl->multi);
}

uint64_t HttpClient::submit(HttpRequest request, Callback done)
{
    auto t = std::make_unique<Transfer>();
    t->id = m_impl->nextId++;
    t->request = std::move(request);
    t->done = std::move(done);
    const uint64_t id = t->id;
    {
        std::lock_guard<std::mutex> lock(m_impl->mutex);
        if (m_impl->stopping)
            throw Error("HTTP client is shutting down");
        m_impl->pending.push_back(std::move(t));
    }
    m_impl->wake();
    return id;
}

void HttpClient::cancel(uint64_t id)
{
    {
        std::lock_guard<std::mutex> lock(m_impl->mutex);
        m_impl->cancels.push_back(id);
    }
    m_impl->wake();
}

HttpResponse HttpClient::perform(HttpRequest request, const StopToken& stop)
{
    struct Shared {
        std::mutex m;
        std::condition_variable cv;
        bool done = false;
        HttpResponse response;
    };
    auto shared = std::make_shared<Shared>();
    const uint64_t id = submit(std::move(request), [shared](HttpResponse r) {
        std::lock_guard<std::mutex> lock(shared->m);
        shared->response = std::move(r);
        shared->done = true;
        shared->cv.notify_all();
    });
    std::unique_lock<std::mutex> lock(shared->m);
    bool cancelSent = false;
    while (!shared->done) {
        shared->cv.wait_for(lock, std::chrono::milliseconds(10));
        if (!shared->done && !cancelSent && stop.stopRequested()) {
            cancel(id);
            cancelSent = true;
        }
    }
    if (shared->response.failure == HttpResponse::Failure::Cancelled)
        throw Cancelled();
    return std::move(shared->response);
}

void HttpClient::setMaxInFlight(int n)
{
    {
        std::lock_guard<std::mutex> lock(m_impl->mutex);
        m_impl->maxInFlight = std::max(1, n);
    }
    m_impl->wake();
}

int HttpClient::maxInFlight() const
{
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    return m_impl->maxInFlight;
}

int HttpClient::inFlight() const { return m_impl->running.load(); }

int HttpClient::queued() const
{
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    return static_cast<int>(m_impl->pending.size());
}

} // namespace hw
