#pragma once
// What must hold for ANY input to the reply parsers: no crash, no hang, and results that are
// well-formed (ranks in order, failures without fields, values in range, roles alternating...).
// Shared by the libFuzzer targets in this folder and the deterministic replay test
// tests/tst_core_parser_fuzz.cpp. A violated invariant calls fail() with a description.
#include "core/data/task.h"
#include "core/pipeline/controller_parser.h"
#include "core/pipeline/dialogue_lines.h"
#include "core/pipeline/reply_text.h"
#include "core/pipeline/reward_parser.h"
#include "core/pipeline/turn_matcher.h"
#include "core/prompts/prompt_library.h"
#include "core/util/error.h"

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace hw::fuzz {

// Where violations go: abort() for libFuzzer, a test failure for the replay test.
inline std::function<void(const std::string&)>& failHandler()
{
    static std::function<void(const std::string&)> h = [](const std::string& what) {
        std::fprintf(stderr, "invariant violated: %s\n", what.c_str());
        std::abort();
    };
    return h;
}
inline void check(bool ok, const std::string& what)
{
    if (!ok)
        failHandler()(what);
}

inline void checkController(const std::string& input)
{
    const ControllerParse p = parseControllerReply(input);
    check(!p.items.empty() || !p.error.empty(), "controller: no items and no error");
    for (size_t i = 0; i < p.items.size(); ++i) {
        const auto& it = p.items[i];
        check(it.rank == static_cast<int>(i) + 1, "controller: ranks out of order");
        if (it.error.empty()) {
            check(!it.original.empty() && !it.proposed.empty(), "controller: usable item with an empty field");
            check(it.original.find('\n') == std::string::npos && it.proposed.find('\n') == std::string::npos,
                  "controller: newline inside a field");
        } else {
            check(it.original.empty() && it.critique.empty() && it.proposed.empty(), "controller: failed item keeps fields");
        }
    }
}

inline const std::vector<Turn>& fuzzDialogue()
{
    static const std::vector<Turn> turns = [] {
        const char* texts[] = {"Hello, do you have a minute?", "Sure.", "Have you heard of Save the Children?",
                               "No, what is it?", "A charity that helps children in poor countries.", "Nice.",
                               "Thank you!", "Bye.", "Thank you!"};
        std::vector<Turn> out;
        for (int i = 0; i < 9; ++i) {
            Turn t;
            t.index = i;
            t.role = i % 2 == 0 ? Role::Agent : Role::User;
            t.text = texts[i];
            out.push_back(t);
        }
        return out;
    }();
    return turns;
}

inline void checkMatcher(const std::string& input)
{
    const std::string quote = input.substr(0, 1000);
    const TurnMatch m = matchAgentTurn(fuzzDialogue(), quote);
    check(m.score >= 0.0 && m.score <= 1.0 && m.runnerUp >= 0.0 && m.runnerUp <= m.score, "matcher: score out of range");
    if (m.turnIndex) {
        check(*m.turnIndex >= 0 && *m.turnIndex < static_cast<int>(fuzzDialogue().size()), "matcher: index out of range");
        check(fuzzDialogue()[static_cast<size_t>(*m.turnIndex)].role == Role::Agent, "matcher: matched a user turn");
        check(m.error.empty(), "matcher: match with an error");
        for (const Turn& t : fuzzDialogue())
            if (t.role == Role::User)
                check(quoteSimilarity(quote, t.text) < m.score, "matcher: a user turn fits the quote as well as the match");
    } else {
        check(!m.error.empty(), "matcher: no match and no error");
    }
    const double self = quoteSimilarity(quote, quote);
    check(self == 0.0 || self == 1.0, "matcher: self-similarity not 1");
}

inline void checkDialogueLines(const std::string& input)
{
    static const Task task = Task::counseling();
    const ParsedLines p = parseDialogueLines(input, &task);
    check(p.turns.empty() != p.error.empty(), "lines: turns and error both set or both empty");
    for (size_t i = 0; i < p.turns.size(); ++i) {
        check(p.turns[i].index == static_cast<int>(i), "lines: bad index");
        check(!p.turns[i].text.empty(), "lines: empty turn");
    }
    std::vector<Turn> prefix(fuzzDialogue().begin(), fuzzDialogue().begin() + 3);
    for (int budget : {1, 4, 40}) {
        const ContinuationCheck c = checkContinuation(p, prefix, budget);
        check(c.turns.empty() != c.error.empty(), "continuation: turns and error both set or both empty");
        if (!c.turns.empty()) {
            check(static_cast<int>(c.turns.size()) <= budget, "continuation: over budget");
            check(c.turns.front().role == Role::User, "continuation: does not start with the user");
            for (size_t i = 0; i < c.turns.size(); ++i) {
                check(c.turns[i].index == 3 + static_cast<int>(i), "continuation: bad index");
                if (i > 0)
                    check(c.turns[i].role != c.turns[i - 1].role, "continuation: roles do not alternate");
            }
        }
    }
    const ContinuationCheck w = checkWholeDialogue(p, 2, 30);
    check(w.turns.empty() != w.error.empty(), "whole: turns and error both set or both empty");
}

inline void checkRewards(const std::string& input)
{
    const auto i = parseFinalIntensity(input);
    check(i.value.has_value() != !i.error.empty(), "intensity: value and error");
    if (i.value)
        check(*i.value >= 1 && *i.value <= 5, "intensity: out of range");
    const auto u = parseUnfinished(input);
    check(u.value.has_value() != !u.error.empty(), "unfinished: value and error");
    const auto d = parseDonationAmount(input);
    check(d.value.has_value() != !d.error.empty(), "donation: value and error");
    if (d.value)
        check(*d.value >= 0.0 && *d.value <= 2.0, "donation: out of range");

    // Never guess: an ambiguous value line added to any reply makes it fail, and a second line
    // with another value too. Only where the added line is sure to be read (a <think> block left
    // open would swallow it).
    if (reply::lower(input).find("think>") != std::string::npos)
        return;
    for (const char* v : {"3-4", "2 or 3", "3 to 4", "3 out of 10", "2, 3", "2 (or 3)", "4/10"})
        check(!parseFinalIntensity(input + "\nFinal Emotional Intensity: " + v).value,
              std::string("intensity: guessed a value from '") + v + "'");
    for (const char* v : {"1,5", "$0.50-$1.00", "$1 or $2", "0.5 to 1", "1 2", "$1 (maybe $2)"})
        check(!parseDonationAmount(input + "\nFinal Donation Amount: " + v).value,
              std::string("donation: guessed a value from '") + v + "'");
    if (i.value) {
        const auto same = parseFinalIntensity(input + "\nFinal Emotional Intensity: " + std::to_string(*i.value));
        check(same.value && *same.value == *i.value, "intensity: repeating the value changed the result");
        const int other = *i.value == 5 ? 4 : *i.value + 1;
        check(!parseFinalIntensity(input + "\nFinal Emotional Intensity: " + std::to_string(other)).value,
              "intensity: two different values accepted");
    }
    if (d.value)
        check(!parseDonationAmount(input + "\nFinal Donation Amount: " + (*d.value > 1.0 ? "0.25" : "1.75")).value,
              "donation: two different amounts accepted");
}

inline void checkTemplate(const std::string& input)
{
    PromptTemplate t;
    t.path = "fuzz.txt";
    t.text = input;
    (void)t.placeholders();
    try {
        const auto messages = t.render({{"dialogue", "AI: {{count}}"}, {"count", "3"}, {"task_description", "x"}});
        for (const auto& m : messages)
            check(m.role == "system" || m.role == "user" || m.role == "assistant", "template: bad role");
    } catch (const Error&) {
        // unknown markers and missing values are reported errors: fine
    }
}

// Inputs that reach deep into each parser; the replay test mutates them.
inline const std::vector<std::string>& seedCorpus()
{
    static const std::vector<std::string> seeds = {
        "1. \"Have you heard of Save the Children?\";Too abrupt;\"Can I tell you about a charity I love?\"/\n"
        "2. \"Thank you!\";Generic;\"Thank you so much, it means a lot.\"/\n3. \"Nice.\";x;\"y\"/",
        "Here you go:\n**1.** \u201cHello\u201d;Cold;\u201cHi there!\u201d\n(2) 'a';b;'c'\n- 3) Original: \"x\"; Critique: y; Better: \"z\"/",
        "H: yes\nAI: great\n\nH: bye\nmore text\n\n**AI:** ok\nPersuadee: fine\n[AI]: end",
        "<think>reasoning</think>\nFinal Emotional Intensity: 2\nUnfinished: no\nFinal Donation Amount: $1.50",
        "Final Emotional Intensity: 3 (out of 5).\nUnfinished: No.\nFinal Donation Amount: 0.50 USD (half a dollar)",
        "%% comment\n@@ system\nYou are {{ task_description }}.\n@@ user\n{{dialogue}}\n{{count}} {{missing}}\n@@ bogus",
        "A charity that helps children in poor countries.",
    };
    return seeds;
}

} // namespace hw::fuzz
