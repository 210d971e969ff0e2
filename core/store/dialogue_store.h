#pragma once
#include "core/data/dialogue.h"
#include "core/data/task.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

class Database;

// Reads and writes tasks, dialogues, turns, their full-text index and reward labels.
// Borrows the Database; multi-row writes are atomic (the caller may wrap several in a Transaction).
class DialogueStore {
public:
    explicit DialogueStore(Database& db);

    // Inserts the task if no task of that name exists; returns its id either way.
    int64_t ensureTask(const Task& task);
    std::optional<Task> task(const std::string& name);
    std::optional<int64_t> taskId(const std::string& name);
    std::vector<Task> tasks();

    struct InsertResult {
        int64_t id = 0;
        bool inserted = false; // false: a dialogue with the same (task, uid) was already there
    };
    // Inserts a dialogue, its turns, its FTS row, and (when reward is set) a reward label with
    // the dialogue's rewardSource. The task must exist. Idempotent on (task, uid).
    InsertResult insert(const Dialogue& dialogue);

    std::optional<Dialogue> get(int64_t id);
    std::optional<int64_t> findByUid(const std::string& task, const std::string& uid);

    // Records a new reward label and makes it the dialogue's current reward.
    // value = nullopt clears the reward (unlabeled). Returns the reward_labels row id.
    int64_t setReward(int64_t dialogueId, std::optional<double> value, const std::string& source,
                      const nlohmann::json& provenance = nlohmann::json::object());

    int64_t count();
    int64_t count(const std::string& task);

private:
    Database& m_db;
};

} // namespace hw
