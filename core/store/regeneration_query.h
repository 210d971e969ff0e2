#pragma once
// Reads behind the regeneration view: originals that have regenerated branches, and one
// original's branches with what the tree and the side-by-side view show (reward, divergence
// turn, sampling lineage, the suggestion that made it). Lineage rows are written by
// core/store/regeneration_store.h; this only reads.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

class Database;

struct RegenerationParentRow {
    int64_t dialogueId = 0;
    std::string uid;
    std::string task;
    std::optional<double> reward;
    std::string rewardSource;
    int64_t branches = 0;         // direct regenerations
    std::optional<double> branchRewardMean;
};

struct BranchRow {
    int64_t dialogueId = 0;       // the regenerated dialogue
    int64_t parentDialogueId = 0;
    std::string uid;
    int prefixLen = 0;            // turns kept from the parent; the replaced turn has this index
    int turns = 0;
    std::optional<double> reward;
    std::string rewardSource;     // dataset | llm | model | human | "" when unlabeled
    bool hard = false;
    int sampleIndex = 0;
    int64_t seed = 0;
    int64_t jobId = 0;
    nlohmann::json generator = nlohmann::json::object();
    std::optional<int64_t> suggestionId;
    std::string critique;         // of that suggestion, "" when none
};

class RegenerationQuery {
public:
    explicit RegenerationQuery(Database& db);

    // Dialogues that have regenerations and are not regenerations themselves, by id.
    // task "" = every task.
    std::vector<RegenerationParentRow> parents(const std::string& task = "", int64_t limit = -1) const;
    std::optional<RegenerationParentRow> parent(int64_t dialogueId) const;
    // Direct branches of a dialogue, by prefix length then id.
    std::vector<BranchRow> branches(int64_t parentDialogueId) const;
    std::optional<BranchRow> branch(int64_t dialogueId) const;
    // The original a (possibly nested) regeneration descends from; the id itself for an original.
    int64_t rootOf(int64_t dialogueId) const;

private:
    Database& m_db;
};

} // namespace hw
