#pragma once
// Reads behind the suggestions page: which dialogues have suggestions matching a filter (task,
// status, provenance, dialogue), with per-status counts, and the ids a bulk action applies to.
// Everything in SQL; the rows themselves are hw::Suggestion (core/store/suggestion_store.h).
#include "core/store/suggestion_store.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hw {

class Database;
class Statement;

struct SuggestionQueryFilter {
    std::string task;                   // task name; "" = every task
    std::string status;                 // proposed | accepted | rejected | failed; "" = every status
    std::string provenance;             // provenance "kind" (llm, retrieval, human); "" = any
    std::optional<int64_t> dialogueId;

    bool operator==(const SuggestionQueryFilter& o) const
    {
        return task == o.task && status == o.status && provenance == o.provenance && dialogueId == o.dialogueId;
    }
    bool operator!=(const SuggestionQueryFilter& o) const { return !(*this == o); }
};

// One dialogue with suggestions, and how many of its suggestions are in each status
// (counting only suggestions that pass the filter's task/provenance, whatever its status).
struct SuggestionDialogueRow {
    int64_t dialogueId = 0;
    std::string uid;
    std::string task;
    std::optional<double> reward;
    int64_t proposed = 0;
    int64_t accepted = 0;
    int64_t rejected = 0;
    int64_t failed = 0;
    int64_t total() const { return proposed + accepted + rejected + failed; }
};

class SuggestionQuery {
public:
    explicit SuggestionQuery(Database& db, SuggestionQueryFilter filter = {});

    const SuggestionQueryFilter& filter() const { return m_filter; }
    void setFilter(SuggestionQueryFilter filter) { m_filter = std::move(filter); }

    // Dialogues having at least one suggestion that matches the filter, by dialogue id.
    std::vector<SuggestionDialogueRow> dialogues(int64_t limit = -1) const;
    // One dialogue's row (counts under the filter's task/provenance); nullopt without suggestions.
    std::optional<SuggestionDialogueRow> dialogue(int64_t dialogueId) const;
    // Suggestions matching the filter, by dialogue, rank, id.
    std::vector<Suggestion> suggestions(int64_t limit = -1) const;
    // Ids matching the filter (what "accept all shown" applies to).
    std::vector<int64_t> ids() const;
    // status -> count under the filter, ignoring its status (the header bar). All four statuses
    // are present.
    std::map<std::string, int64_t> countsByStatus() const;

    // Distinct values for the filter combo boxes.
    static std::vector<std::string> provenanceKinds(Database& db);
    static std::vector<std::string> tasks(Database& db);   // tasks with at least one suggestion
    // The provenance kind of a suggestion's provenance JSON ("" when absent).
    static std::string provenanceKind(const nlohmann::json& provenance);

private:
    std::string whereSql(bool withStatus) const;
    int bind(Statement& st, bool withStatus) const;

    Database& m_db;
    SuggestionQueryFilter m_filter;
};

} // namespace hw
