#pragma once
// Named training sets (training_sets + training_set_items): which dialogues, with which weight,
// built how (spec) and from what (lineage). Exportable as chat-layout JSON Lines.
#include "core/util/progress.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

class Database;

struct TrainingSet {
    int64_t id = 0;
    std::string name;
    std::string task;
    nlohmann::json spec = nlohmann::json::object();
    nlohmann::json lineage = nlohmann::json::object();
    int64_t size = 0;          // items
    std::string createdAt;
};

struct TrainingSetItem {
    int64_t dialogueId = 0;
    double weight = 1.0;
};

class TrainingSetStore {
public:
    explicit TrainingSetStore(Database& db);

    // Creates the set with its items in one transaction. Throws hw::Error if the name is taken.
    int64_t create(const std::string& name, const std::string& task, const nlohmann::json& spec,
                   const nlohmann::json& lineage, const std::vector<TrainingSetItem>& items);
    std::optional<TrainingSet> get(int64_t id);
    std::optional<TrainingSet> find(const std::string& name);
    std::vector<TrainingSet> list();
    std::vector<TrainingSetItem> items(int64_t setId);      // by dialogue id
    bool remove(int64_t id);
    // The newest set of `task` whose spec equals `spec` (keys in `ignore` left out of the
    // comparison) and whose items are exactly `items` (weights included), if any.
    std::optional<TrainingSet> findSame(const std::string& task, const nlohmann::json& spec,
                                        const std::vector<TrainingSetItem>& items,
                                        const std::vector<std::string>& ignore = {});
    // `base` if free, else base-2, base-3, ...
    std::string uniqueName(const std::string& base);

    // Writes the set as JSON Lines in the chat layout (core/io/chat_json.h), one dialogue per line
    // in dialogue id order, with "weight" when not 1. Written to a temporary file and renamed.
    // Returns the number of lines.
    int64_t exportJsonl(int64_t setId, const std::string& path, const StopToken& stop = {});

private:
    Database& m_db;
};

} // namespace hw
