#pragma once
// A deterministic synthetic corpus for the browser's query, model and benchmark code: every
// property a filter looks at (task, source, reward, labeled, flags, words) varies with the index,
// so tests can compute exact expected counts from the same vector they inserted.
#include "core/data/dialogue.h"
#include "core/data/task.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hwtest {

inline const char* const kTopicWords[] = {"lonely", "exam", "donate", "children", "job", "family", "sleep"};

inline hw::Dialogue generatedDialogue(int64_t i)
{
    hw::Dialogue d;
    const bool persuasion = i % 3 == 0;
    d.task = persuasion ? "persuasion" : "counseling";
    d.source = i % 10 == 1 ? "jsonl" : (persuasion ? "p4g" : "esconv");
    d.uid = "gen-" + std::to_string(i);
    if (i % 5 != 4) {
        d.reward = persuasion ? static_cast<double>(i % 5) * 0.5 : static_cast<double>(i % 9 - 4);
        d.rewardSource = "dataset";
    }
    if (i % 7 == 0)
        d.flags |= hw::kFlagRewardOutOfRange;
    if (i % 11 == 0)
        d.flags |= hw::kFlagFailed;
    const int nTurns = 2 + static_cast<int>(i % 6);
    for (int t = 0; t < nTurns; ++t) {
        hw::Turn turn;
        turn.index = t;
        turn.role = t % 2 == 0 ? hw::Role::Agent : hw::Role::User;
        turn.text = "turn " + std::to_string(t) + " of dialogue number" + std::to_string(i) + " about "
            + kTopicWords[(i + t) % 7];
        if (turn.role == hw::Role::Agent && !persuasion)
            turn.annotations["strategy"] = t % 4 == 0 ? "Question" : "Reflection of feelings";
        d.turns.push_back(std::move(turn));
    }
    d.metadata = {{"generator", "hwtest"}, {"index", i}};
    return d;
}

// Does dialogue i mention `word` (as a whole token)?
inline bool generatedMentions(int64_t i, const std::string& word)
{
    const int nTurns = 2 + static_cast<int>(i % 6);
    for (int t = 0; t < nTurns; ++t)
        if (word == kTopicWords[(i + t) % 7])
            return true;
    return false;
}

// Inserts dialogues [0, n) in one transaction; returns their ids (index i -> ids[i]).
inline std::vector<int64_t> insertGenerated(hw::Database& db, int64_t n)
{
    hw::DialogueStore store(db);
    hw::Transaction tx(db);
    store.ensureTask(hw::Task::counseling());
    store.ensureTask(hw::Task::persuasion());
    std::vector<int64_t> ids;
    ids.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        ids.push_back(store.insert(generatedDialogue(i)).id);
    tx.commit();
    return ids;
}

} // namespace hwtest
