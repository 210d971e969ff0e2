// Word-level diff used by the suggestions page (core/util/word_diff.h).
#include "core/util/word_diff.h"

#include <QtTest>

#include <random>

using hw::DiffSegment;

namespace {

// Equal as is, Deleted as [-..-], Inserted as {+..+}.
QString render(const std::vector<DiffSegment>& diff)
{
    QString out;
    for (const DiffSegment& s : diff) {
        const QString t = QString::fromStdString(s.text);
        switch (s.kind) {
        case DiffSegment::Kind::Equal: out += t; break;
        case DiffSegment::Kind::Deleted: out += QStringLiteral("[-") + t + QStringLiteral("-]"); break;
        case DiffSegment::Kind::Inserted: out += QStringLiteral("{+") + t + QStringLiteral("+}"); break;
        }
    }
    return out;
}

QStringList words(const std::vector<hw::DiffToken>& tokens)
{
    QStringList out;
    for (const auto& t : tokens)
        out << QString::fromStdString(t.word);
    return out;
}

// Length of the longest common subsequence of token words, by plain dynamic programming.
size_t lcs(const std::vector<hw::DiffToken>& a, const std::vector<hw::DiffToken>& b)
{
    std::vector<std::vector<size_t>> t(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
    for (size_t i = 1; i <= a.size(); ++i)
        for (size_t j = 1; j <= b.size(); ++j)
            t[i][j] = a[i - 1].word == b[j - 1].word ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
    return t[a.size()][b.size()];
}

} // namespace

class TestWordDiff : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void tokens_data();
    void tokens();
    void diff_data();
    void diff();
    void roundTripAndMinimal();
    void longTextsFallBack();
    void changedShare();
};

void TestWordDiff::tokens_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("empty") << "" << QStringList{};
    QTest::newRow("words") << "I hear you" << QStringList{"I", "hear", "you"};
    QTest::newRow("punctuation") << "Hi, there!" << QStringList{"Hi", ",", "there", "!"};
    QTest::newRow("apostrophe in word") << "don't stop" << QStringList{"don't", "stop"};
    QTest::newRow("curly apostrophe") << QString::fromUtf8("it\u2019s") << QStringList{QString::fromUtf8("it\u2019s")};
    QTest::newRow("quotes") << "'yes' he said" << QStringList{"'", "yes", "'", "he", "said"};
    QTest::newRow("unicode letters") << QString::fromUtf8("caf\u00e9 na\u00efve") << QStringList{QString::fromUtf8("caf\u00e9"), QString::fromUtf8("na\u00efve")};
    QTest::newRow("em dash") << QString::fromUtf8("well\u2014ok") << QStringList{"well", QString::fromUtf8("\u2014"), "ok"};
    QTest::newRow("numbers") << "$2.50 now" << QStringList{"$", "2", ".", "50", "now"};
    QTest::newRow("trailing space") << "ok  " << QStringList{"ok", ""};
    QTest::newRow("only space") << "  \n" << QStringList{""};
}

void TestWordDiff::tokens()
{
    QFETCH(QString, text);
    QFETCH(QStringList, expected);
    const auto t = hw::diffTokens(text.toStdString());
    QCOMPARE(words(t), expected);
    std::string joined;
    for (const auto& tok : t)
        joined += tok.space + tok.word;
    QCOMPARE(QString::fromStdString(joined), text);
}

void TestWordDiff::diff_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::addColumn<QString>("expected");
    QTest::newRow("identical") << "I hear you." << "I hear you." << "I hear you.";
    QTest::newRow("both empty") << "" << "" << "";
    QTest::newRow("all inserted") << "" << "Hello there" << "{+Hello there+}";
    QTest::newRow("all deleted") << "Hello there" << "" << "[-Hello there-]";
    QTest::newRow("insert word") << "I hear you." << "I really hear you." << "I{+ really+} hear you.";
    QTest::newRow("delete word") << "I really hear you." << "I hear you." << "I[- really-] hear you.";
    QTest::newRow("replace word") << "That sounds hard." << "That sounds painful." << "That sounds[- hard-]{+ painful+}.";
    QTest::newRow("punctuation only") << "I hear you." << "I hear you!" << "I hear you[-.-]{+!+}";
    QTest::newRow("mixed") << "I hear you." << "I really hear you!" << "I{+ really+} hear you[-.-]{+!+}";
    QTest::newRow("respacing is no change") << "I  hear\nyou" << "I hear you" << "I hear you";
    QTest::newRow("trailing whitespace") << "ok" << "ok \n" << "ok \n";
    QTest::newRow("case matters") << "Okay then" << "okay then" << "[-Okay-]{+okay+} then";
    QTest::newRow("replace phrase")
        << "Why don't you just donate now?"
        << "Would you consider donating a small amount today?"
        << "[-Why don't you just donate now-]{+Would you consider donating a small amount today+}?";
    // A rewrite reads as one replacement: lone shared words inside it are not kept.
    QTest::newRow("rewrite folds lone words")
        << "Okay. Good luck with everything."
        << "You care a lot, and that shows strength. Would it help to plan how to talk with them?"
        << "[-Okay. Good luck with everything.-]{+You care a lot, and that shows strength. Would it help to plan how "
           "to talk with them?+}";
    QTest::newRow("long equality kept")
        << "I hear you, that sounds really hard for you."
        << "I hear you, that sounds really painful for you."
        << "I hear you, that sounds really[- hard-]{+ painful+} for you.";
    QTest::newRow("reorder") << "a b c" << "c b a" << "[-a b c-]{+c b a+}";
}

void TestWordDiff::diff()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    QFETCH(QString, expected);
    QCOMPARE(render(hw::wordDiff(before.toStdString(), after.toStdString())), expected);
}

// On random token sequences: Equal + Inserted spell `after`, Equal + Deleted words are `before`'s,
// and without the semantic cleanup the number of changed tokens is the minimum (n + m - 2 LCS).
void TestWordDiff::roundTripAndMinimal()
{
    std::mt19937 rng(7);
    const std::vector<std::string> vocab = {"a", "b", "c", "d", ",", ".", "you", "I"};
    for (int round = 0; round < 400; ++round) {
        auto make = [&] {
            std::string s;
            const int n = static_cast<int>(rng() % 14);
            for (int i = 0; i < n; ++i)
                s += (rng() % 3 == 0 ? "  " : " ") + vocab[rng() % vocab.size()];
            return s;
        };
        const std::string before = make(), after = make();
        const auto diff = hw::wordDiff(before, after, hw::DiffOptions{false});
        const auto cleaned = hw::wordDiff(before, after);
        std::string cleanedAfter;
        for (const auto& s : cleaned)
            if (s.kind != DiffSegment::Kind::Deleted)
                cleanedAfter += s.text;
        QCOMPARE(QString::fromStdString(cleanedAfter), QString::fromStdString(after));
        std::string rebuilt, kept;
        size_t changed = 0;
        for (const auto& s : diff) {
            if (s.kind != DiffSegment::Kind::Deleted)
                rebuilt += s.text;
            if (s.kind != DiffSegment::Kind::Inserted)
                kept += s.text;
            if (s.kind != DiffSegment::Kind::Equal)
                for (const auto& t : hw::diffTokens(s.text))
                    changed += t.word.empty() ? 0 : 1;
        }
        QCOMPARE(QString::fromStdString(rebuilt), QString::fromStdString(after));
        auto nonEmpty = [](std::vector<hw::DiffToken> t) {
            t.erase(std::remove_if(t.begin(), t.end(), [](const auto& x) { return x.word.empty(); }), t.end());
            return t;
        };
        const auto ta = nonEmpty(hw::diffTokens(before)), tb = nonEmpty(hw::diffTokens(after));
        QCOMPARE(words(nonEmpty(hw::diffTokens(kept))), words(ta));
        QCOMPARE(changed, ta.size() + tb.size() - 2 * lcs(ta, tb));
        // No two neighbours of the same kind.
        for (size_t i = 1; i < diff.size(); ++i)
            QVERIFY(diff[i].kind != diff[i - 1].kind);
    }
}

void TestWordDiff::longTextsFallBack()
{
    std::string a, b;
    for (int i = 0; i < 3000; ++i) {
        a += " x" + std::to_string(i);
        b += " y" + std::to_string(i);
    }
    const auto diff = hw::wordDiff("same " + a, "same " + b);
    QCOMPARE(diff.size(), size_t(3));
    QCOMPARE(diff[0].kind, DiffSegment::Kind::Equal);
    QCOMPARE(diff[1].kind, DiffSegment::Kind::Deleted);
    QCOMPARE(diff[2].kind, DiffSegment::Kind::Inserted);
}

void TestWordDiff::changedShare()
{
    QCOMPARE(hw::changedShare(hw::wordDiff("a b c d", "a b c d")), 0.0);
    QCOMPARE(hw::changedShare(hw::wordDiff("a b c d", "w x y z")), 1.0);
    QCOMPARE(hw::changedShare(hw::wordDiff("a b c d", "a b y z")), 0.5);
    QCOMPARE(hw::changedShare(hw::wordDiff("a b", "")), 1.0);
    QCOMPARE(hw::changedShare(hw::wordDiff("", "")), 0.0);
}

QTEST_APPLESS_MAIN(TestWordDiff)
#include "tst_core_word_diff.moc"
