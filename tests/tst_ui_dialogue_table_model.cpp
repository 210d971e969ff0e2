// DialogueTableModel under QAbstractItemModelTester: lazy pages, filters, SQL sorting, in-place
// row refresh after an edit, and the page cache bound.
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "support/generated_dialogues.h"
#include "ui/models/dialogue_table_model.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

using hw::ui::DialogueTableModel;

namespace {
constexpr int64_t kN = 2500; // > several pages of DialogueTableModel::kPageSize
}

class TestDialogueTableModel : public QObject {
    Q_OBJECT
    hw::Database m_db = hw::Database::openInMemory();
    std::vector<int64_t> m_ids;

private Q_SLOTS:
    void initTestCase() { m_ids = hwtest::insertGenerated(m_db, kN); }

    void emptyWithoutDatabase()
    {
        DialogueTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), int(DialogueTableModel::COLUMN_COUNT));
        QCOMPARE(model.dialogueId(0), qint64(-1));
    }

    void rowsArePagedLazily()
    {
        DialogueTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy counts(&model, &DialogueTableModel::countChanged);
        model.setDatabase(&m_db);
        QCOMPARE(counts.count(), 1);
        QCOMPARE(model.rowCount(), int(kN));
        QCOMPARE(model.totalCount(), kN);

        QCOMPARE(model.index(0, 0).data().value<qint64>(), m_ids[0]);
        QCOMPARE(model.rowOfDialogue(m_ids[5]), 5);
        QCOMPARE(model.rowOfDialogue(m_ids[1500]), -1); // page 7 not read yet
        // Deep row: one page query, right row.
        const int deep = int(kN) - 3;
        QCOMPARE(model.index(deep, DialogueTableModel::IdColumn).data(DialogueTableModel::DialogueIdRole).value<qint64>(),
                 m_ids[static_cast<size_t>(deep)]);
        const hw::Dialogue d = hwtest::generatedDialogue(deep);
        QCOMPARE(model.index(deep, DialogueTableModel::TaskColumn).data().toString(), QString::fromStdString(d.task));
        QCOMPARE(model.index(deep, DialogueTableModel::TurnsColumn).data().toInt(), int(d.turns.size()));
        QCOMPARE(model.index(deep, DialogueTableModel::SourceColumn).data().toString(), QString::fromStdString(d.source));
        QCOMPARE(model.index(deep, 0).data(DialogueTableModel::UidRole).toString(), QString::fromStdString(d.uid));
        QCOMPARE(model.index(deep, 0).data(DialogueTableModel::FlagsRole).toUInt(), d.flags);
        if (d.reward)
            QCOMPARE(model.index(deep, 0).data(DialogueTableModel::RewardRole).toDouble(), *d.reward);
        else
            QVERIFY(!model.index(deep, 0).data(DialogueTableModel::RewardRole).isValid());
        QVERIFY(!model.index(int(kN), 0).isValid());
    }

    void unlabeledAndFlagsDisplay()
    {
        DialogueTableModel model;
        model.setDatabase(&m_db);
        // generatedDialogue(4) is unlabeled; 0 has both flags.
        QCOMPARE(model.index(4, DialogueTableModel::RewardColumn).data().toString(), QStringLiteral("—"));
        QCOMPARE(model.index(4, DialogueTableModel::LabelColumn).data().toString(), QString());
        QCOMPARE(model.index(0, DialogueTableModel::FlagsColumn).data().toString(),
                 QStringLiteral("out of range, failed"));
        QCOMPARE(model.index(1, DialogueTableModel::FlagsColumn).data().toString(), QString());
        QCOMPARE(model.index(1, DialogueTableModel::LabelColumn).data().toString(), QStringLiteral("dataset"));
    }

    void filtersReset()
    {
        DialogueTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setDatabase(&m_db);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        hw::DialogueFilter f;
        f.task = "persuasion";
        f.labeled = hw::DialogueFilter::Labeled::Unlabeled;
        model.setFilter(f);
        QCOMPARE(resets.count(), 1);
        int64_t want = 0;
        for (int64_t i = 0; i < kN; ++i)
            want += i % 3 == 0 && i % 5 == 4;
        QCOMPARE(model.rowCount(), int(want));
        for (int r = 0; r < model.rowCount(); ++r) {
            QCOMPARE(model.index(r, DialogueTableModel::TaskColumn).data().toString(), QStringLiteral("persuasion"));
            QVERIFY(!model.index(r, 0).data(DialogueTableModel::RewardRole).isValid());
        }
        model.setFilter(f); // same filter: no reset
        QCOMPARE(resets.count(), 1);
        f = {};
        f.search = "number123";
        model.setFilter(f);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.dialogueId(0), m_ids[123]);
        f.search = "\"unbalanced AND (";
        model.setFilter(f); // hostile text: a count, never an error
        QVERIFY(model.errorString().isEmpty());
        QCOMPARE(model.rowCount(), 0);
    }

    void sortInSql()
    {
        DialogueTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setDatabase(&m_db);
        model.sort(DialogueTableModel::RewardColumn, Qt::DescendingOrder);
        QCOMPARE(model.sortOrder().key, hw::DialogueSortKey::Reward);
        QCOMPARE(model.index(0, 0).data(DialogueTableModel::RewardRole).toDouble(), 4.0);
        QVERIFY(!model.index(model.rowCount() - 1, 0).data(DialogueTableModel::RewardRole).isValid());
        model.sort(DialogueTableModel::TurnsColumn, Qt::AscendingOrder);
        QCOMPARE(model.index(0, DialogueTableModel::TurnsColumn).data().toInt(), 2);
        QCOMPARE(model.index(model.rowCount() - 1, DialogueTableModel::TurnsColumn).data().toInt(), 7);
        model.sort(DialogueTableModel::IdColumn, Qt::DescendingOrder);
        QCOMPARE(model.dialogueId(0), m_ids.back());
    }

    void refreshDialogueInPlace()
    {
        DialogueTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setDatabase(&m_db);
        QCOMPARE(model.dialogueId(7), m_ids[7]);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        hw::DialogueStore(m_db).setReward(m_ids[7], 3.5, "human");
        model.refreshDialogue(m_ids[7]);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(resets.count(), 0);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 7);
        QCOMPARE(model.index(7, 0).data(DialogueTableModel::RewardRole).toDouble(), 3.5);
        QCOMPARE(model.index(7, 0).data(DialogueTableModel::RewardSourceRole).toString(), QStringLiteral("human"));
        model.refreshDialogue(m_ids[2000]); // not loaded: nothing to do
        QCOMPARE(changed.count(), 1);
        hw::DialogueStore(m_db).setReward(m_ids[7], std::nullopt, "human");
        model.refreshDialogue(m_ids[7]);
        QVERIFY(!model.index(7, 0).data(DialogueTableModel::RewardRole).isValid());
    }

    void cacheIsBounded()
    {
        hw::Database big = hw::Database::openInMemory();
        const int64_t n = int64_t(DialogueTableModel::kPageSize) * (DialogueTableModel::kMaxCachedPages + 6);
        const auto ids = hwtest::insertGenerated(big, n);
        DialogueTableModel model;
        model.setDatabase(&big);
        for (int r = 0; r < model.rowCount(); r += DialogueTableModel::kPageSize)
            QCOMPARE(model.dialogueId(r), ids[static_cast<size_t>(r)]);
        QCOMPARE(model.rowOfDialogue(ids[0]), -1); // evicted
        QCOMPARE(model.rowOfDialogue(ids.back()), int(n) - 1);
        QCOMPARE(model.dialogueId(0), ids[0]); // re-read on demand
        model.setDatabase(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestDialogueTableModel)
#include "tst_ui_dialogue_table_model.moc"
