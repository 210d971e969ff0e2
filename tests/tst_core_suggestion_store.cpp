// Reads behind the curation screens: SuggestionQuery (filters, per-dialogue counts, bulk ids)
// and RegenerationQuery (originals with branches, branch rows, lineage root).
#include "core/store/regeneration_query.h"
#include "core/store/suggestion_query.h"
#include "support/curation_fixture.h"

#include <QtTest>

class TestSuggestionStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void countsByStatus();
    void filters_data();
    void filters();
    void dialoguesKeepAllStatusCounts();
    void provenanceAndTasks();
    void bulkIdsFollowTheFilter();
    void regenerationParents();
    void branchesAndRoot();

private:
    std::optional<hw::Database> m_db;
    hwtest::CurationDemo m_demo;
};

void TestSuggestionStore::init()
{
    m_db.emplace(hw::Database::openInMemory());
    m_demo = hwtest::fillCurationDemo(*m_db);
}

void TestSuggestionStore::countsByStatus()
{
    const auto counts = hw::SuggestionQuery(*m_db).countsByStatus();
    QCOMPARE(counts.at("proposed"), int64_t(6));
    QCOMPARE(counts.at("accepted"), int64_t(1));
    QCOMPARE(counts.at("rejected"), int64_t(1));
    QCOMPARE(counts.at("failed"), int64_t(1));
    // The status filter does not change the header counts.
    hw::SuggestionQueryFilter f;
    f.status = "accepted";
    QCOMPARE(hw::SuggestionQuery(*m_db, f).countsByStatus().at("proposed"), int64_t(6));
}

void TestSuggestionStore::filters_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("provenance");
    QTest::addColumn<int>("dialogueIndex"); // -1 = any
    QTest::addColumn<int>("suggestions");
    QTest::addColumn<int>("dialogues");
    QTest::newRow("all") << "" << "" << -1 << 9 << 4;
    QTest::newRow("proposed") << "proposed" << "" << -1 << 6 << 3;
    QTest::newRow("failed") << "failed" << "" << -1 << 1 << 1;
    QTest::newRow("dialogue 1") << "" << "" << 0 << 3 << 1;
    QTest::newRow("dialogue 1 proposed") << "proposed" << "" << 0 << 2 << 1;
    QTest::newRow("llm") << "" << "llm" << -1 << 9 << 4;
    QTest::newRow("human") << "" << "human" << -1 << 0 << 0;
}

void TestSuggestionStore::filters()
{
    QFETCH(QString, status);
    QFETCH(QString, provenance);
    QFETCH(int, dialogueIndex);
    QFETCH(int, suggestions);
    QFETCH(int, dialogues);
    hw::SuggestionQueryFilter f;
    f.status = status.toStdString();
    f.provenance = provenance.toStdString();
    if (dialogueIndex >= 0)
        f.dialogueId = m_demo.dialogues[static_cast<size_t>(dialogueIndex)];
    const hw::SuggestionQuery q(*m_db, f);
    QCOMPARE(static_cast<int>(q.suggestions().size()), suggestions);
    QCOMPARE(static_cast<int>(q.ids().size()), suggestions);
    QCOMPARE(static_cast<int>(q.dialogues().size()), dialogues);
}

void TestSuggestionStore::dialoguesKeepAllStatusCounts()
{
    hw::SuggestionQueryFilter f;
    f.status = "accepted";
    const auto rows = hw::SuggestionQuery(*m_db, f).dialogues();
    QCOMPARE(rows.size(), size_t(1));
    QCOMPARE(rows[0].dialogueId, m_demo.dialogues[0]);
    QCOMPARE(rows[0].proposed, int64_t(2));
    QCOMPARE(rows[0].accepted, int64_t(1));
    QCOMPARE(rows[0].total(), int64_t(3));
    QCOMPARE(rows[0].task, std::string("counseling"));
    QVERIFY(rows[0].reward.has_value());

    const auto one = hw::SuggestionQuery(*m_db).dialogue(m_demo.dialogues[1]);
    QVERIFY(one);
    QCOMPARE(one->rejected, int64_t(1));
    QVERIFY(!hw::SuggestionQuery(*m_db).dialogue(m_demo.branches[0]));
}

void TestSuggestionStore::provenanceAndTasks()
{
    QCOMPARE(hw::SuggestionQuery::provenanceKinds(*m_db), std::vector<std::string>{"llm"});
    QCOMPARE(hw::SuggestionQuery::tasks(*m_db), std::vector<std::string>{"counseling"});
    QCOMPARE(hw::SuggestionQuery::provenanceKind({{"kind", "human"}}), std::string("human"));
    QCOMPARE(hw::SuggestionQuery::provenanceKind(nlohmann::json::array()), std::string());
    hw::SuggestionQueryFilter f;
    f.task = "persuasion";
    QVERIFY(hw::SuggestionQuery(*m_db, f).ids().empty());
}

void TestSuggestionStore::bulkIdsFollowTheFilter()
{
    hw::SuggestionQueryFilter f;
    f.status = "proposed";
    const auto ids = hw::SuggestionQuery(*m_db, f).ids();
    hw::SuggestionStore store(*m_db);
    for (int64_t id : ids)
        store.setStatus(id, "accepted");
    QCOMPARE(hw::SuggestionQuery(*m_db, f).ids().size(), size_t(0));
    QCOMPARE(hw::SuggestionQuery(*m_db).countsByStatus().at("accepted"), int64_t(7));
}

void TestSuggestionStore::regenerationParents()
{
    const auto parents = hw::RegenerationQuery(*m_db).parents();
    QCOMPARE(parents.size(), size_t(1)); // the branch with its own branch is not an original
    QCOMPARE(parents[0].dialogueId, m_demo.original);
    QCOMPARE(parents[0].branches, int64_t(5));
    QVERIFY(parents[0].branchRewardMean.has_value());
    QCOMPARE(*parents[0].branchRewardMean, 1.5); // (3 + 1 + 0 + 2) / 4, the unlabelled one left out
    QVERIFY(hw::RegenerationQuery(*m_db).parents("persuasion").empty());
    QVERIFY(hw::RegenerationQuery(*m_db).parent(m_demo.original));
    QVERIFY(!hw::RegenerationQuery(*m_db).parent(m_demo.dialogues[1]));
}

void TestSuggestionStore::branchesAndRoot()
{
    const hw::RegenerationQuery q(*m_db);
    const auto branches = q.branches(m_demo.original);
    QCOMPARE(branches.size(), size_t(5));
    QCOMPARE(branches[0].prefixLen, 1);
    QCOMPARE(branches[4].prefixLen, 5);
    QCOMPARE(branches[2].hard, true);
    QCOMPARE(branches[0].critique, std::string("Jumps to advice before acknowledging the seeker's anxiety."));
    QCOMPARE(branches[0].rewardSource, std::string("llm"));
    QVERIFY(!branches[4].reward);
    QCOMPARE(q.branches(m_demo.branches[0]).size(), size_t(1));
    QCOMPARE(q.rootOf(m_demo.nestedBranch), m_demo.original);
    QCOMPARE(q.rootOf(m_demo.original), m_demo.original);
    const auto b = q.branch(m_demo.nestedBranch);
    QVERIFY(b);
    QCOMPARE(b->parentDialogueId, m_demo.branches[0]);
    QVERIFY(!b->suggestionId);
}

QTEST_APPLESS_MAIN(TestSuggestionStore)
#include "tst_core_suggestion_store.moc"
