#include "core/train/run_recorder.h"

#include "core/store/run_liveness.h"
#include "core/util/error.h"

#include <chrono>

namespace hw {
namespace {

double wallTime() { return unixSeconds(); }

double steadySeconds()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

} // namespace

RunRecorder RunRecorder::start(const std::string& projectPath, const RunInfo& info)
{
    auto db = Database::open(projectPath);
    Statement st(db, "INSERT INTO runs(name, kind, set_id, config, lineage, status, owner_host, owner_pid, heartbeat) "
                     "VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)");
    st.bind(1, info.name).bind(2, info.kind).bind(3, info.setId);
    st.bind(4, info.config.dump()).bind(5, info.lineage.dump());
    st.bind(6, currentHostName()).bind(7, currentProcessId()).bind(8, wallTime());
    st.exec();
    const int64_t id = db.lastInsertId();
    return RunRecorder(std::move(db), id);
}

RunRecorder RunRecorder::resume(const std::string& projectPath, int64_t runId, int64_t fromStep)
{
    auto db = Database::open(projectPath);
    Statement find(db, "SELECT count(*) FROM runs WHERE id = ?");
    find.bind(1, runId);
    if (!find.step() || find.int64(0) == 0)
        throw Error(projectPath + ": run " + std::to_string(runId) + " does not exist");
    Transaction tx(db);
    Statement del(db, "DELETE FROM metrics WHERE run_id = ? AND step > ?");
    del.bind(1, runId).bind(2, fromStep).exec();
    Statement delCk(db, "DELETE FROM checkpoints WHERE run_id = ? AND step > ?");
    delCk.bind(1, runId).bind(2, fromStep).exec();
    // This process trains it now; a stop asked for the previous session is spent.
    Statement up(db, std::string("UPDATE runs SET status = 'running', error = '', step = ?, stop_requested = 0, "
                                 "owner_host = ?, owner_pid = ?, heartbeat = ?, updated_at = ")
                         + kNow + " WHERE id = ?");
    up.bind(1, fromStep).bind(2, currentHostName()).bind(3, currentProcessId()).bind(4, wallTime()).bind(5, runId).exec();
    tx.commit();
    return RunRecorder(std::move(db), runId);
}

RunRecorder::~RunRecorder()
{
    // A recorder dropped without finish() (an exception unwound the trainer) marks the run failed
    // rather than leaving it "running" forever.
    if (m_runId != 0 && !m_finished && m_db.handle()) {
        try {
            finish("failed", "training ended unexpectedly");
        } catch (...) {
        }
    }
}

void RunRecorder::log(int64_t step, const MetricValues& values)
{
    const double t = wallTime();
    Transaction tx(m_db);
    Statement st(m_db, "INSERT INTO metrics(run_id, step, name, value, wall_time) VALUES (?, ?, ?, ?, ?)");
    for (const auto& [name, value] : values) {
        st.reset();
        st.bind(1, m_runId).bind(2, step).bind(3, name).bind(4, value).bind(5, t);
        st.exec();
    }
    Statement up(m_db, std::string("UPDATE runs SET step = max(step, ?), heartbeat = ?, updated_at = ") + kNow
                           + " WHERE id = ?");
    up.bind(1, step).bind(2, t).bind(3, m_runId).exec();
    tx.commit();
}

bool RunRecorder::stopRequested()
{
    if (m_stopSeen)
        return true;
    const double now = steadySeconds();
    if (m_lastPoll > 0 && now - m_lastPoll < kPollSeconds)
        return false;
    m_lastPoll = now;
    Statement beat(m_db, "UPDATE runs SET heartbeat = ? WHERE id = ?");
    beat.bind(1, wallTime()).bind(2, m_runId).exec();
    Statement st(m_db, "SELECT stop_requested FROM runs WHERE id = ?");
    st.bind(1, m_runId);
    // A run deleted from the workbench while training: nothing left to record into, stop too.
    m_stopSeen = !st.step() || st.int64(0) != 0;
    return m_stopSeen;
}

void RunRecorder::checkpoint(int64_t step, const std::string& path, const nlohmann::json& metrics)
{
    Transaction tx(m_db);
    Statement st(m_db, "INSERT INTO checkpoints(run_id, step, path, metrics) VALUES (?, ?, ?, ?)");
    st.bind(1, m_runId).bind(2, step).bind(3, path).bind(4, metrics.dump()).exec();
    Statement up(m_db, std::string("UPDATE runs SET checkpoint_dir = ?, step = max(step, ?), updated_at = ") + kNow
                           + " WHERE id = ?");
    up.bind(1, path).bind(2, step).bind(3, m_runId).exec();
    tx.commit();
}

void RunRecorder::bestEval(double value)
{
    Statement st(m_db, "UPDATE runs SET best_eval = ? WHERE id = ?");
    st.bind(1, value).bind(2, m_runId).exec();
}

void RunRecorder::checkpointRemoved(const std::string& path)
{
    Statement st(m_db, "DELETE FROM checkpoints WHERE run_id = ? AND path = ?");
    st.bind(1, m_runId).bind(2, path).exec();
}

void RunRecorder::setCheckpointDir(const std::string& dir)
{
    Statement st(m_db, "UPDATE runs SET checkpoint_dir = ? WHERE id = ?");
    st.bind(1, dir).bind(2, m_runId).exec();
}

void RunRecorder::finish(const std::string& status, const std::string& error)
{
    Statement st(m_db, std::string("UPDATE runs SET status = ?, error = ?, stop_requested = 0, heartbeat = ?, "
                                   "updated_at = ") + kNow + " WHERE id = ?");
    st.bind(1, status).bind(2, error).bind(3, wallTime()).bind(4, m_runId).exec();
    m_finished = true;
}

} // namespace hw
