#include "core/pipeline/job_lease.h"

#include "core/store/database.h"
#include "core/util/error.h"
#include "core/util/liveness.h"

#include <sqlite3.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <random>
#include <set>

#ifndef _WIN32
#include <cerrno> // program_invocation_short_name (glibc)
#endif

namespace hw {
namespace {

// Tokens of the leases this process holds right now: an owner in this very process (the GUI
// running a job while a test or a second window tries the same job) is alive exactly while its
// token is here, whatever its heartbeat says.
std::mutex g_liveMutex;
std::set<std::string> g_liveTokens;

// The host an owner row names; never empty, so that a row always shows where its runner was.
std::string hostName()
{
    std::string host = currentHostName();
    return host.empty() ? std::string("localhost") : host;
}

std::string programName()
{
#if defined(__GLIBC__)
    // argv[0]'s base name: the programs may re-exec themselves through /proc/self/exe (whose
    // comm is then "exe").
    if (program_invocation_short_name && *program_invocation_short_name)
        return program_invocation_short_name;
#endif
    std::ifstream comm("/proc/self/comm");
    std::string name;
    if (comm && std::getline(comm, name) && !name.empty())
        return name;
    return "process";
}

std::optional<JobOwner> readOwner(Database& db, int64_t jobId, bool* exists = nullptr)
{
    Statement st(db, "SELECT owner_token, owner_host, owner_pid, owner_program, owner_heartbeat FROM jobs WHERE id = ?");
    st.bind(1, jobId);
    const bool found = st.step();
    if (exists)
        *exists = found;
    if (!found || st.text(0).empty())
        return std::nullopt;
    JobOwner o;
    o.token = st.text(0);
    o.host = st.text(1);
    o.pid = st.int64(2);
    o.program = st.text(3);
    o.heartbeat = st.real(4);
    return o;
}

} // namespace

ImmediateTransaction::ImmediateTransaction(Database& db) : m_db(db), m_top(sqlite3_get_autocommit(db.handle()) != 0)
{
    static std::atomic<uint64_t> counter{0};
    if (m_top) {
        m_db.exec("BEGIN IMMEDIATE");
    } else {
        m_savepoint = "hw_lease_" + std::to_string(++counter);
        m_db.exec("SAVEPOINT " + m_savepoint);
    }
}

ImmediateTransaction::~ImmediateTransaction()
{
    if (m_done)
        return;
    try {
        if (m_top)
            m_db.exec("ROLLBACK");
        else
            m_db.exec("ROLLBACK TO " + m_savepoint + "; RELEASE " + m_savepoint);
    } catch (...) {
        // Destructors must not throw; the connection reports the failure on its next use.
    }
}

void ImmediateTransaction::commit()
{
    m_db.exec(m_top ? std::string("COMMIT") : "RELEASE " + m_savepoint);
    m_done = true;
}

std::string JobOwner::describe(double now) const
{
    std::string s = (program.empty() ? std::string("a process") : program) + " (pid " + std::to_string(pid) + " on host "
                    + (host.empty() ? std::string("?") : host) + ")";
    if (heartbeat > 0) {
        const double ago = std::max(0.0, now - heartbeat);
        s += ", last heartbeat " + std::to_string(static_cast<int64_t>(std::lround(ago))) + " s ago";
    }
    return s;
}

JobOwner makeJobOwner()
{
    JobOwner o;
    o.host = hostName();
    o.pid = currentProcessId();
    o.program = programName();
    std::random_device rd;
    const uint64_t nonce = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(nonce));
    o.token = o.host + "/" + std::to_string(o.pid) + "/" + hex;
    return o;
}

bool jobOwnerAlive(const JobOwner& owner, double now, double staleAfterS)
{
    if (owner.token.empty())
        return false;
    if (owner.host == hostName()) {
        if (owner.pid == currentProcessId()) {
            std::lock_guard<std::mutex> lock(g_liveMutex);
            return g_liveTokens.count(owner.token) > 0;
        }
        if (!processExists(owner.pid))
            return false; // killed (kill -9, crash): take over at once
    }
    return now - owner.heartbeat <= staleAfterS;
}

std::optional<JobOwner> jobOwner(Database& db, int64_t jobId) { return readOwner(db, jobId); }

void refuseIfHeld(Database& db, int64_t jobId, const std::string& label, double staleAfterS, const std::string& selfToken)
{
    bool exists = false;
    const auto holder = readOwner(db, jobId, &exists);
    if (!exists)
        throw Error("there is no job " + std::to_string(jobId));
    const double now = unixSeconds();
    if (holder && holder->token != selfToken && jobOwnerAlive(*holder, now, staleAfterS))
        throw Error("job " + std::to_string(jobId) + (label.empty() ? std::string() : " (" + label + ")")
                    + " is already being run by " + holder->describe(now)
                    + "; wait for it to finish or stop it there first (a runner that was killed is taken over "
                      "once its process is gone or its heartbeat is older than "
                    + std::to_string(static_cast<int64_t>(staleAfterS)) + " s)");
}

JobLease::JobLease() : m_me(makeJobOwner()) {}

JobLease::~JobLease()
{
    std::lock_guard<std::mutex> lock(g_liveMutex);
    g_liveTokens.erase(m_me.token);
}

void JobLease::acquire(Database& db, int64_t jobId, const std::string& label, double staleAfterS)
{
    if (m_jobId == jobId)
        return;
    if (m_jobId > 0)
        throw Error("internal: a job lease holds one job at a time");
    ImmediateTransaction tx(db);
    refuseIfHeld(db, jobId, label, staleAfterS, m_me.token);
    const double now = unixSeconds();
    m_me.heartbeat = now;
    // Known as live in this process before the row names it: a second runner here never sees
    // the row without the token.
    {
        std::lock_guard<std::mutex> lock(g_liveMutex);
        g_liveTokens.insert(m_me.token);
    }
    try {
        Statement st(db, "UPDATE jobs SET owner_token = ?, owner_host = ?, owner_pid = ?, owner_program = ?, "
                         "owner_heartbeat = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?");
        st.bind(1, m_me.token).bind(2, m_me.host).bind(3, m_me.pid).bind(4, m_me.program).bind(5, now).bind(6, jobId);
        st.exec();
        tx.commit();
    } catch (...) {
        std::lock_guard<std::mutex> lock(g_liveMutex);
        g_liveTokens.erase(m_me.token);
        throw;
    }
    m_jobId = jobId;
}

bool JobLease::heartbeat(Database& db)
{
    if (m_jobId <= 0)
        return false;
    const double now = unixSeconds();
    Statement st(db, "UPDATE jobs SET owner_heartbeat = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                     "WHERE id = ? AND owner_token = ?");
    st.bind(1, now).bind(2, m_jobId).bind(3, m_me.token);
    st.exec();
    if (db.changes() == 0)
        return false;
    m_me.heartbeat = now;
    return true;
}

bool JobLease::stillOwned(Database& db)
{
    if (m_jobId <= 0)
        return false;
    const auto holder = readOwner(db, m_jobId);
    return holder && holder->token == m_me.token;
}

std::string JobLease::holderDescription(Database& db)
{
    const auto holder = m_jobId > 0 ? readOwner(db, m_jobId) : std::nullopt;
    return holder ? holder->describe(unixSeconds()) : std::string("nobody");
}

void JobLease::release(Database& db) noexcept
{
    if (m_jobId <= 0)
        return;
    try {
        Statement st(db, "UPDATE jobs SET owner_token = '', owner_host = '', owner_pid = 0, owner_program = '', "
                         "owner_heartbeat = 0 WHERE id = ? AND owner_token = ?");
        st.bind(1, m_jobId).bind(2, m_me.token);
        st.exec();
    } catch (...) {
        // A row left behind names a runner that is gone: the next runner takes it over.
    }
    {
        std::lock_guard<std::mutex> lock(g_liveMutex);
        g_liveTokens.erase(m_me.token);
    }
    m_jobId = 0;
}

} // namespace hw
