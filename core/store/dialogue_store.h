#pragma once
#include "core/data/dialogue.h"
#include "core/data/task.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

class Database;

// One row of reward_labels: the history behind a dialogue's current reward.
struct RewardLabel {
    int64_t id = 0;
    int64_t dialogueId = 0;
    std::optional<double> value;
    std::string source;                 // dataset | llm | model | human
    nlohmann::json provenance = nlohmann::json::object();
    std::string createdAt;              // ISO 8601 UTC
};

// Reads and writes tasks, dialogues, turns, their full-text index and reward labels.
// Borrows the Database; multi-row writes are atomic (the caller may wrap several in a Transaction).
// Prepared statements and task ids are cached per store, so keep one store for a batch of writes
// (imports); after rolling back a transaction that created tasks, use a new store.
class DialogueStore {
public:
    explicit DialogueStore(Database& db);
    ~DialogueStore();
    DialogueStore(DialogueStore&&) noexcept;
    DialogueStore(const DialogueStore&) = delete;
    DialogueStore& operator=(const DialogueStore&) = delete;

    // Inserts the task if no task of that name exists; returns its id either way.
    int64_t ensureTask(const Task& task);
    // A new task from a complete definition (validateTask); throws TaskDefinitionError naming the
    // field, or hw::Error when a task of that name exists. Nothing is written on error.
    int64_t createTask(const Task& task);
    // Replaces the definition of an existing task of the same name and kind (dialogues keep it).
    void replaceTask(const Task& task);
    std::optional<Task> task(const std::string& name);
    std::optional<int64_t> taskId(const std::string& name);
    std::vector<Task> tasks();

    struct InsertResult {
        int64_t id = 0;
        bool inserted = false; // false: a dialogue with the same (task, uid) was already there
    };
    // Inserts a dialogue, its turns, its FTS row, and (when reward is set) a reward label with
    // the dialogue's rewardSource ("dataset" when empty). The task must exist (hw::Error
    // otherwise). Idempotent on (task, uid): an existing dialogue is left untouched.
    InsertResult insert(const Dialogue& dialogue);

    // The dialogue with its turns (and their annotations); nullopt when there is no such id.
    std::optional<Dialogue> get(int64_t id);
    std::optional<int64_t> findByUid(const std::string& task, const std::string& uid);

    // Records a new reward label and makes it the dialogue's current reward.
    // value = nullopt clears the reward (unlabeled). Returns the reward_labels row id.
    // Throws hw::Error for an unknown dialogue or source.
    int64_t setReward(int64_t dialogueId, std::optional<double> value, const std::string& source,
                      const nlohmann::json& provenance = nlohmann::json::object());
    // Oldest first.
    std::vector<RewardLabel> rewardLabels(int64_t dialogueId);

    void setFlags(int64_t dialogueId, uint32_t flags);
    // Replaces a dialogue's turns (their annotations dropped), n_turns, n_agent_turns and its
    // full-text row; e.g. the critique's rewrite of an imagined dialogue. Atomic.
    void replaceTurns(int64_t dialogueId, const std::vector<Turn>& turns);
    // Replaces a dialogue's metadata object.
    void setMetadata(int64_t dialogueId, const nlohmann::json& metadata);
    // Deletes a dialogue with its turns, labels and FTS row. Returns false when it did not exist.
    bool remove(int64_t dialogueId);

    // Ids of the dialogues whose text matches an FTS5 query (e.g. "lonely AND job"), best first.
    std::vector<int64_t> search(const std::string& ftsQuery, int limit = 100);

    // Streams every dialogue (of one task, or all when task is empty) in id order, with turns,
    // using two ordered scans instead of one query per dialogue. Return false to stop early.
    void forEach(const std::string& task, const std::function<bool(const Dialogue&)>& fn);

    int64_t count();
    int64_t count(const std::string& task);

private:
    struct Cache;
    Database& m_db;
    std::unique_ptr<Cache> m_cache;
};

} // namespace hw
