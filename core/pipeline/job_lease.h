#pragma once
// Exclusive ownership of a job while it runs, across processes (two `hindsight` runs, or the CLI
// and the workbench): the runner writes its owner token and a heartbeat into its jobs row, and a
// second runner of the same job is refused while that owner is alive.
//
//   JobLease lease;
//   lease.acquire(db, jobId, 60.0);   // BEGIN IMMEDIATE; throws hw::Error naming the job and owner
//   ... lease.heartbeat(db) every few seconds (false: another runner took the job over) ...
//   lease.release(db);
//
// An owner counts as gone (its lease may be taken over, so a job killed with kill -9 resumes)
// when its process no longer exists on this host, or, for an owner on another host or a live
// process that stopped beating (suspended, hung, pid reused), when its heartbeat is older than
// the stale limit. A runner that lost its lease notices on its next heartbeat or item commit.
#include "core/util/liveness.h" // unixSeconds(), the heartbeat clock

#include <cstdint>
#include <optional>
#include <string>

namespace hw {

class Database;

struct JobOwner {
    std::string token;       // unique per runner: host/pid/random
    std::string host;
    int64_t pid = 0;
    std::string program;     // "hindsight", "hindsight-workbench", ...
    double heartbeat = 0.0;  // unix seconds of the last sign of life

    // "hindsight (pid 4242 on host lab-3), last heartbeat 2 s ago"
    std::string describe(double now) const;
};

// This process's identity with a fresh token.
JobOwner makeJobOwner();

// Whether `owner` still holds its lease, as seen from this process at `now`.
bool jobOwnerAlive(const JobOwner& owner, double now, double staleAfterS);

// The current owner of a job (nullopt: nobody holds it). Needs schema version 2.
std::optional<JobOwner> jobOwner(Database& db, int64_t jobId);

// Throws the "already being run by" hw::Error when a live owner other than `self` holds the job.
void refuseIfHeld(Database& db, int64_t jobId, const std::string& label, double staleAfterS,
                  const std::string& selfToken = "");

// BEGIN IMMEDIATE at the top level (the write lock is taken before anything is read, so two
// processes cannot both see a job as free); a savepoint inside a caller's transaction.
class ImmediateTransaction {
public:
    explicit ImmediateTransaction(Database& db);
    ~ImmediateTransaction();   // rolls back unless committed
    void commit();
    ImmediateTransaction(const ImmediateTransaction&) = delete;
    ImmediateTransaction& operator=(const ImmediateTransaction&) = delete;

private:
    Database& m_db;
    bool m_top;
    std::string m_savepoint;
    bool m_done = false;
};

class JobLease {
public:
    JobLease();
    ~JobLease();   // forgets the token in this process; call release() to clear the row
    JobLease(const JobLease&) = delete;
    JobLease& operator=(const JobLease&) = delete;

    // Takes job `jobId`, in a BEGIN IMMEDIATE transaction of its own (or inside the caller's
    // transaction when one is open). `label` names the job in the error. Throws hw::Error when a
    // live owner holds it: "job 12 (relabel persuasion) is already being run by ...".
    void acquire(Database& db, int64_t jobId, const std::string& label, double staleAfterS);
    bool held() const { return m_jobId > 0; }
    int64_t jobId() const { return m_jobId; }
    const JobOwner& owner() const { return m_me; }

    // Records a sign of life (and jobs.updated_at). False when the row no longer names this
    // runner: another one took the job over.
    bool heartbeat(Database& db);
    // True while the row names this runner (cheap; call inside an item's transaction).
    bool stillOwned(Database& db);
    // Who holds the job now (for the "taken over" message).
    std::string holderDescription(Database& db);
    // Clears the owner columns when they still name this runner. Never throws.
    void release(Database& db) noexcept;

private:
    JobOwner m_me;
    int64_t m_jobId = 0;
};

} // namespace hw
