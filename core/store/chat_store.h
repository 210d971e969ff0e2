#pragma once
// Chat sessions with agents side by side: which agents sat in which columns (and, in blind mode,
// the shuffled order shown), every message per column with its per-token values, the
// researcher's ratings, and the results table (mean ± std per agent, the papers' Table 1/2 layout).
#include "core/chat/chat_agent_spec.h"
#include "core/chat/token_value.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

class Database;

struct ChatSessionInfo {
    int64_t id = 0;
    std::optional<int64_t> taskId;
    std::string taskName;                 // "" when no task
    bool blind = false;
    std::vector<ChatAgentSpec> agents;    // by slot (agents[i].slot == i)
    std::vector<int> columnOrder;         // column c shows agents[columnOrder[c]]
    std::string status = "open";          // open | finished
    std::string createdAt;
    int64_t userMessages = 0;             // user turns (counted once, not per column)

    // The name a column shows: "Agent A", "Agent B", ... in blind mode, else the agent's name.
    std::string columnLabel(int column) const;
    // Column of a slot (-1 when absent).
    int columnOf(int slot) const;
};

struct ChatMessageRow {
    int64_t id = 0;
    int64_t sessionId = 0;
    int slot = 0;
    std::string role;                     // agent | user
    std::string text;
    std::vector<TokenValue> tokens;       // empty for user messages and endpoint agents
    std::string createdAt;
};

struct ChatRating {
    int slot = 0;
    std::string agentLabel;               // the agent's real name (results group by it)
    std::optional<int> naturalness;       // Likert 1-5
    std::optional<int> relevance;         // relevance / helpfulness 1-5
    std::optional<int> comforting;        // counseling only
    std::optional<double> outcome;        // donation $0-2, or final emotional intensity 1-5
};

// mean ± sample standard deviation (n - 1; 0 when n = 1) over the rated sessions.
struct RatingStat {
    int64_t n = 0;
    double mean = 0.0;
    double std = 0.0;
    std::string format(int decimals = 2) const;   // "3.40 ± 0.89", "–" when n = 0
};

struct AgentResult {
    std::string agent;                    // real name
    std::string kind;                     // policy | ilql | endpoint
    int64_t sessions = 0;
    RatingStat naturalness, relevance, comforting, outcome;
};

class ChatStore {
public:
    explicit ChatStore(Database& db);

    // Inserts a session; agents get slots 0..n-1 in the given order. columnOrder empty = identity.
    // Throws hw::Error when columnOrder is not a permutation of the slots.
    int64_t createSession(std::optional<int64_t> taskId, bool blind, std::vector<ChatAgentSpec> agents,
                          std::vector<int> columnOrder = {});
    std::optional<ChatSessionInfo> session(int64_t id);
    std::vector<ChatSessionInfo> sessions();          // newest first
    void setStatus(int64_t sessionId, const std::string& status);
    bool removeSession(int64_t id);

    // A user message goes to every column (one row per slot); returns the first row id.
    int64_t addUserMessage(int64_t sessionId, const std::string& text);
    int64_t addAgentMessage(int64_t sessionId, int slot, const std::string& text,
                            const std::vector<TokenValue>& tokens = {});
    // In id order; slot < 0: every column.
    std::vector<ChatMessageRow> messages(int64_t sessionId, int slot = -1);

    // Replaces the rating of a slot.
    void saveRating(int64_t sessionId, const ChatRating& rating);
    std::vector<ChatRating> ratings(int64_t sessionId);

    // One row per agent (by real name) over the rated sessions, optionally of one task only,
    // in order of first appearance. finishedOnly: sessions marked finished.
    std::vector<AgentResult> results(std::optional<int64_t> taskId = std::nullopt, bool finishedOnly = false);

private:
    Database& m_db;
};

// The papers' layout: agent, sessions, then each measure as mean and std columns.
// withComforting adds the counseling column; outcomeName heads the outcome column.
std::string resultsCsv(const std::vector<AgentResult>& results, bool withComforting,
                       const std::string& outcomeName = "outcome");

RatingStat ratingStat(const std::vector<double>& values);

} // namespace hw
