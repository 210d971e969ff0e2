#pragma once
// The eval_episodes table: one row per finished evaluation episode (ok or failed), keyed by the
// evaluation job, the agent's position and the episode number. The transcript is a dialogues row
// with source 'simulated' (dialogue_id); the row holds the outcome, the simulator's raw decision,
// fault counts and the simulator's identity.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hw {

class Database;

struct EvalEpisodeRecord {
    int64_t jobId = 0;
    int agentIndex = 0;
    int episode = 0;
    std::string agentName;
    std::string agentSpec;
    std::string persona;
    uint64_t seed = 0;
    std::optional<int64_t> dialogueId;
    std::string status;                 // ok | failed
    std::optional<double> reward;
    std::optional<double> outcome;
    std::string decisionRaw;
    nlohmann::json faults = nlohmann::json::object();
    std::string error;
    nlohmann::json simulator = nlohmann::json::object();
    int turns = 0;
};

class EvalStore {
public:
    explicit EvalStore(Database& db) : m_db(db) {}

    // Inserts or replaces the episode's row (call inside the item's transaction).
    void record(const EvalEpisodeRecord& episode);
    // Every episode of a run, by agent then episode.
    std::vector<EvalEpisodeRecord> episodes(int64_t jobId);
    // Evaluation runs (jobs of kind 'evaluate'), newest first: (job id, name).
    std::vector<std::pair<int64_t, std::string>> runs();
    // (uid, metadata) of imported ESConv dialogues of `task`, oldest first, at most `limit`.
    std::vector<std::pair<std::string, nlohmann::json>> esconvMetadata(const std::string& task, int limit);

    // Held-in real dialogues for simulator fidelity: labelled originals of `task` (never
    // regenerations, imagined or simulated ones), test split first, then valid, then the rest.
    std::vector<int64_t> fidelityDialogueIds(const std::string& task, int limit);

private:
    Database& m_db;
};

} // namespace hw
