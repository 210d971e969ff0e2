#pragma once
// Small deterministic dialogue corpora for the LM trainer, reward model, retrieval and serve tests
// (header-only; only the tests that include it pay for it).
#include "core/data/dialogue.h"
#include "core/data/task.h"
#include "core/model/tokenizer.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace hwtest {

inline const char* const kLmFeelings[] = {"sad", "anxious", "lonely", "stressed", "tired", "angry", "worried"};
inline const char* const kLmTopics[] = {"my job", "my exams", "my family", "my friend", "money", "sleep", "my team"};
inline const char* const kLmSupport[] = {
    "I am sorry to hear that. What happened?",
    "That sounds really hard. How long have you felt this way?",
    "It makes sense that you feel this way. Have you talked to someone you trust?",
    "You are not alone in this. What usually helps you relax?",
    "Thank you for telling me. Would a short walk or some rest help today?",
    "I hear you. Maybe we can look at one small step together.",
};
// The last user turn decides the reward of the synthetic reward task.
inline const char* const kLmEndings[] = {"I feel much worse now.", "I am not sure it helps.",
                                         "I feel a bit better, thanks.", "I feel so much better now, thank you!"};

// Dialogue i of a counseling-like corpus: user and agent alternate (user first), 4-8 turns.
// reward = -2, 0, 1 or 3 chosen by i, and readable from the last user turn (for the reward test).
inline hw::Dialogue lmDialogue(int i, uint32_t seed = 0)
{
    std::mt19937 rng(static_cast<uint32_t>(i) * 7919u + seed);
    hw::Dialogue d;
    d.task = "counseling";
    d.source = "jsonl";
    d.uid = "lm-" + std::to_string(i);
    const int ending = static_cast<int>(rng() % 4);
    static const double kRewards[] = {-2.0, 0.0, 1.0, 3.0};
    d.reward = kRewards[ending];
    d.rewardSource = "dataset";
    const int turns = 4 + 2 * static_cast<int>(rng() % 3);
    for (int t = 0; t < turns; ++t) {
        hw::Turn turn;
        turn.index = t;
        turn.role = t % 2 == 0 ? hw::Role::User : hw::Role::Agent;
        if (t == turns - 2)
            turn.text = kLmEndings[ending];
        else if (turn.role == hw::Role::User)
            turn.text = std::string("I feel ") + kLmFeelings[rng() % 7] + " about " + kLmTopics[rng() % 7] + ".";
        else
            turn.text = kLmSupport[rng() % 6];
        d.turns.push_back(std::move(turn));
    }
    d.metadata = {{"situation", std::string("worried about ") + kLmTopics[i % 7]}};
    return d;
}

inline std::vector<hw::Dialogue> lmDialogues(int n, uint32_t seed = 0)
{
    std::vector<hw::Dialogue> out;
    for (int i = 0; i < n; ++i)
        out.push_back(lmDialogue(i, seed));
    return out;
}

// Inserts dialogues into a (new or existing) project file; returns their ids.
inline std::vector<int64_t> insertDialogues(const std::string& projectPath, const std::vector<hw::Dialogue>& ds)
{
    auto db = std::filesystem::exists(projectPath) ? hw::Database::open(projectPath) : hw::Database::create(projectPath);
    hw::DialogueStore store(db);
    hw::Transaction tx(db);
    store.ensureTask(hw::Task::counseling());
    store.ensureTask(hw::Task::persuasion());
    std::vector<int64_t> ids;
    for (const auto& d : ds)
        ids.push_back(store.insert(d).id);
    tx.commit();
    return ids;
}

// Every utterance of the corpus, for a small tokenizer.
inline hw::Tokenizer lmTokenizer(const std::vector<hw::Dialogue>& ds, int vocab = 400)
{
    std::vector<std::string> texts = {"task: counseling"};
    for (const auto& d : ds) {
        for (const auto& t : d.turns)
            texts.push_back(t.text);
        texts.push_back("situation: " + d.metadata.value("situation", std::string()));
    }
    hw::TokenizerTrainOptions o;
    o.vocabSize = vocab;
    return hw::Tokenizer::train(texts, o);
}

} // namespace hwtest
