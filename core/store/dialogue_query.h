#pragma once
// Filtered, sorted and paged reads of the dialogues table, for the browser and the dataset page.
// Everything is done in SQL so that 100k dialogues cost one count query and one page, never a
// full load. No Qt here: the ui adapts this into a table model.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hw {

class Database;

struct DialogueFilter {
    enum class Labeled { Any, Labeled, Unlabeled };

    std::string task;                 // task name; "" = every task
    std::string source;               // dialogue source (esconv, p4g, ...); "" = every source
    std::optional<double> rewardMin;  // inclusive; either bound excludes unlabeled dialogues
    std::optional<double> rewardMax;  // inclusive
    Labeled labeled = Labeled::Any;
    uint32_t flagsAny = 0;            // non-zero: only dialogues with at least one of these flags
    std::string search;               // free text typed by the user; see DialogueQuery::ftsQuery

    bool operator==(const DialogueFilter& o) const;
    bool operator!=(const DialogueFilter& o) const { return !(*this == o); }
};

enum class DialogueSortKey { Id, Uid, Task, Turns, Reward, RewardSource, Source, Flags };

struct DialogueSort {
    DialogueSortKey key = DialogueSortKey::Id;
    bool descending = false;
    bool operator==(const DialogueSort& o) const { return key == o.key && descending == o.descending; }
};

// One browser row: the dialogues columns a table shows, without turns or metadata.
struct DialogueRow {
    int64_t id = 0;
    std::string uid;
    std::string task;
    std::string source;
    int turns = 0;
    int agentTurns = 0;
    std::optional<double> reward;
    std::string rewardSource;
    uint32_t flags = 0;
};

class DialogueQuery {
public:
    // Borrows db; the query is cheap to copy around and re-run.
    explicit DialogueQuery(Database& db, DialogueFilter filter = {}, DialogueSort sort = {});

    const DialogueFilter& filter() const { return m_filter; }
    const DialogueSort& sort() const { return m_sort; }
    void setFilter(DialogueFilter filter) { m_filter = std::move(filter); }
    void setSort(DialogueSort sort) { m_sort = sort; }

    // Number of dialogues matching the filter.
    int64_t count() const;
    // Rows [offset, offset + limit) in sort order; ties are broken by id so pages never overlap.
    // With knownCount (= count()), pages in the far half are read backwards from the end, which
    // makes a jump to the last rows as cheap as the first ones.
    std::vector<DialogueRow> page(int64_t offset, int64_t limit,
                                  std::optional<int64_t> knownCount = std::nullopt) const;
    // One dialogue's row by id, whatever the filter (for refreshing a row after an edit).
    std::optional<DialogueRow> row(int64_t id) const;

    // Turns what a user typed into a safe FTS5 query: each word and each "quoted phrase" becomes
    // a quoted FTS5 string (so AND/OR/NOT/NEAR, parentheses, colons and stray quotes are plain
    // text), all of them required; a trailing * on a word keeps its meaning as a prefix search.
    // Returns "" when nothing searchable is left (the search is then ignored).
    static std::string ftsQuery(const std::string& userText);

    // Distinct values present in the project, sorted, for filter combo boxes.
    static std::vector<std::string> sources(Database& db);

private:
    std::string whereSql() const;
    int bindParams(class Statement& st) const; // returns the next free parameter index

    Database& m_db;
    DialogueFilter m_filter;
    DialogueSort m_sort;
};

// Per-task figures for the dataset page and `stats`-like views.
struct TaskSummary {
    std::string task;
    int64_t dialogues = 0;
    int64_t labeled = 0;
    int64_t unlabeled = 0;
    int64_t flagged = 0;
    int64_t turns = 0;
    std::optional<double> rewardMean;
    std::optional<double> rewardMinSeen;
    std::optional<double> rewardMaxSeen;
    std::map<std::string, int64_t> bySource;       // dialogue source -> count
    std::map<std::string, int64_t> byRewardSource; // dataset|llm|model|human -> labeled count
};

// Every task that has a row in tasks, in name order (tasks without dialogues give zeros).
std::vector<TaskSummary> summarizeTasks(Database& db);

struct HistogramBin {
    double lo = 0.0;   // inclusive
    double hi = 0.0;   // exclusive, except the last bin, which includes hi
    int64_t count = 0;
    int64_t regenerations = 0; // of count, hindsight regenerations (the rest: originals, imagined)
};

// Histogram of the current (labeled) rewards of a task. Integer-valued rewards over a small span
// (ESConv intensity drops) get one bin per integer centred on it; otherwise `bins` equal bins over
// [rangeMin, rangeMax] widened to the values seen. Values outside fall into the end bins.
std::vector<HistogramBin> rewardHistogram(Database& db, const std::string& task, double rangeMin,
                                          double rangeMax, int bins = 10);

} // namespace hw
