#pragma once
// Where LlmClient looks up and records calls. In a project this is the llm_calls table: a re-run
// of a job replays every finished call from it and sends nothing.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace hw {

class Database;
class Statement;

struct CallRecord {
    int64_t id = 0;
    std::string requestHash;
    std::string endpoint;      // chat completions URL
    std::string model;
    std::string request;       // JSON body sent (never holds the API key)
    std::string response;      // raw body received
    std::string content;       // choices[0].message.content
    int64_t promptTokens = 0;
    int64_t completionTokens = 0;
    double latencyMs = 0.0;
    double cost = 0.0;
    int64_t jobId = 0;         // 0 = not part of a job
};

// Implementations are thread-safe: LlmClient calls them from many threads.
class CallCache {
public:
    virtual ~CallCache() = default;
    virtual std::optional<CallRecord> find(const std::string& requestHash) = 0;
    // Commits the record at once and returns its id. A record with the same hash stored meanwhile
    // (two identical requests raced) wins: its id is returned.
    virtual int64_t store(const CallRecord& record) = 0;
};

// The project's llm_calls table. Borrows the Database and the mutex that serialises every use of
// that connection (the job that owns both holds the mutex around its own writes too).
class ProjectCallCache : public CallCache {
public:
    ProjectCallCache(Database& db, std::mutex& dbMutex);
    ~ProjectCallCache() override;
    std::optional<CallRecord> find(const std::string& requestHash) override;
    int64_t store(const CallRecord& record) override;

    static std::optional<CallRecord> get(Database& db, int64_t id);   // for viewers (job errors)

private:
    Database& m_db;
    std::mutex& m_mutex;
    std::unique_ptr<Statement> m_find;   // prepared once, used under m_mutex
    std::unique_ptr<Statement> m_insert;
    std::unique_ptr<Statement> m_idOf;
};

// For tests and tools without a project.
class MemoryCallCache : public CallCache {
public:
    std::optional<CallRecord> find(const std::string& requestHash) override;
    int64_t store(const CallRecord& record) override;
    size_t size() const;

private:
    mutable std::mutex m_mutex;
    std::map<std::string, CallRecord> m_records;
};

} // namespace hw
