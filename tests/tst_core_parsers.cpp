// Reply parsers over many reply variants, including hostile ones (data-driven tables):
// hindsight controller lists, the turn matcher, dialogue lines / continuations, reward lines.
#include "core/pipeline/controller_parser.h"
#include "core/pipeline/dialogue_lines.h"
#include "core/pipeline/reward_parser.h"
#include "core/pipeline/turn_matcher.h"
#include "support/test_paths.h"

using namespace hw;

namespace {

std::vector<Turn> dialogue(const std::vector<std::pair<Role, std::string>>& lines)
{
    std::vector<Turn> out;
    for (const auto& [role, text] : lines) {
        Turn t;
        t.index = static_cast<int>(out.size());
        t.role = role;
        t.text = text;
        out.push_back(t);
    }
    return out;
}

const auto A = Role::Agent;
const auto U = Role::User;

} // namespace

class TestParsers : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // ------------------------------------------------------------ controller

    void controller_data()
    {
        QTest::addColumn<QString>("reply");
        QTest::addColumn<int>("items");        // parsed items (with or without error)
        QTest::addColumn<int>("usable");
        QTest::addColumn<QString>("original1"); // first usable item's fields
        QTest::addColumn<QString>("critique1");
        QTest::addColumn<QString>("proposed1");

        const QString canonical = "1. \"Would you donate?\";Too early;\"Can I tell you about the charity first?\"/\n"
                                  "2. \"ok\";Dismissive;\"I understand how you feel.\"/\n"
                                  "3. \"Bye\";Abrupt;\"Thanks so much for your time today!\"/\n";
        QTest::newRow("canonical") << canonical << 3 << 3 << "Would you donate?" << "Too early"
                                   << "Can I tell you about the charity first?";
        QTest::newRow("no trailing slash")
            << "1. \"Would you donate?\";Too early;\"Tell me more first.\"\n2. \"ok\";x;\"y z\"" << 2 << 2
            << "Would you donate?" << "Too early" << "Tell me more first.";
        QTest::newRow("curly double quotes")
            << QString::fromUtf8("1. \u201cWould you donate?\u201d;Too early;\u201cLet me explain first.\u201d/") << 1 << 1
            << "Would you donate?" << "Too early" << "Let me explain first.";
        QTest::newRow("curly single quotes with apostrophe")
            << QString::fromUtf8("1. \u2018I don\u2019t know\u2019;Vague;\u2018Here\u2019s what I know.\u2019/") << 1 << 1
            << QString::fromUtf8("I don\u2019t know") << "Vague" << QString::fromUtf8("Here\u2019s what I know.");
        QTest::newRow("straight single quotes")
            << "1. 'I don't know';Vague;'Here is what I know.'/" << 1 << 1 << "I don't know" << "Vague"
            << "Here is what I know.";
        QTest::newRow("guillemets") << QString::fromUtf8("1. \u00abBonjour\u00bb;Cold;\u00abBonjour, comment allez-vous ?\u00bb/") << 1
                                    << 1 << "Bonjour" << "Cold" << QString::fromUtf8("Bonjour, comment allez-vous ?");
        QTest::newRow("paren numbering") << "1) \"a b c\";crit;\"d e f\"/" << 1 << 1 << "a b c" << "crit" << "d e f";
        QTest::newRow("wrapped numbering") << "(1) \"a b c\";crit;\"d e f\"/" << 1 << 1 << "a b c" << "crit" << "d e f";
        QTest::newRow("bold numbering") << "**1.** \"a b c\";crit;\"d e f\"/" << 1 << 1 << "a b c" << "crit" << "d e f";
        QTest::newRow("hash and colon") << "#1: \"a b c\";crit;\"d e f\"/" << 1 << 1 << "a b c" << "crit" << "d e f";
        QTest::newRow("bullet then number") << "- 1. \"a b c\";crit;\"d e f\"/" << 1 << 1 << "a b c" << "crit" << "d e f";
        QTest::newRow("suggestion word") << "Suggestion 1: \"a b c\";crit;\"d e f\"/" << 1 << 1 << "a b c" << "crit" << "d e f";
        QTest::newRow("prose around")
            << "Sure! Here are three improvements:\n\n1. \"a b c\";crit;\"d e f\"/\n\nI hope this helps, let me know!"
            << 1 << 1 << "a b c" << "crit" << "d e f";
        QTest::newRow("prose after slash on the same line")
            << "1. \"a b c\";crit;\"d e f\"/ (this one matters most)" << 1 << 1 << "a b c" << "crit" << "d e f";
        QTest::newRow("spaces around separators")
            << "1.  \"a b c\" ; crit here ; \"d e f\" /" << 1 << 1 << "a b c" << "crit here" << "d e f";
        QTest::newRow("labels")
            << "1. Original: \"a b c\"; Critique: too blunt; Better: \"d e f\"/" << 1 << 1 << "a b c" << "too blunt" << "d e f";
        QTest::newRow("bold fields") << "1. **\"a b c\"**;**crit**;**\"d e f\"**/" << 1 << 1 << "a b c" << "crit" << "d e f";
        QTest::newRow("wrapped over lines") << "1. \"a b c\";\ncrit that goes on;\n\"d e f\"/\n2. \"g\";h;\"i j\"/" << 2 << 2
                                            << "a b c" << "crit that goes on" << "d e f";
        QTest::newRow("semicolons inside quotes")
            << "1. \"wait; what?\";confusing; and rude;\"Sorry; let me rephrase.\"/" << 1 << 1 << "wait; what?"
            << "confusing; and rude" << "Sorry; let me rephrase.";
        QTest::newRow("quotes inside critique")
            << "1. \"a b c\";should \"validate\" first;\"d e f\"/" << 1 << 1 << "a b c" << "should \"validate\" first" << "d e f";
        QTest::newRow("inner quotes in utterance")
            << "1. \"He said \"no\" to me\";crit;\"You said \"no\", I get it\"/" << 1 << 1 << "He said \"no\" to me" << "crit"
            << "You said \"no\", I get it";
        QTest::newRow("unquoted with two semicolons") << "1. a b c;crit;d e f/" << 1 << 1 << "a b c" << "crit" << "d e f";
        QTest::newRow("think block") << "<think>1. \"x\";y;\"z\"/ maybe</think>\n1. \"a b c\";crit;\"d e f\"/" << 1 << 1
                                     << "a b c" << "crit" << "d e f";
        QTest::newRow("code fence") << "```\n1. \"a b c\";crit;\"d e f\"/\n```" << 1 << 1 << "a b c" << "crit" << "d e f";
        QTest::newRow("windows newlines") << "1. \"a b c\";crit;\"d e f\"/\r\n2. \"g\";h;\"i\"/\r\n" << 2 << 2 << "a b c"
                                          << "crit" << "d e f";
        QTest::newRow("numbered prose line is skipped")
            << "1) Here is my list\n1. \"a b c\";crit;\"d e f\"/" << 1 << 1 << "a b c" << "crit" << "d e f";
        QTest::newRow("empty critique allowed") << "1. \"a b c\";;\"d e f\"/" << 1 << 1 << "a b c" << "" << "d e f";

        // Failures: never guess.
        QTest::newRow("empty reply") << "" << 0 << 0 << "" << "" << "";
        QTest::newRow("refusal") << "I'm sorry, I can't help with that." << 0 << 0 << "" << "" << "";
        QTest::newRow("unnumbered") << "\"a\";b;\"c\"/" << 0 << 0 << "" << "" << "";
        QTest::newRow("missing better") << "1. \"a b c\";crit" << 1 << 0 << "" << "" << "";
        QTest::newRow("unquoted ambiguous") << "1. a;b;c;d/" << 1 << 0 << "" << "" << "";
        QTest::newRow("unclosed better quote") << "1. \"a b c\";crit;\"d e f" << 1 << 0 << "" << "" << "";
        QTest::newRow("unclosed original quote") << "1. \"a b c;crit;d e f" << 1 << 0 << "" << "" << "";
        QTest::newRow("empty original") << "1. \"\";crit;\"d\"/" << 1 << 0 << "" << "" << "";
        QTest::newRow("empty better") << "1. \"a\";crit;\"\"/" << 1 << 0 << "" << "" << "";
        QTest::newRow("one good one bad") << "1. \"a b c\";crit;\"d e f\"/\n2. garbage; here" << 2 << 1 << "a b c" << "crit"
                                          << "d e f";
        QTest::newRow("three digit number") << "100. \"a\";b;\"c\"/" << 0 << 0 << "" << "" << "";
        QTest::newRow("nul bytes") << QString::fromLatin1("1. \"a\0b\";c;\"d\"/", 15) << 1 << 1 << QString::fromLatin1("a\0b", 3)
                                   << "c" << "d";
    }
    void controller()
    {
        QFETCH(QString, reply);
        QFETCH(int, items);
        QFETCH(int, usable);
        QFETCH(QString, original1);
        QFETCH(QString, critique1);
        QFETCH(QString, proposed1);
        const std::string r = reply.toStdString();
        const ControllerParse p = parseControllerReply(r);
        QCOMPARE(static_cast<int>(p.items.size()), items);
        QCOMPARE(p.usable(), usable);
        if (items == 0)
            QVERIFY(!p.error.empty());
        for (size_t i = 0; i < p.items.size(); ++i) {
            QCOMPARE(p.items[i].rank, static_cast<int>(i) + 1);
            if (!p.items[i].error.empty())
                QVERIFY(p.items[i].original.empty() && p.items[i].proposed.empty());
        }
        for (const auto& it : p.items)
            if (it.error.empty()) {
                QCOMPARE(QString::fromStdString(it.original), original1);
                QCOMPARE(QString::fromStdString(it.critique), critique1);
                QCOMPARE(QString::fromStdString(it.proposed), proposed1);
                break;
            }
    }

    // ------------------------------------------------------------ turn matcher

    void matcher_data()
    {
        QTest::addColumn<QString>("quote");
        QTest::addColumn<int>("turn"); // -1 = no match
        QTest::addColumn<QString>("error");
        QTest::newRow("exact") << "Would you like to donate to Save the Children?" << 2 << "";
        QTest::newRow("case and punctuation") << "would you like to donate to save the children" << 2 << "";
        QTest::newRow("curly apostrophe")
            << QString::fromUtf8("It\u2019s a charity that helps kids in war zones.") << 4 << "";
        QTest::newRow("excerpt of a long turn") << "helps kids in war zones" << 4 << "";
        QTest::newRow("small typo") << "Would you like to donat to Save the Childen?" << 2 << "";
        QTest::newRow("ellipsis excerpt") << "It's a charity that helps kids..." << 4 << "";
        QTest::newRow("user turn") << "I am not sure, what is it about?" << -1 << "user's";
        QTest::newRow("no such turn") << "The weather is lovely in Paris this time of year." << -1 << "matches no agent turn";
        QTest::newRow("ambiguous repeat") << "Thank you!" << -1 << "ambiguous";
        QTest::newRow("empty") << "   " << -1 << "empty";
        QTest::newRow("exact beats near duplicate") << "Let me know if you have questions 1." << 10 << "";
        QTest::newRow("near duplicates, inexact") << "Let me know if you have question" << -1 << "ambiguous";
        // Turn 14 (agent) paraphrases turn 13 (user): quoting the user must not land on the agent.
        QTest::newRow("user turn paraphrased by the agent") << "My sister says I should give to local food banks instead."
                                                            << -1 << "user's (turn 13)";
        QTest::newRow("user turn, inexact") << "my sister says i should give to local food bank instead" << -1 << "user's (turn 13)";
        QTest::newRow("the agent's paraphrase") << "Your sister says you should give to local food banks instead?" << 14 << "";
        QTest::newRow("halfway between user and agent") << "Your sister says I should give to local food banks instead"
                                                        << -1 << "user turn 13 about as well as agent turn 14";
        QTest::newRow("agent echo said by the user too") << "Ok." << -1 << "user's";
    }
    void matcher()
    {
        QFETCH(QString, quote);
        QFETCH(int, turn);
        QFETCH(QString, error);
        const auto turns = dialogue({{A, "Hi, how are you today?"},
                                     {U, "Fine, thanks."},
                                     {A, "Would you like to donate to Save the Children?"},
                                     {U, "I am not sure, what is it about?"},
                                     {A, "It's a charity that helps kids in war zones. They provide food, schooling and medical care."},
                                     {U, "Sounds good."},
                                     {A, "Thank you!"},
                                     {U, "Bye."},
                                     {A, "Thank you!"},
                                     {U, "Ok."},
                                     {A, "Let me know if you have questions 1."},
                                     {U, "Ok."},
                                     {A, "Let me know if you have questions 2."},
                                     {U, "My sister says I should give to local food banks instead."},
                                     {A, "Your sister says you should give to local food banks instead?"},
                                     {U, "Ok."},
                                     {A, "Ok."}});
        const TurnMatch m = matchAgentTurn(turns, quote.toStdString());
        if (turn < 0) {
            QVERIFY(!m.turnIndex);
            QVERIFY2(QString::fromStdString(m.error).contains(error), m.error.c_str());
        } else {
            QVERIFY2(m.turnIndex.has_value(), m.error.c_str());
            QCOMPARE(*m.turnIndex, turn);
        }
    }

    // ------------------------------------------------------------ dialogue lines

    void lines_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("roles"); // e.g. "UAU"; "" = error expected
        QTest::addColumn<QString>("firstText");
        QTest::newRow("plain") << "H: yes\nAI: great\nH: bye" << "UAU" << "yes";
        QTest::newRow("prose before and after") << "Sure, here it is:\n\nH: yes\nAI: great\n\nHope you like it." << "UA" << "yes";
        QTest::newRow("continuation line") << "H: yes\nand more\nAI: ok" << "UA" << "yes and more";
        QTest::newRow("markdown labels") << "**H:** yes\n**AI:** ok" << "UA" << "yes";
        QTest::newRow("bold label inside") << "**H**: yes\n- **AI**: ok" << "UA" << "yes";
        QTest::newRow("long labels") << "Human: yes\nAssistant: ok\nUser: fine" << "UAU" << "yes";
        QTest::newRow("task role names") << "Persuadee: yes\nPersuader: ok" << "UA" << "yes";
        QTest::newRow("blank lines between turns") << "H: yes\n\nAI: ok\n\nH: bye" << "UAU" << "yes";
        QTest::newRow("trailing empty turn dropped") << "H: yes\nAI: ok\nH:" << "UA" << "yes";
        QTest::newRow("empty turn in the middle") << "H: yes\nAI:\nH: bye" << "" << "";
        QTest::newRow("no labels") << "This is just prose." << "" << "";
        QTest::newRow("empty") << "" << "" << "";
        QTest::newRow("think") << "<think>H: fake</think>H: real" << "U" << "real";
        QTest::newRow("bracket labels") << "[H]: yes\n[AI]: ok" << "UA" << "yes";
    }
    void lines()
    {
        QFETCH(QString, text);
        QFETCH(QString, roles);
        QFETCH(QString, firstText);
        const Task task = Task::persuasion();
        const ParsedLines p = parseDialogueLines(text.toStdString(), &task);
        if (roles.isEmpty()) {
            QVERIFY(!p.error.empty());
            QVERIFY(p.turns.empty());
            return;
        }
        QVERIFY2(p.error.empty(), p.error.c_str());
        QString got;
        for (const auto& t : p.turns)
            got += t.role == Role::Agent ? 'A' : 'U';
        QCOMPARE(got, roles);
        QCOMPARE(QString::fromStdString(p.turns.front().text), firstText);
    }

    void continuation_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("budget");
        QTest::addColumn<int>("turns"); // -1 = error
        QTest::addColumn<QString>("error");
        QTest::newRow("ok") << "H: sure\nAI: thanks\nH: $1" << 5 << 3 << "";
        QTest::newRow("echo dropped") << "AI: Can I tell you about kids in need?\nH: sure\nAI: thanks" << 5 << 2 << "";
        QTest::newRow("same speaker merged") << "H: sure\nH: why not\nAI: thanks" << 5 << 2 << "";
        QTest::newRow("starts with agent") << "AI: and another thing\nH: ok" << 5 << -1 << "must start with the user";
        QTest::newRow("over budget") << "H: a\nAI: b\nH: c\nAI: d" << 3 << -1 << "more than the budget of 3";
        QTest::newRow("only echo") << "AI: Can I tell you about kids in need?" << 5 << -1 << "empty";
        QTest::newRow("unparseable") << "I would rather not continue this." << 5 << -1 << "no \"AI:\"";
    }
    void continuation()
    {
        QFETCH(QString, text);
        QFETCH(int, budget);
        QFETCH(int, turns);
        QFETCH(QString, error);
        const auto prefix = dialogue({{A, "Hello"}, {U, "Hi"}, {A, "Can I tell you about kids in need?"}});
        const ContinuationCheck c = checkContinuation(parseDialogueLines(text.toStdString()), prefix, budget);
        if (turns < 0) {
            QVERIFY2(QString::fromStdString(c.error).contains(error), c.error.c_str());
            QVERIFY(c.turns.empty());
            return;
        }
        QVERIFY2(c.error.empty(), c.error.c_str());
        QCOMPARE(static_cast<int>(c.turns.size()), turns);
        QCOMPARE(c.turns.front().index, 3);
        QVERIFY(c.turns.front().role == Role::User);
        for (size_t i = 1; i < c.turns.size(); ++i)
            QVERIFY(c.turns[i].role != c.turns[i - 1].role);
    }

    void wholeDialogue()
    {
        auto check = [](const char* text) { return checkWholeDialogue(parseDialogueLines(text), 4, 6); };
        QVERIFY(check("AI: a\nH: b\nAI: c\nH: d").error.empty());
        QVERIFY(!check("AI: a\nAI: b\nAI: c\nAI: d").error.empty());      // one speaker only
        QVERIFY(!check("AI: a\nH: b").error.empty());                      // too short
        QVERIFY(!check("AI: a\nH: b\nAI: c\nH: d\nAI: e\nH: f\nAI: g").error.empty()); // too long
        QCOMPARE(formatDialogueLines(dialogue({{A, "x\ny"}, {U, "z"}})), std::string("AI: x y\nH: z\n"));
    }

    // ------------------------------------------------------------ rewards

    void intensity_data()
    {
        QTest::addColumn<QString>("reply");
        QTest::addColumn<int>("value"); // 0 = error
        QTest::newRow("plain") << "Final Emotional Intensity: 2" << 2;
        QTest::newRow("prose first") << "The seeker seems calmer now.\nFinal Emotional Intensity: 3" << 3;
        QTest::newRow("bold") << "**Final Emotional Intensity:** 4" << 4;
        QTest::newRow("lower case") << "final emotional intensity: 1" << 1;
        QTest::newRow("out of five") << "Final Emotional Intensity: 2/5" << 2;
        QTest::newRow("decimal integer") << "Final Emotional Intensity: 3.0" << 3;
        QTest::newRow("same twice") << "Final Emotional Intensity: 2\nSo: Final Emotional Intensity: 2" << 2;
        QTest::newRow("prose mention then value") << "The final emotional intensity is likely lower.\nFinal Emotional Intensity: 2" << 2;
        QTest::newRow("out of range high") << "Final Emotional Intensity: 7" << 0;
        QTest::newRow("zero") << "Final Emotional Intensity: 0" << 0;
        QTest::newRow("half") << "Final Emotional Intensity: 2.5" << 0;
        QTest::newRow("disagreeing") << "Final Emotional Intensity: 2\nFinal Emotional Intensity: 3" << 0;
        QTest::newRow("missing") << "I think it went well." << 0;
        QTest::newRow("no number") << "Final Emotional Intensity: low" << 0;
        QTest::newRow("other scale") << "Final Emotional Intensity: 2/10" << 0;
        // Tolerated forms.
        QTest::newRow("full stop") << "Final Emotional Intensity: 3." << 3;
        QTest::newRow("bold value") << "Final Emotional Intensity: **3**" << 3;
        QTest::newRow("spaced scale") << "Final Emotional Intensity: 3 / 5" << 3;
        QTest::newRow("out of 5 in words") << "Final Emotional Intensity: 3 out of 5" << 3;
        QTest::newRow("note") << "Final Emotional Intensity: 2 (mild, down from severe)." << 2;
        QTest::newRow("note naming the scale") << "Final Emotional Intensity: 2 (out of 5)" << 2;
        QTest::newRow("note repeating the value") << "Final Emotional Intensity: 2 (2/5)" << 2;
        QTest::newRow("prose on other lines") << "Reasoning: the seeker felt 4, now calmer.\nFinal Emotional Intensity: 2\nHope this helps!" << 2;
        QTest::newRow("think block") << "<think>Maybe 4 or 5?</think>\nFinal Emotional Intensity: 2" << 2;
        // Never guess: a value that could be read as two numbers fails.
        QTest::newRow("range") << "Final Emotional Intensity: 3-4" << 0;
        QTest::newRow("range en dash") << QString::fromUtf8("Final Emotional Intensity: 3\u20134") << 0;
        QTest::newRow("or") << "Final Emotional Intensity: 2 or 3" << 0;
        QTest::newRow("to") << "Final Emotional Intensity: 3 to 4" << 0;
        QTest::newRow("out of ten") << "Final Emotional Intensity: 3 out of 10" << 0;
        QTest::newRow("comma list") << "Final Emotional Intensity: 2, 3" << 0;
        QTest::newRow("slash pair") << "Final Emotional Intensity: 2/3" << 0;
        QTest::newRow("second number in a note") << "Final Emotional Intensity: 3 (or 4)" << 0;
        QTest::newRow("scale on another range") << "Final Emotional Intensity: 3 (on a 1-10 scale)" << 0;
        QTest::newRow("prose after the value") << "Final Emotional Intensity: 3 probably" << 0;
        QTest::newRow("unclosed note") << "Final Emotional Intensity: 3 (moderate" << 0;
        QTest::newRow("ambiguous prose line then value") << "The final emotional intensity is 2 or 3.\nFinal Emotional Intensity: 2" << 0;
        QTest::newRow("huge") << "Final Emotional Intensity: 99999999999999999999" << 0;
    }
    void intensity()
    {
        QFETCH(QString, reply);
        QFETCH(int, value);
        const auto p = parseFinalIntensity(reply.toStdString());
        if (value == 0) {
            QVERIFY(!p.value);
            QVERIFY(!p.error.empty());
        } else {
            QVERIFY2(p.value.has_value(), p.error.c_str());
            QCOMPARE(*p.value, value);
        }
    }

    void unfinished_data()
    {
        QTest::addColumn<QString>("reply");
        QTest::addColumn<int>("value"); // 1 yes, 0 no, -1 error
        QTest::newRow("yes") << "Unfinished: yes" << 1;
        QTest::newRow("no") << "Unfinished: No." << 0;
        QTest::newRow("bold") << "**Unfinished:** no" << 0;
        QTest::newRow("true") << "Unfinished: true" << 1;
        QTest::newRow("prose first") << "They never decide.\nUnfinished: yes" << 1;
        QTest::newRow("prose mention only") << "The dialogue is unfinished: they leave." << -1;
        QTest::newRow("both") << "Unfinished: yes\nUnfinished: no" << -1;
        QTest::newRow("maybe") << "Unfinished: maybe" << -1;
        QTest::newRow("missing") << "" << -1;
    }
    void unfinished()
    {
        QFETCH(QString, reply);
        QFETCH(int, value);
        const auto p = parseUnfinished(reply.toStdString());
        if (value < 0) {
            QVERIFY(!p.value);
            QVERIFY(!p.error.empty());
        } else {
            QVERIFY2(p.value.has_value(), p.error.c_str());
            QCOMPARE(*p.value, value == 1);
        }
    }

    void donation_data()
    {
        QTest::addColumn<QString>("reply");
        QTest::addColumn<double>("value"); // -1 = error
        QTest::newRow("dollar") << "Final Donation Amount: $1.50" << 1.5;
        QTest::newRow("plain") << "Final Donation Amount: 2" << 2.0;
        QTest::newRow("zero") << "Final Donation Amount: $0" << 0.0;
        QTest::newRow("words after") << "Final Donation Amount: 0.5 dollars" << 0.5;
        QTest::newRow("bold") << "**Final Donation Amount**: $1" << 1.0;
        QTest::newRow("too much") << "Final Donation Amount: $5" << -1.0;
        QTest::newRow("negative") << "Final Donation Amount: -1" << -1.0;
        QTest::newRow("percent") << "Final Donation Amount: 50%" << -1.0;
        QTest::newRow("disagree") << "Final Donation Amount: $1\nFinal Donation Amount: $2" << -1.0;
        QTest::newRow("none") << "They will probably give something." << -1.0;
        QTest::newRow("hex") << "Final Donation Amount: 0x1" << -1.0;
        // Tolerated forms.
        QTest::newRow("usd") << "Final Donation Amount: 0.50 USD" << 0.5;
        QTest::newRow("dollars decimal") << "Final Donation Amount: 1.5 dollars" << 1.5;
        QTest::newRow("dollar sign after") << "Final Donation Amount: 1.50$" << 1.5;
        QTest::newRow("full stop") << "Final Donation Amount: $1.50." << 1.5;
        QTest::newRow("note") << "Final Donation Amount: $1 (they agreed to give one dollar)" << 1.0;
        QTest::newRow("note repeating the value") << "Final Donation Amount: $0.50 (0.5 dollars)." << 0.5;
        QTest::newRow("prose on other lines") << "They said they could give $1 or $2.\nFinal Donation Amount: $2\nThanks." << 2.0;
        QTest::newRow("leading point") << "Final Donation Amount: .5" << 0.5;
        // Never guess.
        QTest::newRow("comma decimal") << "Final Donation Amount: 1,5" << -1.0;
        QTest::newRow("range") << "Final Donation Amount: $0.50-$1.00" << -1.0;
        QTest::newRow("range with to") << "Final Donation Amount: 0.5 to 1" << -1.0;
        QTest::newRow("or") << "Final Donation Amount: $1 or $2" << -1.0;
        QTest::newRow("two numbers") << "Final Donation Amount: 1 2" << -1.0;
        QTest::newRow("second number in a note") << "Final Donation Amount: $1 (maybe $2)" << -1.0;
        QTest::newRow("cents") << "Final Donation Amount: 1 dollar 50" << -1.0;
        QTest::newRow("prose after the value") << "Final Donation Amount: $1 if they remember" << -1.0;
        QTest::newRow("fraction") << "Final Donation Amount: 1/2" << -1.0;
    }
    void donation()
    {
        QFETCH(QString, reply);
        QFETCH(double, value);
        const auto p = parseDonationAmount(reply.toStdString());
        if (value < 0) {
            QVERIFY(!p.value);
            QVERIFY(!p.error.empty());
        } else {
            QVERIFY2(p.value.has_value(), p.error.c_str());
            QCOMPARE(*p.value, value);
        }
    }
};

QTEST_APPLESS_MAIN(TestParsers)
#include "tst_core_parsers.moc"
