#pragma once
// Small synthetic projects for the pipeline tests: persuasion and counseling dialogues with
// distinct agent turns (so the controller's quotes match one turn each), rewards, and the ESConv
// intensity metadata the counseling labeler needs.
#include "core/data/dialogue.h"
#include "core/data/task.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"

#include <string>

namespace hwtest {

inline hw::Dialogue makeDialogue(const std::string& task, int n, int turns)
{
    hw::Dialogue d;
    d.uid = task + "-" + std::to_string(n);
    d.task = task;
    d.source = task == "persuasion" ? "p4g" : "esconv";
    static const char* agent[] = {"Hello there, how is your day going so far?",
                                  "Have you ever heard of the charity Save the Children?",
                                  "They run schools and clinics for kids in war zones and disaster areas.",
                                  "Even a small gift, like one dollar, buys a week of clean water for a child.",
                                  "Would you consider giving part of your task payment today?",
                                  "Thank you so much for listening to me, it really means a lot."};
    static const char* user[] = {"Pretty good, thanks for asking.", "No, I don't think I have.", "That sounds important.",
                                 "I am not sure I can afford much.", "Maybe, let me think about it.", "Sure, bye now."};
    for (int i = 0; i < turns; ++i) {
        hw::Turn t;
        t.index = i;
        t.role = i % 2 == 0 ? hw::Role::Agent : hw::Role::User;
        // Distinct per dialogue (the tests find dialogues by "dialogue N " in prompts).
        t.text = std::string(t.role == hw::Role::Agent ? agent[(i / 2) % 6] : user[(i / 2) % 6]) + " (dialogue "
                 + std::to_string(n) + " turn " + std::to_string(i) + ")";
        d.turns.push_back(t);
    }
    if (task == "persuasion") {
        d.reward = static_cast<double>(n % 3) * 0.5;
    } else {
        const int initial = 3 + n % 3;
        const int final = 1 + n % 3;
        d.reward = initial - final;
        d.metadata = {{"initial_emotion_intensity", initial}, {"final_emotion_intensity", final}};
    }
    d.rewardSource = "dataset";
    return d;
}

// Creates `path` with `count` dialogues of `task` (6 turns each, agent first).
inline void makeProject(const std::string& path, const std::string& task, int count, int turns = 6)
{
    auto db = hw::Database::create(path);
    hw::DialogueStore store(db);
    store.ensureTask(hw::Task::counseling());
    store.ensureTask(hw::Task::persuasion());
    hw::Transaction tx(db);
    for (int i = 0; i < count; ++i)
        store.insert(makeDialogue(task, i, turns));
    tx.commit();
}

} // namespace hwtest
