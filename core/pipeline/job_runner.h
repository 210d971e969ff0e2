#pragma once
// The engine under every resumable pipeline job (relabel, regenerate, label, imagine).
//
// A job is a row of `jobs` plus one `job_items` row per finished item. The runner
//  - finds the unfinished job with the same kind and config hash (or creates one), so running the
//    same command again continues it;
//  - runs the items on `concurrency` worker threads, skipping those already done;
//  - commits each finished item in one transaction (its rows + its job_items row + the job's
//    counters), so a crash or kill -9 loses at most the items in flight; the LLM calls of those
//    are already in llm_calls (LlmClient records a reply before returning it), so nothing that
//    finished is ever sent again;
//  - reports progress (done/total, tokens, cost, ETA) and stops on the StopToken: no new item
//    starts, items in flight get JobHooks::stopGraceMs to finish, then their calls are cancelled;
//  - holds the job exclusively while it runs (JobLease: owner and heartbeat in the jobs row), so a
//    second process running the same job is refused, and a runner that was killed is taken over;
//  - keeps the failing exchange of an LLM error (request, last status and reply) with the failed
//    item, in job_items.result["exchange"], for the jobs panel.
//
//   SharedProject project(db);
//   JobRunner runner(project, {"relabel", "relabel counseling", configJson, 32, seed}, hooks);
//   auto keys = selectItems(runner.jobId());            // the job's item keys, stable across runs
//   JobSummary s = runner.run(keys, [&](const std::string& key, const StageContext& ctx) {
//       JobItemOutcome out = ...;                       // no lock held here: call the stage
//       out.commit = [=](Database& db, nlohmann::json& result) { ... }; // in the item's transaction
//       return out;
//   });
#include "core/pipeline/job_lease.h"
#include "core/pipeline/stages.h"
#include "core/util/progress.h"

#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hw {

class Database;

// One project connection shared by a job's threads: every use of `db` happens under `mutex`
// (ProjectCallCache takes the same mutex). While a job runs, nothing else may use `db`.
struct SharedProject {
    explicit SharedProject(Database& database) : db(database) {}
    Database& db;
    std::mutex mutex;

    template <typename Fn>
    auto with(Fn fn) -> decltype(fn(db))
    {
        std::lock_guard<std::mutex> lock(mutex);
        return fn(db);
    }
};

struct JobProgress {
    int64_t jobId = 0;
    std::string kind;
    int64_t total = 0;       // items of the job
    int64_t done = 0;        // finished, including earlier runs
    int64_t failed = 0;      // items whose last try failed (retryable)
    StageUsage usage;        // this run
    double elapsedS = 0.0;   // this run
    double etaS = -1.0;      // remaining, estimated from this run's pace; -1 = unknown
    std::string lastError;   // of the most recent failed item
};

struct JobHooks {
    StopToken stop;
    // Called from worker threads after each item (and once at the start); keep it cheap.
    std::function<void(const JobProgress&)> onProgress;
    // After a stop, items in flight get this long to finish and be saved (their tokens are paid
    // for) before their requests are cancelled. 0 = cancel at once.
    int stopGraceMs = 2000;
};

struct JobSummary {
    int64_t jobId = 0;
    std::string kind;
    std::string status;      // done | cancelled | failed
    int64_t total = 0;
    int64_t done = 0;
    int64_t failed = 0;
    int64_t skipped = 0;     // done in an earlier run of this job
    int64_t processed = 0;   // finished (done or failed) in this run
    StageUsage usage;        // this run only (a re-run replaying the cache shows requests = 0)
    double seconds = 0.0;
    std::string error;       // why the job failed
    nlohmann::json extra = nlohmann::json::object(); // stage counts (suggestions, discarded, ...)

    // {"job_id","kind","status","items":{"total","done","failed","skipped","processed"},
    //  "requests","cache_hits","retries","prompt_tokens","completion_tokens","tokens","cost",
    //  "seconds", "error", ...extra}
    nlohmann::json toJson() const;
};

// What a work function returns for one item.
struct JobItemOutcome {
    bool ok = false;
    std::string error;                     // item failure (retryable)
    nlohmann::json result = nlohmann::json::object(); // stored in job_items.result
    StageUsage usage;
    // Writes the item's rows. Runs under the project mutex inside the item's transaction, for
    // failed items too (e.g. to keep a failed suggestion with its raw reply); may add to the
    // item's stored result (e.g. the new dialogue's id). May be empty.
    std::function<void(Database&, nlohmann::json& result)> commit;
    nlohmann::json counts = nlohmann::json::object(); // added into JobSummary::extra, e.g. {"suggestions":3}
};

// Stable per-item seed: mixes the job seed with the item key.
uint64_t itemSeed(uint64_t jobSeed, const std::string& key);

class JobRunner {
public:
    struct Options {
        std::string kind;
        std::string name;
        // Complete description of the job (stored in jobs.config). Hashed without
        // "concurrency" to recognise a re-run of the same job.
        nlohmann::json config = nlohmann::json::object();
        int concurrency = 8;
        uint64_t seed = 0;
        bool resume = true;                // false: always start a new job
        // The job's lease: refreshed this often while it runs; another runner's lease whose
        // heartbeat is older than leaseStaleAfterS is taken over (one on this host whose process
        // is gone, at once).
        int leaseHeartbeatMs = 5000;
        double leaseStaleAfterS = 60.0;
    };
    using Work = std::function<JobItemOutcome(const std::string& key, const StageContext& ctx)>;

    // Opens the job (resumed or new) and takes its lease. Throws hw::Error, among others when
    // another live runner holds the job ("job 12 (relabel persuasion) is already being run by ...").
    JobRunner(SharedProject& project, Options options, JobHooks hooks);
    ~JobRunner();                       // gives the lease back if run() did not
    JobRunner(const JobRunner&) = delete;
    JobRunner& operator=(const JobRunner&) = delete;

    // The resumed job's id; -1 for a new job until run() creates its row (use it as is in
    // selection queries: "items of other jobs" then means every job). run() creates no row when
    // there is nothing to do (JobSummary::jobId = 0).
    int64_t jobId() const { return m_jobId; }
    bool resumed() const { return m_resumed; }
    static std::string configHash(const nlohmann::json& config);

    // Processes `keys` (the job's full item list, in order); items already done are skipped.
    // Failed items of an earlier run are tried again with ctx.attempt increased.
    // Returns when every item is finished, on stop (status cancelled), or after a fatal error
    // (StageError::fatal, LlmError::fatal, a configuration error, the lease taken over by another
    // runner: status failed). Throws hw::Error when the new job's row cannot be created, or when
    // another runner created and holds the same job meanwhile.
    JobSummary run(const std::vector<std::string>& keys, const Work& work);

private:
    SharedProject& m_project;
    Options m_options;
    JobHooks m_hooks;
    int64_t m_jobId = 0;
    bool m_resumed = false;
    StageUsage m_previousUsage;       // of earlier runs, from jobs.summary
    JobLease m_lease;
};

} // namespace hw
