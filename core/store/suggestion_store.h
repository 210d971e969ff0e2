#pragma once
// Hindsight suggestions (the controller's relabels) and their curation state.
// Borrows the Database; each call is one statement or one transaction.
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

class Database;
class Statement;

namespace suggestion_status {
inline constexpr const char* kProposed = "proposed";
inline constexpr const char* kAccepted = "accepted";
inline constexpr const char* kRejected = "rejected";
inline constexpr const char* kFailed = "failed";   // unparseable / unmatched; raw reply kept
} // namespace suggestion_status

struct Suggestion {
    int64_t id = 0;
    int64_t dialogueId = 0;
    std::optional<int> turnIndex;       // the agent turn to replace; none when unmatched
    int rank = 0;                       // 1..3 in the controller's reply (0: whole reply failed)
    std::string originalText;
    std::string critique;
    std::string proposedText;
    std::string status = suggestion_status::kProposed;
    std::optional<std::string> editedText; // the researcher's edit; wins over proposedText
    nlohmann::json provenance = nlohmann::json::object();
    std::string rawReply;
    std::string error;
    int64_t jobId = 0;
    std::string createdAt;

    // editedText when set, else proposedText.
    const std::string& effectiveText() const { return editedText ? *editedText : proposedText; }
};

struct SuggestionFilter {
    std::string task;                   // "" = all tasks
    std::string status;                 // "" = all statuses
    std::optional<int64_t> dialogueId;
    int64_t limit = -1;                 // -1 = no limit
    int64_t offset = 0;
};

// The one reader of a suggestions row, for every query that returns hw::Suggestion:
// kSuggestionSelect (columns of `suggestions s`, then " FROM suggestions s ") and the row reader.
extern const char* const kSuggestionSelect;
Suggestion readSuggestion(Statement& st);

class SuggestionStore {
public:
    explicit SuggestionStore(Database& db);
    ~SuggestionStore();
    SuggestionStore(SuggestionStore&&) noexcept;
    SuggestionStore(const SuggestionStore&) = delete;
    SuggestionStore& operator=(const SuggestionStore&) = delete;

    int64_t insert(const Suggestion& s);            // returns the id
    std::optional<Suggestion> get(int64_t id);
    std::vector<Suggestion> forDialogue(int64_t dialogueId);      // by rank, then id
    std::vector<Suggestion> list(const SuggestionFilter& filter); // by dialogue, rank, id
    int64_t count(const SuggestionFilter& filter);
    // status -> count, for one task ("" = all).
    std::map<std::string, int64_t> countsByStatus(const std::string& task = "");

    // Curation. Throws hw::Error for an unknown id or status. Failed suggestions cannot be
    // accepted (they have no turn to replace).
    void setStatus(int64_t id, const std::string& status);
    void setEditedText(int64_t id, const std::optional<std::string>& text);

private:
    Database& m_db;
    std::unique_ptr<Statement> m_insert; // prepared once per store (jobs insert many rows)
};

} // namespace hw
