// DialogueQuery: every filter, full-text search (including hostile input), sorting, paging, and
// the dataset summaries, with exact counts on a generated project.
#include "core/store/database.h"
#include "core/store/dialogue_query.h"
#include "support/generated_dialogues.h"
#include "support/test_paths.h"

#include <algorithm>
#include <functional>
#include <set>

using namespace hw;
using Pred = std::function<bool(const Dialogue&, int64_t)>;
Q_DECLARE_METATYPE(DialogueFilter)
Q_DECLARE_METATYPE(Pred)
Q_DECLARE_METATYPE(DialogueSortKey)

namespace {
constexpr int64_t kN = 600;
}

class TestDialogueQuery : public QObject {
    Q_OBJECT
    Database m_db = Database::openInMemory();
    std::vector<int64_t> m_ids;

    int64_t expected(const Pred& pred) const
    {
        int64_t n = 0;
        for (int64_t i = 0; i < kN; ++i)
            n += pred(hwtest::generatedDialogue(i), i);
        return n;
    }

    // Every row of a query, read page by page.
    std::vector<DialogueRow> allRows(const DialogueQuery& q, int64_t pageSize)
    {
        std::vector<DialogueRow> out;
        for (int64_t off = 0;; off += pageSize) {
            auto page = q.page(off, pageSize);
            out.insert(out.end(), page.begin(), page.end());
            if (static_cast<int64_t>(page.size()) < pageSize)
                break;
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase() { m_ids = hwtest::insertGenerated(m_db, kN); }

    void countAll() { QCOMPARE(DialogueQuery(m_db).count(), kN); }

    void filters_data()
    {
        QTest::addColumn<DialogueFilter>("filter");
        QTest::addColumn<Pred>("pred");
        DialogueFilter f;
        f.task = "persuasion";
        QTest::newRow("task") << f << Pred([](const Dialogue& d, int64_t) { return d.task == "persuasion"; });
        f = {};
        f.task = "no-such-task";
        QTest::newRow("unknown task") << f << Pred([](const Dialogue&, int64_t) { return false; });
        f = {};
        f.source = "jsonl";
        QTest::newRow("source") << f << Pred([](const Dialogue& d, int64_t) { return d.source == "jsonl"; });
        f = {};
        f.labeled = DialogueFilter::Labeled::Labeled;
        QTest::newRow("labeled") << f << Pred([](const Dialogue& d, int64_t) { return d.reward.has_value(); });
        f.labeled = DialogueFilter::Labeled::Unlabeled;
        QTest::newRow("unlabeled") << f << Pred([](const Dialogue& d, int64_t) { return !d.reward; });
        f = {};
        f.rewardMin = 1.0;
        QTest::newRow("min") << f << Pred([](const Dialogue& d, int64_t) { return d.reward && *d.reward >= 1.0; });
        f = {};
        f.rewardMin = -2.0;
        f.rewardMax = 0.5;
        QTest::newRow("range") << f << Pred([](const Dialogue& d, int64_t) {
            return d.reward && *d.reward >= -2.0 && *d.reward <= 0.5;
        });
        f.task = "counseling";
        QTest::newRow("range+task") << f << Pred([](const Dialogue& d, int64_t) {
            return d.task == "counseling" && d.reward && *d.reward >= -2.0 && *d.reward <= 0.5;
        });
        f = {};
        f.flagsAny = kFlagFailed;
        QTest::newRow("flag failed") << f << Pred([](const Dialogue& d, int64_t) { return (d.flags & kFlagFailed) != 0; });
        f.flagsAny = kFlagFailed | kFlagRewardOutOfRange;
        QTest::newRow("any flag") << f << Pred([](const Dialogue& d, int64_t) { return d.flags != 0; });
        f = {};
        f.search = "lonely";
        QTest::newRow("search word") << f << Pred([](const Dialogue&, int64_t i) { return hwtest::generatedMentions(i, "lonely"); });
        f.search = "LONELY exam";
        QTest::newRow("search two words, any case") << f << Pred([](const Dialogue&, int64_t i) {
            return hwtest::generatedMentions(i, "lonely") && hwtest::generatedMentions(i, "exam");
        });
        f.search = "lone*";
        QTest::newRow("prefix") << f << Pred([](const Dialogue&, int64_t i) { return hwtest::generatedMentions(i, "lonely"); });
        f.search = "\"about sleep\"";
        QTest::newRow("phrase") << f << Pred([](const Dialogue&, int64_t i) { return hwtest::generatedMentions(i, "sleep"); });
        f.search = "number17";
        QTest::newRow("one dialogue") << f << Pred([](const Dialogue&, int64_t i) { return i == 17; });
        f.search = "donate OR exam"; // OR is a plain word here, so nothing has all three
        QTest::newRow("operators are words") << f << Pred([](const Dialogue&, int64_t) { return false; });
        f.search = "  ";
        QTest::newRow("blank search") << f << Pred([](const Dialogue&, int64_t) { return true; });
        f = {};
        f.search = "children";
        f.task = "persuasion";
        f.labeled = DialogueFilter::Labeled::Unlabeled;
        QTest::newRow("search+task+unlabeled") << f << Pred([](const Dialogue& d, int64_t i) {
            return hwtest::generatedMentions(i, "children") && d.task == "persuasion" && !d.reward;
        });
    }
    void filters()
    {
        QFETCH(DialogueFilter, filter);
        QFETCH(Pred, pred);
        const int64_t want = expected(pred);
        DialogueQuery q(m_db, filter);
        QCOMPARE(q.count(), want);
        const auto rows = allRows(q, 97);
        QCOMPARE(static_cast<int64_t>(rows.size()), want);
        for (const auto& r : rows) {
            const int64_t i = std::stoll(r.uid.substr(4));
            QVERIFY2(pred(hwtest::generatedDialogue(i), i), r.uid.c_str());
        }
    }

    void ftsQuery_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("output");
        QTest::newRow("word") << "lonely" << "\"lonely\"";
        QTest::newRow("words") << "  lonely   job " << "\"lonely\" \"job\"";
        QTest::newRow("prefix") << "lone*" << "\"lone\"*";
        QTest::newRow("operators") << "a AND b OR NOT c" << "\"a\" \"AND\" \"b\" \"OR\" \"NOT\" \"c\"";
        QTest::newRow("phrase") << "\"two words\" x" << "\"two words\" \"x\"";
        QTest::newRow("phrase prefix") << "\"two wo\"*" << "\"two wo\"*";
        QTest::newRow("unbalanced quote") << "say \"hello there" << "\"say\" \"hello there\"";
        QTest::newRow("near") << "NEAR(a b, 2)" << "\"NEAR(a\" \"b,\" \"2)\"";
        QTest::newRow("column filter") << "body:secret" << "\"body:secret\"";
        QTest::newRow("only punctuation") << "*** : - ( ) \"\"" << "";
        QTest::newRow("empty") << "" << "";
        QTest::newRow("unicode") << "über café" << "\"über\" \"café\"";
    }
    void ftsQuery()
    {
        QFETCH(QString, input);
        QFETCH(QString, output);
        QCOMPARE(QString::fromStdString(DialogueQuery::ftsQuery(input.toStdString())), output);
    }

    void hostileSearchNeverThrows_data()
    {
        QTest::addColumn<QString>("input");
        for (const char* s : {"\"", "*", "**", "AND", "OR OR", "(", ")", "NEAR(", "a:b", "-x", "^x", "'", "\\",
                              "%", "\"a\" OR \"b", "{a b}", "a + b", "\"\"\"", "x\"y", "😀 emoji", "\x01\x02",
                              "body : x", "NOT", "* lonely", "lonely*ness"})
            QTest::newRow(s) << QString::fromUtf8(s);
    }
    void hostileSearchNeverThrows()
    {
        QFETCH(QString, input);
        DialogueFilter f;
        f.search = input.toStdString();
        DialogueQuery q(m_db, f);
        try {
            const int64_t n = q.count();
            QVERIFY(n >= 0 && n <= kN);
            QCOMPARE(static_cast<int64_t>(q.page(0, kN).size()), n);
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
    }

    void sortAndPage_data()
    {
        QTest::addColumn<DialogueSortKey>("key");
        QTest::addColumn<bool>("descending");
        for (auto [name, key] : {std::pair{"id", DialogueSortKey::Id}, {"uid", DialogueSortKey::Uid},
                                 {"task", DialogueSortKey::Task}, {"turns", DialogueSortKey::Turns},
                                 {"reward", DialogueSortKey::Reward}, {"label", DialogueSortKey::RewardSource},
                                 {"source", DialogueSortKey::Source}, {"flags", DialogueSortKey::Flags}}) {
            QTest::newRow((std::string(name) + " asc").c_str()) << key << false;
            QTest::newRow((std::string(name) + " desc").c_str()) << key << true;
        }
    }
    void sortAndPage()
    {
        QFETCH(DialogueSortKey, key);
        QFETCH(bool, descending);
        DialogueFilter f;
        f.task = "counseling";
        DialogueQuery q(m_db, f, {key, descending});
        const auto rows = allRows(q, 64);
        QCOMPARE(static_cast<int64_t>(rows.size()), q.count());
        std::set<int64_t> seen;
        for (const auto& r : rows)
            QVERIFY2(seen.insert(r.id).second, "a row appeared on two pages");
        // Pages read backwards from the end (knownCount) are the same rows in the same order.
        const int64_t total = q.count();
        for (int64_t off : {total - 1, total - 50, total - 64, total / 2 + 1, total * 3 / 4}) {
            const auto back = q.page(off, 64, total);
            const auto forward = q.page(off, 64);
            QCOMPARE(back.size(), forward.size());
            QCOMPARE(back.size(), static_cast<size_t>(std::min<int64_t>(64, total - off)));
            for (size_t i = 0; i < back.size(); ++i)
                QCOMPARE(back[i].id, forward[i].id);
        }
        QVERIFY(q.page(total, 10, total).empty());

        // Compare (key, id) of neighbours; unlabeled rewards sort last both ways.
        auto less = [&](const DialogueRow& a, const DialogueRow& b) -> int { // -1, 0, 1
            auto cmp = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
            switch (key) {
            case DialogueSortKey::Id: return 0;
            case DialogueSortKey::Uid: return cmp(a.uid, b.uid);
            case DialogueSortKey::Task: return cmp(a.task, b.task);
            case DialogueSortKey::Turns: return cmp(a.turns, b.turns);
            case DialogueSortKey::RewardSource: return cmp(a.rewardSource, b.rewardSource);
            case DialogueSortKey::Source: return cmp(a.source, b.source);
            case DialogueSortKey::Flags: return cmp(a.flags, b.flags);
            case DialogueSortKey::Reward: break;
            }
            return 0;
        };
        for (size_t i = 1; i < rows.size(); ++i) {
            const auto& a = rows[i - 1];
            const auto& b = rows[i];
            int c;
            if (key == DialogueSortKey::Reward) {
                if (a.reward && !b.reward)
                    continue; // labeled before unlabeled: right in both directions
                QVERIFY2(!((!a.reward) && b.reward), "unlabeled row before a labeled one");
                c = (a.reward && b.reward) ? (*a.reward < *b.reward ? -1 : (*b.reward < *a.reward ? 1 : 0)) : 0;
            } else {
                c = less(a, b);
            }
            if (descending)
                c = -c;
            QVERIFY2(c <= 0, qPrintable(QStringLiteral("rows %1/%2 out of order").arg(a.id).arg(b.id)));
            if (c == 0)
                QVERIFY(descending ? a.id > b.id : a.id < b.id);
        }
    }

    void pageBounds()
    {
        DialogueQuery q(m_db);
        QVERIFY(q.page(kN, 10).empty());
        QCOMPARE(q.page(kN - 3, 10).size(), size_t(3));
        QCOMPARE(q.page(0, 0).size(), size_t(0));
        const auto first = q.page(0, 1);
        QCOMPARE(first.size(), size_t(1));
        QCOMPARE(first[0].id, m_ids[0]);
    }

    void rowById()
    {
        const auto r = DialogueQuery(m_db).row(m_ids[17]);
        QVERIFY(r);
        const Dialogue d = hwtest::generatedDialogue(17);
        QCOMPARE(r->uid, d.uid);
        QCOMPARE(r->task, d.task);
        QCOMPARE(r->source, d.source);
        QCOMPARE(r->turns, static_cast<int>(d.turns.size()));
        QCOMPARE(r->agentTurns, d.agentTurnCount());
        QCOMPARE(r->reward, d.reward);
        QCOMPARE(r->rewardSource, std::string("dataset"));
        QCOMPARE(r->flags, d.flags);
        QVERIFY(!DialogueQuery(m_db).row(987654321));
    }

    void sources()
    {
        const auto s = DialogueQuery::sources(m_db);
        QCOMPARE(s, (std::vector<std::string>{"esconv", "jsonl", "p4g"}));
    }

    void summaries()
    {
        const auto all = summarizeTasks(m_db);
        QCOMPARE(all.size(), size_t(2));
        for (const auto& s : all) {
            const auto isTask = [&](const Dialogue& d, int64_t) { return d.task == s.task; };
            QCOMPARE(s.dialogues, expected(isTask));
            QCOMPARE(s.labeled, expected([&](const Dialogue& d, int64_t i) { return isTask(d, i) && d.reward; }));
            QCOMPARE(s.unlabeled, expected([&](const Dialogue& d, int64_t i) { return isTask(d, i) && !d.reward; }));
            QCOMPARE(s.flagged, expected([&](const Dialogue& d, int64_t i) { return isTask(d, i) && d.flags; }));
            int64_t bySource = 0;
            for (const auto& [src, n] : s.bySource) {
                QCOMPARE(n, expected([&](const Dialogue& d, int64_t i) { return isTask(d, i) && d.source == src; }));
                bySource += n;
            }
            QCOMPARE(bySource, s.dialogues);
            QCOMPARE(s.byRewardSource.at("dataset"), s.labeled);
            double sum = 0;
            for (int64_t i = 0; i < kN; ++i) {
                const Dialogue d = hwtest::generatedDialogue(i);
                if (d.task == s.task && d.reward)
                    sum += *d.reward;
            }
            QVERIFY(s.rewardMean);
            QVERIFY(std::abs(*s.rewardMean - sum / s.labeled) < 1e-9);
        }
    }

    void histogramIntegral()
    {
        const auto bins = rewardHistogram(m_db, "counseling", -4, 4);
        QCOMPARE(bins.size(), size_t(9)); // one per integer -4..4
        for (size_t b = 0; b < bins.size(); ++b) {
            const double v = -4.0 + static_cast<double>(b);
            QCOMPARE(bins[b].lo, v - 0.5);
            QCOMPARE(bins[b].count, expected([&](const Dialogue& d, int64_t) {
                         return d.task == "counseling" && d.reward && *d.reward == v;
                     }));
        }
    }

    void histogramContinuous()
    {
        const auto bins = rewardHistogram(m_db, "persuasion", 0, 2, 8);
        QCOMPARE(bins.size(), size_t(8));
        int64_t total = 0;
        for (const auto& b : bins)
            total += b.count;
        QCOMPARE(total, expected([](const Dialogue& d, int64_t) { return d.task == "persuasion" && d.reward; }));
        // 2.0 is the top edge: it belongs to the last bin.
        QCOMPARE(bins.back().count, expected([](const Dialogue& d, int64_t) {
                     return d.task == "persuasion" && d.reward && *d.reward >= 1.75;
                 }));
        QCOMPARE(bins.front().count, expected([](const Dialogue& d, int64_t) {
                     return d.task == "persuasion" && d.reward && *d.reward < 0.25;
                 }));
        const auto none = rewardHistogram(m_db, "no-such-task", 0, 1, 4);
        QCOMPARE(none.size(), size_t(4));
        for (const auto& b : none)
            QCOMPARE(b.count, int64_t(0));
    }
};

QTEST_APPLESS_MAIN(TestDialogueQuery)
#include "tst_core_dialogue_query.moc"
