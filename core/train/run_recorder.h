#pragma once
#include "core/train/metrics_sink.h"
#include "core/store/database.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace hw {

struct RunInfo {
    std::string name;                 // shown in the runs page
    std::string kind;                 // lm-forward | lm-forward-hard | lm-policy-sft | lm-reward | sft | rft | ilql
    std::optional<int64_t> setId;     // training_sets.id when trained on a saved set
    nlohmann::json config = nlohmann::json::object();
    nlohmann::json lineage = nlohmann::json::object();
};

// Writes one training run into the project file: a runs row (status, step, best eval,
// checkpoint dir), its metrics rows and checkpoints rows. Opens its own connection, so it can live
// on a training thread while the GUI reads the same file; every call commits at once, which makes
// the rows visible to readers (WAL) as they happen.
//
// The row also names this process (owner_host, owner_pid) and carries a heartbeat, refreshed
// whenever the trainer asks stopRequested() (at most every kPollSeconds) or logs, so monitors can
// tell an interrupted run from a live one (core/store/run_liveness.h). stopRequested() reads
// runs.stop_requested, which the workbench sets (RunStore::requestStop) to stop a run trained by
// another process, e.g. `hindsight train` in a terminal.
class RunRecorder : public MetricsSink {
public:
    // Inserts a new run with status 'running'.
    static RunRecorder start(const std::string& projectPath, const RunInfo& info);
    // Continues an existing run after a resume: status back to 'running', and metrics rows past
    // `fromStep` (written after the checkpoint being resumed, e.g. before a kill -9) are deleted so
    // the run's curves have no duplicates. Throws hw::Error when the run does not exist.
    static RunRecorder resume(const std::string& projectPath, int64_t runId, int64_t fromStep);

    RunRecorder(RunRecorder&&) = default;
    RunRecorder& operator=(RunRecorder&&) = default;
    ~RunRecorder() override;

    int64_t runId() const { return m_runId; }

    void log(int64_t step, const MetricValues& values) override;
    void checkpoint(int64_t step, const std::string& path, const nlohmann::json& metrics) override;
    void bestEval(double value) override;
    void checkpointRemoved(const std::string& path) override;
    // Polls runs.stop_requested (and beats) at most every kPollSeconds; cheap to call each step.
    bool stopRequested() override;
    void setCheckpointDir(const std::string& dir);
    static constexpr double kPollSeconds = 1.0;
    // Final status: "done", "stopped" (cancelled, resumable) or "failed" (with the error message).
    void finish(const std::string& status, const std::string& error = "");

private:
    RunRecorder(Database db, int64_t runId) : m_db(std::move(db)), m_runId(runId) {}
    Database m_db;
    int64_t m_runId = 0;
    bool m_finished = false;
    bool m_stopSeen = false;
    double m_lastPoll = 0;       // steady-clock seconds of the last stop_requested read
};

} // namespace hw
