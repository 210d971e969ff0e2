// Taking a reward label back (what undoing a manual reward edit does): the label row goes, and the
// dialogue's current reward is its newest remaining label's, exactly as that label was.
#include "core/data/task.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/reward_revert.h"
#include "core/util/error.h"

#include <QtTest>

using namespace hw;

namespace {

Dialogue makeDialogue(const std::string& uid, std::optional<double> reward)
{
    Dialogue d;
    d.uid = uid;
    d.task = "counseling";
    d.source = "esconv";
    d.reward = reward;
    d.rewardSource = reward ? "dataset" : "";
    Turn t;
    t.role = Role::User;
    t.text = "hello " + uid;
    d.turns.push_back(t);
    return d;
}

} // namespace

class TestRewardRevert : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void revertRestoresTheEarlierLabelExactly()
    {
        auto db = Database::openInMemory();
        DialogueStore store(db);
        store.ensureTask(Task::counseling());
        const int64_t id = store.insert(makeDialogue("a", 2.0)).id;
        const auto original = store.rewardLabels(id);
        QCOMPARE(original.size(), size_t(1));

        const int64_t human = store.setReward(id, 3.5, "human", {{"user", "me"}});
        const int64_t cleared = store.setReward(id, std::nullopt, "human");
        QVERIFY(!store.get(id)->reward);
        revertRewardLabel(db, cleared);
        QCOMPARE(store.get(id)->reward, std::optional<double>(3.5));
        QCOMPARE(store.get(id)->rewardSource, std::string("human"));
        revertRewardLabel(db, human);
        const Dialogue d = *store.get(id);
        QCOMPARE(d.reward, std::optional<double>(2.0));
        QCOMPARE(d.rewardSource, std::string("dataset"));
        const auto labels = store.rewardLabels(id);
        QCOMPARE(labels.size(), size_t(1));
        QCOMPARE(labels[0].id, original[0].id);
        QCOMPARE(labels[0].source, original[0].source);
        QCOMPARE(labels[0].provenance, original[0].provenance);
        QCOMPARE(labels[0].createdAt, original[0].createdAt);
    }

    void revertOfAnOlderLabelKeepsTheNewest()
    {
        auto db = Database::openInMemory();
        DialogueStore store(db);
        store.ensureTask(Task::counseling());
        const int64_t id = store.insert(makeDialogue("b", std::nullopt)).id;
        const int64_t human = store.setReward(id, 1.0, "human");
        store.setReward(id, -1.0, "llm", {{"model", "m"}}); // a labeler ran after the edit
        revertRewardLabel(db, human);
        QCOMPARE(store.get(id)->reward, std::optional<double>(-1.0));
        QCOMPARE(store.get(id)->rewardSource, std::string("llm"));
        QCOMPARE(store.rewardLabels(id).size(), size_t(1));
    }

    void revertOfTheOnlyLabelLeavesItUnlabeled()
    {
        auto db = Database::openInMemory();
        DialogueStore store(db);
        store.ensureTask(Task::counseling());
        const int64_t id = store.insert(makeDialogue("c", std::nullopt)).id;
        const int64_t other = store.insert(makeDialogue("d", 4.0)).id;
        revertRewardLabel(db, store.setReward(id, 2.5, "human"));
        QVERIFY(!store.get(id)->reward);
        QCOMPARE(store.get(id)->rewardSource, std::string());
        QVERIFY(store.rewardLabels(id).empty());
        QCOMPARE(store.get(other)->reward, std::optional<double>(4.0)); // others untouched
    }

    void unknownLabelIsAnErrorAndChangesNothing()
    {
        auto db = Database::openInMemory();
        DialogueStore store(db);
        store.ensureTask(Task::counseling());
        const int64_t id = store.insert(makeDialogue("e", 1.0)).id;
        QVERIFY_THROWS_EXCEPTION(Error, revertRewardLabel(db, 9999));
        QCOMPARE(store.get(id)->reward, std::optional<double>(1.0));
        QCOMPARE(store.rewardLabels(id).size(), size_t(1));
    }
};

QTEST_APPLESS_MAIN(TestRewardRevert)
#include "tst_core_reward_revert.moc"
