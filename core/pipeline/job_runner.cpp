#include "core/pipeline/job_runner.h"

#include "core/llm/llm_client.h"
#include "core/llm/sha256.h"
#include "core/store/job_store.h"
#include "core/pipeline/stage_description.h"
#include "core/store/database.h"

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <thread>

namespace hw {
namespace {

using Clock = std::chrono::steady_clock;

uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

StageUsage usageFromJson(const nlohmann::json& j)
{
    StageUsage u;
    u.requests = j.value("requests", int64_t(0));
    u.cacheHits = j.value("cache_hits", int64_t(0));
    u.retries = j.value("retries", int64_t(0));
    u.promptTokens = j.value("prompt_tokens", int64_t(0));
    u.completionTokens = j.value("completion_tokens", int64_t(0));
    u.cost = j.value("cost", 0.0);
    u.latencyMs = j.value("latency_ms", 0.0);
    return u;
}

void addCounts(nlohmann::json& into, const nlohmann::json& counts)
{
    for (auto it = counts.begin(); it != counts.end(); ++it) {
        if (!it.value().is_number())
            continue;
        if (it.value().is_number_integer())
            into[it.key()] = into.value(it.key(), int64_t(0)) + it.value().get<int64_t>();
        else
            into[it.key()] = into.value(it.key(), 0.0) + it.value().get<double>();
    }
}

} // namespace

uint64_t itemSeed(uint64_t jobSeed, const std::string& key)
{
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : key) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return splitmix64(jobSeed ^ splitmix64(h));
}

nlohmann::json JobSummary::toJson() const
{
    nlohmann::json j = extra.is_object() ? extra : nlohmann::json::object();
    j["job_id"] = jobId;
    j["kind"] = kind;
    j["status"] = status;
    j["items"] = {{"total", total}, {"done", done}, {"failed", failed}, {"skipped", skipped}, {"processed", processed}};
    const nlohmann::json u = usage.toJson();
    for (auto it = u.begin(); it != u.end(); ++it)
        j[it.key()] = it.value();
    j["tokens"] = usage.promptTokens + usage.completionTokens;
    j["seconds"] = seconds;
    if (!error.empty())
        j["error"] = error;
    return j;
}

// Which variable holds an endpoint's key does not change what a job computes: left out of its
// identity, so recording it (LlmBackend::describe) does not orphan jobs recorded without it.
static void eraseKeyVariables(nlohmann::json& j)
{
    if (j.is_object()) {
        j.erase("api_key_env");
        for (auto& v : j)
            eraseKeyVariables(v);
    } else if (j.is_array()) {
        for (auto& v : j)
            eraseKeyVariables(v);
    }
}

std::string JobRunner::configHash(const nlohmann::json& config)
{
    nlohmann::json c = config;
    // A stage description (stage_description.h) is identified by what its results depend on.
    if (c.is_object() && c.contains("backends") && c.contains("version"))
        return sha256Hex(c.get<StageDescription>().identity().dump()).substr(0, 32);
    if (c.is_object()) {
        c.erase("concurrency");
        c.erase("config_hash");
        c.erase("request"); // an evaluation's: how to start it again, not what it computes
        if (c.contains("stage"))
            eraseKeyVariables(c["stage"]);
    }
    return sha256Hex(c.dump()).substr(0, 32);
}

JobRunner::JobRunner(SharedProject& project, Options options, JobHooks hooks)
    : m_project(project), m_options(std::move(options)), m_hooks(std::move(hooks))
{
    nlohmann::json config = m_options.config;
    const std::string hash = configHash(config);
    config["config_hash"] = hash;
    m_options.config = config;
    m_project.with([&](Database& db) {
        JobStore jobs(db);
        if (m_options.resume) {
            if (auto found = jobs.findResumable(m_options.kind, hash)) {
                // Refused here when another live runner holds it.
                m_lease.acquire(db, found->id, m_options.name.empty() ? m_options.kind : m_options.name,
                                m_options.leaseStaleAfterS);
                m_jobId = found->id;
                m_resumed = true;
                m_previousUsage = usageFromJson(found->summary.value("usage", nlohmann::json::object()));
                return;
            }
        }
        // Created in run() when there is something to do, so that re-running a finished job
        // leaves no empty rows behind.
        m_jobId = -1;
    });
}

JobRunner::~JobRunner()
{
    if (m_lease.held())
        m_project.with([&](Database& db) { m_lease.release(db); });
}

JobSummary JobRunner::run(const std::vector<std::string>& keys, const Work& work)
{
    const auto started = Clock::now();
    JobSummary summary;
    summary.kind = m_options.kind;
    summary.total = static_cast<int64_t>(keys.size());
    if (m_jobId < 0) {
        if (keys.empty()) {
            summary.status = "done";
            summary.jobId = 0;
            return summary;
        }
        const std::string label = m_options.name.empty() ? m_options.kind : m_options.name;
        m_jobId = m_project.with([&](Database& db) {
            // Create and take the job under the write lock: two runs of the same command started
            // together must not both create it (the second one is refused instead).
            ImmediateTransaction tx(db);
            JobStore jobs(db);
            if (m_options.resume)
                if (auto other = jobs.findResumable(m_options.kind, m_options.config.value("config_hash", std::string())))
                    refuseIfHeld(db, other->id, label, m_options.leaseStaleAfterS);
            const int64_t id = jobs.create(m_options.kind, m_options.name, m_options.config);
            m_lease.acquire(db, id, label, m_options.leaseStaleAfterS);
            tx.commit();
            return id;
        });
    }
    summary.jobId = m_jobId;

    // Item state as of now.
    std::map<std::string, std::string> state; // key -> done|failed
    nlohmann::json extraTotals = nlohmann::json::object();
    m_project.with([&](Database& db) {
        JobStore jobs(db);
        Transaction tx(db);
        const std::set<std::string> keySet(keys.begin(), keys.end());
        for (const auto& k : jobs.doneKeys(m_jobId))
            if (keySet.count(k))
                state[k] = "done";
        for (const auto& it : jobs.failedItems(m_jobId))
            if (keySet.count(it.key))
                state[it.key] = "failed";
        if (auto rec = jobs.get(m_jobId))
            extraTotals = rec->summary.value("counts", nlohmann::json::object());
        jobs.setTotal(m_jobId, summary.total);
        jobs.setStatus(m_jobId, "running");
        tx.commit();
    });
    std::vector<std::string> pending;
    for (const auto& k : keys) {
        const auto it = state.find(k);
        if (it != state.end() && it->second == "done")
            ++summary.skipped;
        else
            pending.push_back(k);
    }

    std::mutex stateMutex; // guards state, the counters, usage, extraTotals, lastError
    int64_t doneCount = 0, failedCount = 0;
    for (const auto& [k, st] : state)
        (st == "done" ? doneCount : failedCount)++;
    auto counts = [&](int64_t& done, int64_t& failed) {
        done = doneCount;
        failed = failedCount;
    };
    auto setState = [&](const std::string& key, const std::string& st) {
        auto it = state.find(key);
        if (it != state.end())
            (it->second == "done" ? doneCount : failedCount)--;
        state[key] = st;
        (st == "done" ? doneCount : failedCount)++;
    };
    // Earlier failures per item over every job of this kind (the retry's attempt number).
    std::map<std::string, int> attempts = m_project.with([&](Database& db) { return JobStore(db).failedAttemptsByKey(m_options.kind); });
    std::string lastError;
    StageUsage runUsage;
    int64_t processed = 0;

    auto progress = [&] {
        if (!m_hooks.onProgress)
            return;
        JobProgress p;
        p.jobId = m_jobId;
        p.kind = m_options.kind;
        {
            std::lock_guard<std::mutex> lock(stateMutex);
            p.total = summary.total;
            counts(p.done, p.failed);
            p.usage = runUsage;
            p.lastError = lastError;
            p.elapsedS = std::chrono::duration<double>(Clock::now() - started).count();
            const int64_t remaining = static_cast<int64_t>(pending.size()) - processed;
            if (processed > 0)
                p.etaS = p.elapsedS / static_cast<double>(processed) * static_cast<double>(std::max<int64_t>(0, remaining));
        }
        m_hooks.onProgress(p);
    };
    progress();

    StopToken jobStop;  // no new items: user stop, or a fatal error in any worker
    StopToken hardStop; // cancel the calls in flight: fatal error, or the grace period is over
    std::atomic<size_t> next{0};
    std::string fatalError;
    std::mutex fatalMutex;
    auto setFatal = [&](const std::string& e) {
        std::lock_guard<std::mutex> lock(fatalMutex);
        if (fatalError.empty())
            fatalError = e;
        jobStop.requestStop();
        hardStop.requestStop();
    };

    const int threads = std::max(1, std::min<int>(m_options.concurrency, static_cast<int>(pending.size())));
    std::atomic<bool> leaseLost{false};
    std::atomic<int> transportStreak{0};
    JobStore itemJobs(m_project.db); // used under the project mutex only
    auto worker = [&] {
        for (;;) {
            if (jobStop.stopRequested())
                return;
            const size_t idx = next++;
            if (idx >= pending.size())
                return;
            const std::string& key = pending[idx];
            StageContext ctx;
            ctx.stop = hardStop;
            ctx.jobId = m_jobId;
            ctx.seed = itemSeed(m_options.seed, key);
            ctx.itemKey = key;
            {
                std::lock_guard<std::mutex> lock(stateMutex);
                const auto it = attempts.find(key);
                ctx.attempt = it == attempts.end() ? 0 : it->second;
            }

            JobItemOutcome out;
            bool stopAfterSaving = false; // a fatal error whose item is still worth keeping
            try {
                out = work(key, ctx);
            } catch (const Cancelled&) {
                return; // not recorded: the item runs again next time
            } catch (const StageError& e) {
                if (e.fatal()) {
                    setFatal(e.what());
                    return;
                }
                out = JobItemOutcome();
                out.error = e.what();
            } catch (const LlmError& e) {
                // A dead endpoint fails every item slowly: stop after a run of transport failures.
                // Its last item is not recorded (nothing came back; the job's error says why).
                const bool unreachable = e.kind() == LlmError::Kind::Exhausted && e.status() == 0;
                const int streak = unreachable ? ++transportStreak : (transportStreak = 0);
                if (streak >= std::max(3, threads)) {
                    setFatal(e.what());
                    return;
                }
                out = JobItemOutcome();
                out.error = e.what();
                // Only answered calls reach the call cache: keep the failing request and reply
                // with the item so the jobs panel can show them.
                if (!e.exchange().empty())
                    out.result["exchange"] = e.exchange().toJson();
                // An endpoint that refuses (401/403/404) did answer: its reply is kept with the
                // item, then the job stops.
                if (e.fatal()) {
                    setFatal(e.what());
                    stopAfterSaving = true;
                }
            } catch (const std::exception& e) {
                setFatal(std::string(key) + ": " + e.what());
                return;
            }
            if (out.ok)
                transportStreak = 0;
            if (!out.ok && out.error.empty())
                out.error = "failed";

            try {
                m_project.with([&](Database& db) {
                    JobStore& jobs = itemJobs;
                    Transaction tx(db);
                    // Another runner took the job over (this one looked dead): write nothing more.
                    if (!m_lease.stillOwned(db)) {
                        leaseLost = true;
                        throw Error("job " + std::to_string(m_jobId) + " was taken over by "
                                    + m_lease.holderDescription(db));
                    }
                    nlohmann::json result = out.result;
                    if (out.commit)
                        out.commit(db, result);
                    if (!out.ok) {
                        const auto prev = jobs.item(m_jobId, key);
                        const int before = prev && prev->status == "failed" ? prev->result.value("attempts", 1) : 0;
                        result["attempts"] = before + 1;
                    }
                    result["llm_call_ids"] = out.usage.callIds;
                    jobs.recordItem(m_jobId, key, out.ok ? "done" : "failed", result, out.error);
                    int64_t done = 0, failed = 0;
                    nlohmann::json summaryJson;
                    {
                        std::lock_guard<std::mutex> lock(stateMutex);
                        setState(key, out.ok ? "done" : "failed");
                        if (!out.ok)
                            ++attempts[key];
                        counts(done, failed);
                        StageUsage total = m_previousUsage;
                        total += runUsage;
                        total += out.usage;
                        total.callIds.clear();
                        nlohmann::json newTotals = extraTotals;
                        addCounts(newTotals, out.counts);
                        summaryJson = {{"usage", total.toJson()}, {"counts", newTotals}};
                    }
                    jobs.setProgress(m_jobId, done, failed, summaryJson);
                    tx.commit();
                    // Still under the project lock: the next item's summary includes this one.
                    std::lock_guard<std::mutex> lock(stateMutex);
                    out.usage.callIds.clear(); // stored per item in job_items; not summed per run
                    runUsage += out.usage;
                    addCounts(extraTotals, out.counts);
                });
            } catch (const std::exception& e) {
                setFatal(leaseLost ? std::string(e.what()) : std::string("cannot save ") + key + ": " + e.what());
                return;
            }
            {
                std::lock_guard<std::mutex> lock(stateMutex);
                ++processed;
                if (!out.ok)
                    lastError = key + ": " + out.error;
            }
            progress();
            if (stopAfterSaving)
                return;
        }
    };

    std::vector<std::thread> pool;
    if (!pending.empty())
        for (int i = 0; i < threads; ++i)
            pool.emplace_back(worker);
    // Forward the caller's stop to the workers' token while they run.
    std::atomic<bool> finished{false};
    // It also keeps the lease alive, and stops the job when another runner took it over.
    std::thread watcher([&] {
        std::optional<Clock::time_point> stoppedAt;
        auto lastBeat = Clock::now();
        while (!finished.load()) {
            if (Clock::now() - lastBeat >= std::chrono::milliseconds(std::max(1, m_options.leaseHeartbeatMs))) {
                lastBeat = Clock::now();
                try {
                    std::string holder;
                    const bool ours = m_project.with([&](Database& db) {
                        if (m_lease.heartbeat(db))
                            return true;
                        holder = m_lease.holderDescription(db);
                        return false;
                    });
                    if (!ours) {
                        leaseLost = true;
                        setFatal("job " + std::to_string(m_jobId) + " was taken over by " + holder);
                    }
                } catch (const std::exception&) {
                    // Busy file: try again at the next beat (the stale limit is many beats long).
                }
            }
            if (m_hooks.stop.stopRequested() && !stoppedAt) {
                stoppedAt = Clock::now();
                jobStop.requestStop();
            }
            if (stoppedAt && Clock::now() - *stoppedAt >= std::chrono::milliseconds(m_hooks.stopGraceMs))
                hardStop.requestStop();
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    });
    for (auto& t : pool)
        t.join();
    finished = true;
    watcher.join();

    {
        std::lock_guard<std::mutex> lock(stateMutex);
        counts(summary.done, summary.failed);
        summary.usage = runUsage;
        summary.processed = processed;
        summary.extra = extraTotals;
    }
    summary.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (!fatalError.empty()) {
        summary.status = "failed";
        summary.error = fatalError;
    } else if (m_hooks.stop.stopRequested() && processed < static_cast<int64_t>(pending.size())) {
        summary.status = "cancelled";
    } else {
        summary.status = "done";
    }
    m_project.with([&](Database& db) {
        // A job taken over belongs to its new runner: leave its row alone.
        if (!leaseLost)
            JobStore(db).setStatus(m_jobId, summary.status, summary.error);
        m_lease.release(db);
    });
    progress();
    return summary;
}

} // namespace hw
