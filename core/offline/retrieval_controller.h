#pragma once
// The hindsight controller, offline, by retrieval: for each agent turn of a dialogue, find agent
// turns of top-quartile dialogues (by reward) whose preceding context is most similar (SQLite
// FTS5, bm25), and propose what those agents said. The turns with the strongest matches become
// the suggestions.
//
//   index (built once, in memory):  context = last `contextTurns` utterances before an agent turn
//                                   of a top-quartile original dialogue  ->  that agent utterance
//   query:  context of each agent turn of the dialogue  --bm25-->  best other-dialogue match
//
// Provenance of a call: {"kind":"retrieval", "index":{task, selection, min_reward, dialogues,
// turns, context_turns}, "items":[{rank, turn_idx, source_dialogue_id, source_uid,
// source_turn_idx, source_reward, bm25}]} (items[rank-1] is the suggestion of that rank).
#include "core/pipeline/stages.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hw {

class Database;

struct RetrievalOptions {
    std::string task;               // required
    int contextTurns = 2;           // utterances before an agent turn that form its context
    int candidatesPerTurn = 8;      // bm25 hits examined per agent turn
    int maxQueryTerms = 48;
};

struct RetrievalMatch {
    int turnIndex = 0;              // agent turn of the query dialogue
    std::string utterance;          // proposed agent utterance
    int64_t sourceDialogueId = 0;
    std::string sourceUid;
    int sourceTurnIndex = 0;
    double sourceReward = 0.0;
    double bm25 = 0.0;              // SQLite's bm25(): more negative = more similar
};

class RetrievalController : public HindsightController {
public:
    // Reads the task's original dialogues from the project and builds the context index.
    // Throws hw::Error when the task has no labeled dialogues.
    RetrievalController(Database& project, RetrievalOptions options);
    ~RetrievalController() override;

    std::string name() const override { return "retrieval"; }
    int maxConcurrency() const override { return 4; }
    ControllerResult suggest(const Task& task, const Dialogue& dialogue, int count, const StageContext& ctx) override;

    // Best match per agent turn (turns without a match are left out), most similar first.
    std::vector<RetrievalMatch> matches(const Dialogue& dialogue);

    int64_t indexedDialogues() const { return m_dialogues; }
    int64_t indexedTurns() const { return m_turns; }
    double minReward() const { return m_minReward; }
    // An FTS5 query matching any of the words of `text` (each word quoted, joined by OR).
    static std::string orQuery(const std::string& text, int maxTerms);

private:
    struct Index;
    RetrievalOptions m_options;
    std::unique_ptr<Index> m_index;
    std::mutex m_mutex;
    int64_t m_dialogues = 0;
    int64_t m_turns = 0;
    double m_minReward = 0.0;
};

} // namespace hw
