#pragma once
// The jobs and job_items tables: what each pipeline job is, how far it got, and which items are
// finished, so that a job continues where it stopped (after a crash or kill -9 too).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hw {

class Database;
class Statement;

struct JobRecord {
    int64_t id = 0;
    std::string kind;        // relabel | regenerate | label | aggregate | imagine
    std::string name;
    nlohmann::json config = nlohmann::json::object(); // the job's config; "config_hash" identifies reruns
    std::string status;      // pending | running | paused | cancelled | failed | done
    int64_t done = 0;
    int64_t failed = 0;
    int64_t total = 0;
    nlohmann::json summary = nlohmann::json::object(); // StageUsage::toJson() and stage counts
    std::string error;
    std::string createdAt;
    std::string updatedAt;
};

struct JobItemRecord {
    std::string key;
    std::string status;      // done | failed
    nlohmann::json result = nlohmann::json::object(); // includes "attempts"
    std::string error;
    std::string createdAt;
};

class JobStore {
public:
    explicit JobStore(Database& db);
    ~JobStore();
    JobStore(const JobStore&) = delete;
    JobStore& operator=(const JobStore&) = delete;

    int64_t create(const std::string& kind, const std::string& name, const nlohmann::json& config);
    std::optional<JobRecord> get(int64_t id);
    // Newest first; kind "" = every kind.
    std::vector<JobRecord> list(const std::string& kind = "", int limit = 100);
    // The newest job of this kind and config_hash that is unfinished or has failed items (to
    // resume and retry), if any.
    std::optional<JobRecord> findResumable(const std::string& kind, const std::string& configHash);

    void setStatus(int64_t id, const std::string& status, const std::string& error = "");
    void setTotal(int64_t id, int64_t total);
    // Overwrites done/failed counters and the summary (call inside the item's transaction).
    void setProgress(int64_t id, int64_t done, int64_t failed, const nlohmann::json& summary);

    // The stages of a pipeline that come after this job (StageDescription JSON, in order), kept in
    // its config under "pipeline_then" (outside its identity hash) so that resuming the job in
    // another session still runs them. An empty array removes them.
    void setPipelineThen(int64_t id, const nlohmann::json& stages);
    nlohmann::json pipelineThen(int64_t id);   // [] when none

    // Items.
    std::optional<JobItemRecord> item(int64_t jobId, const std::string& key);
    std::set<std::string> doneKeys(int64_t jobId);
    std::vector<JobItemRecord> failedItems(int64_t jobId);
    // Inserts or replaces the item's row.
    void recordItem(int64_t jobId, const std::string& key, const std::string& status,
                    const nlohmann::json& result, const std::string& error);
    // How many times this item failed before, over every job of this kind: the next try's
    // attempt number (0 = never failed). Lets a retry avoid replaying a cached bad reply.
    int failedAttempts(const std::string& kind, const std::string& key);
    // The same for every item of `kind` that ever failed, in one query.
    std::map<std::string, int> failedAttemptsByKey(const std::string& kind);

private:
    Database& m_db;
    std::unique_ptr<Statement> m_recordItem; // prepared once: called for every item
    std::unique_ptr<Statement> m_setProgress;
};

} // namespace hw
