// The regeneration view: the branch tree model (under QAbstractItemModelTester), the turn-aligned
// comparison model, selection from the painted tree, and reward override with undo/redo.
#include "core/store/dialogue_store.h"
#include "core/store/regeneration_query.h"
#include "support/curation_fixture.h"
#include "ui/models/regeneration_compare_model.h"
#include "ui/models/regeneration_tree_model.h"
#include "ui/pages/dialogues/reward_edit_bar.h"
#include "ui/pages/regenerations/regenerations_page.h"
#include "ui/project_session.h"
#include "ui/settings/settings.h"
#include "ui/widgets/branch_tree_widget.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using hw::ui::RegenerationCompareModel;
using hw::ui::RegenerationTreeModel;

class TestUiRegenerations : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void treeModelStructure();
    void treeModelRefreshesRewards();
    void compareModelAlignsTurns();
    void pageShowsBranchFromAnywhere();
    void clickingTheTreeSelects();
    void rewardOverrideUndoRedo();
    void rewardColours();

private:
    QString path() const { return m_dir->filePath(QStringLiteral("p.hwb")); }
    std::unique_ptr<QTemporaryDir> m_dir;
    hwtest::CurationDemo m_demo;
    std::unique_ptr<hw::ui::ProjectSession> m_session;
};

void TestUiRegenerations::initTestCase()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    qputenv("HW_CONFIG_DIR", m_dir->path().toLocal8Bit());
    hw::ui::Settings::instance().setFile(m_dir->filePath(QStringLiteral("settings.ini")));
}

void TestUiRegenerations::init()
{
    QFile::remove(path());
    {
        hw::Database db = hw::Database::create(path().toStdString());
        m_demo = hwtest::fillCurationDemo(db);
    }
    m_session = std::make_unique<hw::ui::ProjectSession>();
    QVERIFY(m_session->open(path()));
}

void TestUiRegenerations::cleanup()
{
    m_session.reset();
}

void TestUiRegenerations::treeModelStructure()
{
    RegenerationTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setOriginal(m_session->db(), m_demo.original, hw::Task::counseling());
    QCOMPARE(model.rowCount(), 1);
    const QModelIndex original = model.index(0, 0);
    QCOMPARE(original.data(RegenerationTreeModel::KindRole).toInt(), int(RegenerationTreeModel::NodeKind::Original));
    QCOMPARE(original.data(RegenerationTreeModel::BranchCountRole).toInt(), 5);
    QCOMPARE(model.rowCount(original), 2); // divergence at turns 2 and 6
    const QModelIndex turn2 = model.index(0, 0, original);
    const QModelIndex turn6 = model.index(1, 0, original);
    QCOMPARE(turn2.data(RegenerationTreeModel::DivergenceRole).toInt(), 1);
    QCOMPARE(turn6.data(RegenerationTreeModel::DivergenceRole).toInt(), 5);
    QCOMPARE(model.rowCount(turn2), 3);
    QCOMPARE(model.rowCount(turn6), 2);
    // Group reward = mean of its labelled branches (3, 1, 0).
    QCOMPARE(turn2.data(RegenerationTreeModel::RewardRole).toDouble(), 4.0 / 3.0);
    const QModelIndex b0 = model.index(0, 0, turn2);
    QCOMPARE(b0.data(RegenerationTreeModel::DialogueIdRole).toLongLong(), m_demo.branches[0]);
    QCOMPARE(b0.data(RegenerationTreeModel::RewardRole).toDouble(), 3.0);
    QCOMPARE(b0.data(RegenerationTreeModel::RewardSourceRole).toString(), QStringLiteral("llm"));
    QCOMPARE(b0.data(RegenerationTreeModel::RewardFractionRole).toDouble(), (3.0 + 4.0) / 8.0);
    QVERIFY(model.index(2, 0, turn2).data(RegenerationTreeModel::HardRole).toBool());
    QVERIFY(!model.index(1, 0, turn6).data(RegenerationTreeModel::RewardRole).isValid());
    // The nested branch hangs under branch 0.
    QCOMPARE(model.rowCount(b0), 1);
    const QModelIndex nested = model.index(0, 0, model.index(0, 0, b0));
    QCOMPARE(nested.data(RegenerationTreeModel::DialogueIdRole).toLongLong(), m_demo.nestedBranch);
    QCOMPARE(model.indexOfDialogue(m_demo.nestedBranch), nested);
    QVERIFY(model.branch(nested));
    QCOMPARE(model.branch(nested)->prefixLen, 3);
    QVERIFY(!model.branch(original));
    QCOMPARE(model.originalId(), m_demo.original);

    // A maximum depth cuts nested branches off.
    model.setOriginal(m_session->db(), m_demo.original, hw::Task::counseling(), 1);
    QCOMPARE(model.rowCount(model.indexOfDialogue(m_demo.branches[0])), 0);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.originalId(), qint64(-1));
}

void TestUiRegenerations::treeModelRefreshesRewards()
{
    RegenerationTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setOriginal(m_session->db(), m_demo.original, hw::Task::counseling());
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    hw::DialogueStore(m_session->db()).setReward(m_demo.branches[1], 4.0, "human");
    model.refreshRewards(m_session->db());
    QCOMPARE(reset.count(), 0);
    QCOMPARE(changed.count(), 2); // the branch and its group
    const QModelIndex b1 = model.indexOfDialogue(m_demo.branches[1]);
    QCOMPARE(b1.data(RegenerationTreeModel::RewardRole).toDouble(), 4.0);
    QCOMPARE(b1.data(RegenerationTreeModel::RewardSourceRole).toString(), QStringLiteral("human"));
    QCOMPARE(b1.parent().data(RegenerationTreeModel::RewardRole).toDouble(), 7.0 / 3.0);
    model.refreshRewards(m_session->db());
    QCOMPARE(changed.count(), 2); // nothing moved
}

void TestUiRegenerations::compareModelAlignsTurns()
{
    hw::DialogueStore store(m_session->db());
    const auto original = *store.get(m_demo.original);
    const auto branch = *store.get(m_demo.branches[0]);
    RegenerationCompareModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setDialogues(original, branch, 1, hw::Task::counseling());
    QCOMPARE(model.rowCount(), 10); // the longer side (original: 10 turns, branch: 7)
    QCOMPARE(model.columnCount(), 2);
    using Kind = RegenerationCompareModel::RowKind;
    auto kind = [&](int row) { return static_cast<Kind>(model.index(row, 0).data(RegenerationCompareModel::RowKindRole).toInt()); };
    QCOMPARE(kind(0), Kind::Shared);
    QCOMPARE(kind(1), Kind::Replaced);
    QCOMPARE(kind(2), Kind::Diverged);
    QVERIFY(!model.index(0, 1).data(RegenerationCompareModel::ChangedRole).toBool());
    QVERIFY(model.index(1, 1).data(RegenerationCompareModel::ChangedRole).toBool());
    QCOMPARE(model.index(1, 1).data(Qt::DisplayRole).toString(),
             QString::fromStdString(branch.turns[1].text));
    QVERIFY(model.index(1, 1).data(hw::ui::TurnListModel::TagsRole).toStringList().contains(QStringLiteral("replaced")));
    QCOMPARE(model.index(0, 0).data(hw::ui::TurnListModel::SpeakerRole).toString(), QStringLiteral("Seeker"));
    QVERIFY(model.index(1, 0).data(hw::ui::TurnListModel::IsAgentRole).toBool());
    // Past the branch's end: an empty cell.
    QVERIFY(!model.index(8, 1).data(RegenerationCompareModel::PresentRole).toBool());
    QVERIFY(!model.index(8, 1).data(Qt::DisplayRole).isValid());
    QVERIFY(model.headerData(1, Qt::Horizontal).toString().contains(QString::number(branch.id)));
    model.setDialogues(original, std::nullopt, 0, std::nullopt);
    QCOMPARE(kind(0), Kind::Shared);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestUiRegenerations::pageShowsBranchFromAnywhere()
{
    hw::ui::RegenerationsPage page(m_session.get());
    page.resize(1300, 800);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.activated();
    QCOMPARE(page.originalBox()->count(), 1);
    QCOMPARE(page.originalId(), m_demo.original);
    QCOMPARE(page.selectedDialogueId(), m_demo.branches[0]); // the first branch by default
    QCOMPARE(page.compareModel()->branchId(), m_demo.branches[0]);
    QCOMPARE(page.compareModel()->divergence(), 1);

    // A nested branch, as the browser would ask: compared with the branch it comes from.
    page.showDialogue(m_demo.nestedBranch);
    QCOMPARE(page.originalId(), m_demo.original);
    QCOMPARE(page.selectedDialogueId(), m_demo.nestedBranch);
    QCOMPARE(page.compareModel()->originalId(), m_demo.branches[0]);
    QCOMPARE(page.compareModel()->divergence(), 3);
    // The original itself: shown alone.
    page.showDialogue(m_demo.original);
    QCOMPARE(page.selectedDialogueId(), m_demo.original);
    QCOMPARE(page.compareModel()->branchId(), qint64(-1));
}

void TestUiRegenerations::clickingTheTreeSelects()
{
    hw::ui::RegenerationsPage page(m_session.get());
    page.resize(1300, 800);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    hw::ui::BranchTreeWidget* tree = page.treeWidget();
    const QRect r = tree->nodeRect(m_demo.branches[3]);
    QVERIFY(!r.isEmpty());
    QSignalSpy selected(tree, &hw::ui::BranchTreeWidget::dialogueSelected);
    QTest::mouseClick(tree, Qt::LeftButton, {}, r.center());
    QCOMPARE(selected.count(), 1);
    QCOMPARE(page.selectedDialogueId(), m_demo.branches[3]);
    QCOMPARE(page.compareModel()->divergence(), 5);
    // Arrow keys walk the branches top to bottom; Left goes to the parent.
    const std::vector<qint64> order = tree->dialogueOrder();
    QCOMPARE(order.front(), m_demo.original);
    QCOMPARE(order.size(), size_t(7));
    QTest::keyClick(tree, Qt::Key_Down);
    QCOMPARE(page.selectedDialogueId(), m_demo.branches[4]);
    QTest::keyClick(tree, Qt::Key_Left);
    QCOMPARE(page.selectedDialogueId(), m_demo.original);
}

void TestUiRegenerations::rewardOverrideUndoRedo()
{
    hw::ui::RegenerationsPage page(m_session.get());
    page.resize(1300, 800);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.selectDialogue(m_demo.branches[1]);
    hw::DialogueStore store(m_session->db());
    const auto labelsBefore = store.rewardLabels(m_demo.branches[1]).size();
    auto reward = [&] { return store.get(m_demo.branches[1])->reward; };
    auto source = [&] { return store.get(m_demo.branches[1])->rewardSource; };
    QCOMPARE(reward(), std::optional<double>(1.0));

    page.rewardBar()->spinBox()->setValue(3.5);
    page.rewardBar()->setButton()->click();
    QCOMPARE(reward(), std::optional<double>(3.5));
    QCOMPARE(source(), std::string("human"));
    QCOMPARE(store.rewardLabels(m_demo.branches[1]).size(), labelsBefore + 1);
    const QModelIndex node = page.treeModel()->indexOfDialogue(m_demo.branches[1]);
    QCOMPARE(node.data(RegenerationTreeModel::RewardRole).toDouble(), 3.5);

    m_session->undoStack()->undo();
    QCOMPARE(reward(), std::optional<double>(1.0));
    QCOMPARE(source(), std::string("llm"));
    QCOMPARE(page.treeModel()->indexOfDialogue(m_demo.branches[1]).data(RegenerationTreeModel::RewardRole).toDouble(), 1.0);
    m_session->undoStack()->redo();
    QCOMPARE(reward(), std::optional<double>(3.5));

    // Clearing is undoable too; the unlabelled branch can get a value.
    page.rewardBar()->clearButton()->click();
    QCOMPARE(reward(), std::nullopt);
    m_session->undoStack()->undo();
    QCOMPARE(reward(), std::optional<double>(3.5));
    page.selectDialogue(m_demo.branches[4]);
    page.rewardBar()->spinBox()->setValue(-2.0);
    page.rewardBar()->setButton()->click();
    QCOMPARE(store.get(m_demo.branches[4])->reward, std::optional<double>(-2.0));
    QCOMPARE(m_session->undoStack()->count(), 2); // the undone clear was dropped by the new edit
    m_session->undoStack()->undo();
    QCOMPARE(store.get(m_demo.branches[4])->reward, std::nullopt);
}

void TestUiRegenerations::rewardColours()
{
    using hw::ui::BranchTreeWidget;
    QCOMPARE(BranchTreeWidget::rewardColor(std::nullopt), QColor(0xd1, 0xd5, 0xdb));
    const QColor low = BranchTreeWidget::rewardColor(0.0), high = BranchTreeWidget::rewardColor(1.0);
    QVERIFY(low.red() > low.green());
    QVERIFY(high.green() > high.red());
    QCOMPARE(BranchTreeWidget::rewardColor(2.0), high); // clamped
}

QTEST_MAIN(TestUiRegenerations)
#include "tst_ui_regenerations.moc"
