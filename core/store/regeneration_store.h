#pragma once
// Lineage of regenerated dialogues. A regeneration is an ordinary dialogue (source
// "regeneration", parent_id set) plus one regenerations row saying how it was made.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

class Database;

struct Regeneration {
    int64_t dialogueId = 0;          // the new dialogue
    int64_t parentDialogueId = 0;    // the original it branches from
    int prefixLen = 0;               // turns kept from the parent before the replaced agent turn
    std::optional<int64_t> suggestionId;
    // {"kind":"llm","endpoint","model","prompt","prompt_sha256","llm_call_id","hard":bool} or a
    // local model's description
    nlohmann::json generator = nlohmann::json::object();
    bool hard = false;               // made by the "hard" forward model
    int64_t seed = 0;
    int sampleIndex = 0;
    int64_t jobId = 0;
};

class RegenerationStore {
public:
    explicit RegenerationStore(Database& db);

    void insert(const Regeneration& r);
    std::optional<Regeneration> get(int64_t dialogueId);
    // Every regeneration of one original, by prefix length then id (the branches of its tree).
    std::vector<Regeneration> forParent(int64_t parentDialogueId);
    std::vector<Regeneration> forSuggestion(int64_t suggestionId);
    int64_t count(const std::string& task = "");

private:
    Database& m_db;
};

} // namespace hw
