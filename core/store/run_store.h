#pragma once
// Reads training runs as the runs page and the chat page see them: the runs table with its
// training set, metrics appended since a known id (the live monitor polls "WHERE id > last"),
// checkpoints, sampled replies, and the lineage of the data a run was trained on.
// Writers are the trainers (core/train/run_recorder.h); this side only reads, plus deleting runs
// and asking a run to stop. A 'running' run whose process is gone is flagged stale on reading
// (core/store/run_liveness.h).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

class Database;

struct RunSummary {
    int64_t id = 0;
    std::string name;
    std::string kind;                 // lm-forward | lm-policy-sft | lm-reward | sft | rft | ilql ...
    std::optional<int64_t> setId;
    std::string setName;              // "" when not trained on a saved set
    std::string status;               // pending | running | stopped | failed | done
    int64_t step = 0;
    std::optional<double> bestEval;
    std::string checkpointDir;        // latest checkpoint written ("" = none yet)
    std::string error;
    std::string createdAt;            // ISO 8601 UTC
    std::string updatedAt;
    bool stopRequested = false;       // a stop was asked for (RunStore::requestStop), not yet taken
    bool stale = false;               // 'running', but the process training it is gone (interrupted)
    bool hasCheckpoint = false;       // at least one checkpoints row
    std::string ownerHost;            // who trains / trained it (core/store/run_liveness.h)
    int64_t ownerPid = 0;

    bool operator==(const RunSummary& o) const;
    bool operator!=(const RunSummary& o) const { return !(*this == o); }
};

struct MetricPoint {
    int64_t id = 0;                   // metrics.id (monotonic)
    int64_t runId = 0;
    int64_t step = 0;
    std::string name;
    double value = 0.0;
    double wallTime = 0.0;            // seconds since the epoch
};

struct CheckpointInfo {
    int64_t id = 0;
    int64_t runId = 0;
    int64_t step = 0;
    std::string path;
    nlohmann::json metrics = nlohmann::json::object();
    std::string createdAt;
};

struct RunSample {
    int64_t id = 0;
    int64_t runId = 0;
    int64_t step = 0;
    std::string prompt;
    std::string reply;
};

// Everything the run details panel shows: config and lineage as written by the trainer, the
// training set's spec and lineage, and a summary of where the set's dialogues came from (sources,
// regenerations by generator / prompt).
struct RunDetails {
    RunSummary run;
    nlohmann::json config = nlohmann::json::object();
    nlohmann::json lineage = nlohmann::json::object();
    nlohmann::json trainingSet;       // null when none: {id, name, task, spec, lineage, created_at,
                                      //  items, sources: {source: n}, regenerations: [{generator, n}]}
    std::vector<CheckpointInfo> checkpoints;
    int64_t metricCount = 0;
    std::vector<std::string> metricNames;

    // All of the above as one JSON document (what the details panel pretty-prints).
    nlohmann::json toJson() const;
};

// Borrows a Database (GUI thread or a poller's own read connection).
class RunStore {
public:
    explicit RunStore(Database& db);

    // In id order.
    std::vector<RunSummary> runs();
    std::optional<RunSummary> run(int64_t id);
    std::optional<RunDetails> details(int64_t id);

    // Metric rows with id > afterId, in id order, at most `limit` (the caller loops while it gets
    // a full batch). runId = 0: every run.
    std::vector<MetricPoint> metricsSince(int64_t afterId, int64_t limit = 20000, int64_t runId = 0);
    // Largest metrics.id (0 when empty).
    int64_t lastMetricId();
    std::vector<std::string> metricNames(int64_t runId);

    std::vector<CheckpointInfo> checkpoints(int64_t runId);
    // Newest checkpoint of a run (largest step), if any.
    std::optional<CheckpointInfo> latestCheckpoint(int64_t runId);
    std::vector<RunSample> samples(int64_t runId, int64_t limit = 200);

    // Every checkpoint of every finished or stopped run, newest first: the chat page's agent list.
    struct ChatCheckpoint {
        RunSummary run;
        CheckpointInfo checkpoint;
    };
    std::vector<ChatCheckpoint> chatCheckpoints();

    // Saved training sets (id, name), by name: the start-run dialog's choices.
    std::vector<std::pair<int64_t, std::string>> trainingSets();

    // Asks the process training a running run to stop after its current step (it writes a
    // checkpoint and marks the run stopped): the trainer polls runs.stop_requested through its
    // RunRecorder, whichever process it runs in. Needs a read-write connection. False when the
    // run is not running.
    bool requestStop(int64_t id);

    // Deletes the run with its metrics, checkpoints rows and samples (not the files on disk).
    bool removeRun(int64_t id);

private:
    Database& m_db;
};

} // namespace hw
