// DialogueStore: tasks, insert/get round trip, idempotency on (task, uid), FTS rows, reward labels.
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/util/error.h"
#include "support/test_paths.h"

using namespace hw;
using nlohmann::json;

namespace {

Dialogue sample(const std::string& uid, std::optional<double> reward = 1.5)
{
    Dialogue d;
    d.uid = uid;
    d.task = "counseling";
    d.source = source::kEsconv;
    d.split = "train";
    d.reward = reward;
    d.flags = kFlagFailed;
    d.metadata = {{"initial_emotion_intensity", "4"}, {"final_emotion_intensity", "2"}};
    d.turns = {
        {0, Role::User, "I lost my job last week and I can't sleep.", json::object()},
        {1, Role::Agent, "That sounds exhausting. How long have you been there?", {{"strategy", "Question"}}},
        {2, Role::User, "Nine years.", json::object()},
        {3, Role::User, "It was my whole routine.", json::object()},
    };
    return d;
}

int64_t rows(Database& db, const char* table)
{
    return *db.queryInt64(std::string("SELECT count(*) FROM ") + table);
}

} // namespace

class TestDialogueStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void tasksAreEnsuredOnce()
    {
        auto db = Database::openInMemory();
        DialogueStore store(db);
        const int64_t a = store.ensureTask(Task::counseling());
        const int64_t b = store.ensureTask(Task::counseling());
        QCOMPARE(a, b);
        store.ensureTask(Task::persuasion());
        QCOMPARE(store.tasks().size(), size_t(2));
        const auto t = store.task("persuasion");
        QVERIFY(t);
        QVERIFY(t->kind == TaskKind::Persuasion);
        QCOMPARE(t->agentRole, std::string("persuader"));
        QCOMPARE(t->rewardMax, 2.0);
        QVERIFY(!store.task("nope"));
        QVERIFY(!store.taskId("nope"));
    }

    void insertGetRoundTrip()
    {
        auto db = Database::openInMemory();
        DialogueStore store(db);
        store.ensureTask(Task::counseling());
        const Dialogue in = sample("abc123");
        const auto r = store.insert(in);
        QVERIFY(r.inserted);
        QVERIFY(r.id > 0);

        const auto out = store.get(r.id);
        QVERIFY(out);
        QCOMPARE(out->id, r.id);
        QCOMPARE(out->uid, in.uid);
        QCOMPARE(out->task, in.task);
        QCOMPARE(out->source, in.source);
        QCOMPARE(out->split, in.split);
        QCOMPARE(out->reward, in.reward);
        QCOMPARE(out->rewardSource, std::string("dataset"));
        QCOMPARE(out->flags, uint32_t(kFlagFailed));
        QCOMPARE(out->metadata, in.metadata);
        QVERIFY(!out->parentId);
        QCOMPARE(out->turns.size(), in.turns.size());
        for (size_t i = 0; i < in.turns.size(); ++i) {
            QCOMPARE(out->turns[i].index, int(i));
            QVERIFY(out->turns[i].role == in.turns[i].role);
            QCOMPARE(out->turns[i].text, in.turns[i].text);
            QCOMPARE(out->turns[i].annotations, in.turns[i].annotations);
        }
        QCOMPARE(*db.queryInt64("SELECT n_turns FROM dialogues"), int64_t(4));
        QCOMPARE(*db.queryInt64("SELECT n_agent_turns FROM dialogues"), int64_t(1));
        QVERIFY(!store.get(r.id + 100));
        QCOMPARE(store.findByUid("counseling", "abc123"), std::optional<int64_t>(r.id));
        QVERIFY(!store.findByUid("persuasion", "abc123"));
    }

    void insertWritesFtsAndDatasetLabel()
    {
        auto db = Database::openInMemory();
        DialogueStore store(db);
        store.ensureTask(Task::counseling());
        const auto r = store.insert(sample("u1"));
        Statement fts(db, "SELECT rowid, body FROM dialogue_fts");
        QVERIFY(fts.step());
        QCOMPARE(fts.int64(0), r.id);
        QCOMPARE(fts.text(1), std::string("I lost my job last week and I can't sleep.\n"
                                          "That sounds exhausting. How long have you been there?\n"
                                          "Nine years.\nIt was my whole routine."));
        QCOMPARE(store.search("routine"), std::vector<int64_t>{r.id});
        QCOMPARE(store.search("exhausting AND sleep"), std::vector<int64_t>{r.id});
        QVERIFY(store.search("giraffe").empty());

        const auto labels = store.rewardLabels(r.id);
        QCOMPARE(labels.size(), size_t(1));
        QCOMPARE(labels[0].value, std::optional<double>(1.5));
        QCOMPARE(labels[0].source, std::string("dataset"));
        QCOMPARE(labels[0].provenance.value("dataset", ""), std::string("esconv"));
        QVERIFY(!labels[0].createdAt.empty());

        // Unlabeled dialogues get no label row and an empty reward source.
        const auto u = store.insert(sample("u2", std::nullopt));
        QVERIFY(store.rewardLabels(u.id).empty());
        QVERIFY(!store.get(u.id)->reward);
        QCOMPARE(store.get(u.id)->rewardSource, std::string());
    }

    void insertIsIdempotent()
    {
        auto db = Database::openInMemory();
        DialogueStore store(db);
        store.ensureTask(Task::counseling());
        store.ensureTask(Task::persuasion());
        const auto a = store.insert(sample("same"));
        Dialogue changed = sample("same", 3.0);
        changed.turns.pop_back();
        const auto b = store.insert(changed);
        QVERIFY(!b.inserted);
        QCOMPARE(b.id, a.id);
        QCOMPARE(rows(db, "dialogues"), int64_t(1));
        QCOMPARE(rows(db, "turns"), int64_t(4));
        QCOMPARE(rows(db, "dialogue_fts"), int64_t(1));
        QCOMPARE(rows(db, "reward_labels"), int64_t(1));
        QCOMPARE(store.get(a.id)->reward, std::optional<double>(1.5));

        // Same uid in another task is another dialogue.
        Dialogue other = sample("same");
        other.task = "persuasion";
        QVERIFY(store.insert(other).inserted);
        QCOMPARE(store.count(), int64_t(2));
        QCOMPARE(store.count("counseling"), int64_t(1));
        QCOMPARE(store.count("persuasion"), int64_t(1));
    }

    void insertFailsCleanly()
    {
        auto db = Database::openInMemory();
        DialogueStore store(db);
        QVERIFY_THROWS_EXCEPTION(Error, store.insert(sample("x"))); // task missing
        store.ensureTask(Task::counseling());
        QVERIFY_THROWS_EXCEPTION(Error, store.insert(sample("")));  // no uid
        Dialogue bad = sample("y");
        bad.rewardSource = "oracle";
        QVERIFY_THROWS_EXCEPTION(Error, store.insert(bad));
        QCOMPARE(rows(db, "dialogues"), int64_t(0));
        QCOMPARE(rows(db, "turns"), int64_t(0));
    }

    void failedInsertLeavesNoRows()
    {
        // A trigger makes the third turn fail, after the dialogue row and two turns are written.
        auto db = Database::openInMemory();
        DialogueStore store(db);
        store.ensureTask(Task::counseling());
        db.exec("CREATE TRIGGER boom BEFORE INSERT ON turns WHEN NEW.text = 'Nine years.' "
                "BEGIN SELECT RAISE(ABORT, 'boom'); END");
        // Alone (autocommit): the insert's own savepoint rolls back.
        QVERIFY_THROWS_EXCEPTION(Error, store.insert(sample("alone")));
        QCOMPARE(rows(db, "dialogues") + rows(db, "turns") + rows(db, "dialogue_fts"), int64_t(0));
        // Inside a caller's transaction (bulk import): the rows are deleted, earlier work stays.
        {
            Transaction tx(db);
            Dialogue ok = sample("ok");
            ok.turns.resize(2);
            QVERIFY(store.insert(ok).inserted);
            QVERIFY_THROWS_EXCEPTION(Error, store.insert(sample("inside")));
            QCOMPARE(rows(db, "dialogues"), int64_t(1));
            QCOMPARE(rows(db, "turns"), int64_t(2));
            QCOMPARE(rows(db, "dialogue_fts"), int64_t(1));
            QCOMPARE(rows(db, "reward_labels"), int64_t(1));
            tx.commit();
        }
        QVERIFY(!store.findByUid("counseling", "inside"));
        QCOMPARE(store.search("exhausting"), std::vector<int64_t>{*store.findByUid("counseling", "ok")});
        db.exec("DROP TRIGGER boom");
        QVERIFY(store.insert(sample("inside")).inserted);
    }

    void setRewardAddsLabelAndUpdatesCurrent()
    {
        auto db = Database::openInMemory();
        DialogueStore store(db);
        store.ensureTask(Task::counseling());
        const auto r = store.insert(sample("s"));
        const int64_t l1 = store.setReward(r.id, 2.5, "human", {{"user", "tester"}});
        auto d = store.get(r.id);
        QCOMPARE(d->reward, std::optional<double>(2.5));
        QCOMPARE(d->rewardSource, std::string("human"));
        const int64_t l2 = store.setReward(r.id, std::nullopt, "llm");
        QVERIFY(l2 > l1);
        d = store.get(r.id);
        QVERIFY(!d->reward);
        QCOMPARE(d->rewardSource, std::string());
        const auto labels = store.rewardLabels(r.id);
        QCOMPARE(labels.size(), size_t(3));
        QCOMPARE(labels[1].source, std::string("human"));
        QCOMPARE(labels[1].provenance, json({{"user", "tester"}}));
        QVERIFY(!labels[2].value);

        QVERIFY_THROWS_EXCEPTION(Error, store.setReward(r.id, 1.0, "oracle"));
        QVERIFY_THROWS_EXCEPTION(Error, store.setReward(999, 1.0, "human"));
        QCOMPARE(rows(db, "reward_labels"), int64_t(3));
    }

    void flagsAndRemove()
    {
        auto db = Database::openInMemory();
        DialogueStore store(db);
        store.ensureTask(Task::counseling());
        const auto r = store.insert(sample("r"));
        store.setFlags(r.id, kFlagUnfinished);
        QCOMPARE(store.get(r.id)->flags, uint32_t(kFlagUnfinished));
        Dialogue child = sample("r-child");
        child.parentId = r.id;
        child.source = source::kRegeneration;
        const auto c = store.insert(child);
        QCOMPARE(store.get(c.id)->parentId, std::optional<int64_t>(r.id));
        QVERIFY(store.remove(r.id));
        QVERIFY(!store.remove(r.id));
        QCOMPARE(rows(db, "dialogues"), int64_t(0));
        QCOMPARE(rows(db, "turns"), int64_t(0));
        QCOMPARE(rows(db, "dialogue_fts"), int64_t(0));
        QCOMPARE(rows(db, "reward_labels"), int64_t(0));
    }

    void forEachStreamsWithTurns()
    {
        auto db = Database::openInMemory();
        DialogueStore store(db);
        store.ensureTask(Task::counseling());
        store.ensureTask(Task::persuasion());
        for (int i = 0; i < 5; ++i) {
            Dialogue d = sample("c" + std::to_string(i));
            d.turns.resize(static_cast<size_t>(i + 1) > d.turns.size() ? d.turns.size() : size_t(i + 1));
            store.insert(d);
            Dialogue p = sample("p" + std::to_string(i));
            p.task = "persuasion";
            store.insert(p);
        }
        std::vector<std::string> seen;
        size_t turns = 0;
        store.forEach("counseling", [&](const Dialogue& d) {
            seen.push_back(d.uid);
            turns += d.turns.size();
            for (size_t i = 0; i < d.turns.size(); ++i)
                if (d.turns[i].index != int(i))
                    return false;
            return true;
        });
        QCOMPARE(seen, (std::vector<std::string>{"c0", "c1", "c2", "c3", "c4"}));
        QCOMPARE(turns, size_t(1 + 2 + 3 + 4 + 4));
        int all = 0;
        store.forEach("", [&](const Dialogue&) { return ++all < 7; });
        QCOMPARE(all, 7);
        QVERIFY_THROWS_EXCEPTION(Error, store.forEach("nope", [](const Dialogue&) { return true; }));
    }

    void persistsAcrossReopen()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        int64_t id = 0;
        {
            auto db = Database::create(path);
            DialogueStore store(db);
            store.ensureTask(Task::counseling());
            id = store.insert(sample("persist")).id;
        }
        auto db = Database::open(path);
        DialogueStore store(db);
        const auto d = store.get(id);
        QVERIFY(d);
        QCOMPARE(d->turns.size(), size_t(4));
        QCOMPARE(d->turns[1].annotations.value("strategy", ""), std::string("Question"));
    }
};

QTEST_APPLESS_MAIN(TestDialogueStore)
#include "tst_core_store.moc"
