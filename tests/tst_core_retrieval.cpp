// Retrieval controller: proposes agent utterances of top-quartile dialogues whose preceding
// context is most similar (FTS5 / bm25), with provenance {"kind":"retrieval",...}; through the
// relabel job the proposals become ordinary suggestions.
#include "core/offline/retrieval_controller.h"
#include "core/pipeline/relabel_job.h"
#include "core/store/suggestion_store.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/train/lm_data.h"
#include "core/util/error.h"
#include "support/lm_corpus.h"
#include "support/test_paths.h"

#include <set>

using namespace hw;

namespace {

// 40 dialogues; the agent turns of the top ones get distinctive wording so matches are traceable.
struct Project {
    QTemporaryDir tmp;
    std::string path;
    std::vector<int64_t> ids;
    std::set<int64_t> top;     // ids of the top 25% by reward
    double minTopReward = 0;
};

void makeProject(Project& p)
{
    p.path = p.tmp.filePath("p.hwb").toStdString();
    auto ds = hwtest::lmDialogues(40, 3);
    for (size_t i = 0; i < ds.size(); ++i)
        for (auto& t : ds[i].turns)
            if (t.role == Role::Agent)
                t.text += " (agent of " + ds[i].uid + ")";
    p.ids = hwtest::insertDialogues(p.path, ds);
    auto db = Database::open(p.path);
    const auto top = selectByReward(loadOriginalDialogues(db, "counseling", true), RewardSlice::TopQuartile);
    p.minTopReward = 1e9;
    for (const auto& d : top) {
        p.top.insert(d.id);
        p.minTopReward = std::min(p.minTopReward, *d.reward);
    }
}

} // namespace

class TestRetrieval : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void orQueryIsAlwaysValidFts()
    {
        QCOMPARE(RetrievalController::orQuery("I feel SAD, sad... and lonely!", 10),
                 std::string("\"feel\" OR \"sad\" OR \"and\" OR \"lonely\""));
        QCOMPARE(RetrievalController::orQuery("!!! ?", 10), std::string());
        QCOMPARE(RetrievalController::orQuery("a b c d e f g h", 3), std::string());
        auto db = Database::openInMemory();
        db.exec("CREATE VIRTUAL TABLE t USING fts5(x)");
        db.exec("INSERT INTO t VALUES ('near the end, or not')");
        int matched = 0;
        for (const char* hostile : {"NEAR(a b) AND \"quoted\" OR x* ^y -z", "col:value (unbalanced", "\"\"\"", "OR OR AND"}) {
            const auto q = RetrievalController::orQuery(hostile, 20);
            if (q.empty())
                continue; // nothing to search for is a valid answer too
            Statement st(db, "SELECT count(*) FROM t WHERE t MATCH ?");
            st.bind(1, q);
            QVERIFY2(st.step(), hostile); // no FTS5 syntax error
            ++matched;
        }
        // The inputs with words in them were really run through FTS5, not all skipped as empty.
        QVERIFY2(matched >= 2, qPrintable(QString::number(matched)));
    }

    void proposesFromTopQuartileWithProvenance()
    {
        Project p;
        makeProject(p);
        auto db = Database::open(p.path);
        RetrievalOptions o;
        o.task = "counseling";
        RetrievalController c(db, o);
        QCOMPARE(c.indexedDialogues(), int64_t(10)); // ceil(40 / 4)
        QCOMPARE(c.minReward(), p.minTopReward);
        QVERIFY(c.indexedTurns() >= 20);

        DialogueStore store(db);
        const Task task = *store.task("counseling");
        int checked = 0;
        for (int64_t id : p.ids) {
            const auto d = *store.get(id);
            StageContext ctx;
            const auto r = c.suggest(task, d, 3, ctx);
            QVERIFY(r.ok);
            QVERIFY(!r.suggestions.empty() && r.suggestions.size() <= 3);
            QCOMPARE(r.provenance["kind"].get<std::string>(), std::string("retrieval"));
            QCOMPARE(r.provenance["items"].size(), r.suggestions.size());
            for (size_t k = 0; k < r.suggestions.size(); ++k) {
                const auto& s = r.suggestions[k];
                const auto& item = r.provenance["items"][k];
                QCOMPARE(s.rank, static_cast<int>(k) + 1);
                QCOMPARE(item["rank"].get<int>(), s.rank);
                QVERIFY(s.error.empty());
                QVERIFY(s.turnIndex);
                QVERIFY(d.turns[static_cast<size_t>(*s.turnIndex)].role == Role::Agent);
                QCOMPARE(s.originalText, d.turns[static_cast<size_t>(*s.turnIndex)].text);
                QVERIFY(s.proposedText != s.originalText);
                // The source: a top-quartile dialogue other than this one, whose agent said exactly this.
                const int64_t src = item["source_dialogue_id"].get<int64_t>();
                QVERIFY2(p.top.count(src), "source is not in the top quartile");
                QVERIFY(src != d.id);
                QVERIFY(item["source_reward"].get<double>() >= p.minTopReward);
                const auto source = *store.get(src);
                QCOMPARE(source.turns[item["source_turn_idx"].get<size_t>()].text, s.proposedText);
                QCOMPARE(item["source_uid"].get<std::string>(), source.uid);
                QVERIFY(item["bm25"].get<double>() < 0);
                ++checked;
            }
            // Most similar first.
            for (size_t k = 1; k < r.provenance["items"].size(); ++k)
                QVERIFY(r.provenance["items"][k - 1]["bm25"].get<double>() <= r.provenance["items"][k]["bm25"].get<double>());
        }
        QVERIFY(checked > 40);
    }

    void theMostSimilarContextWins()
    {
        Project p;
        makeProject(p);
        auto db = Database::open(p.path);
        DialogueStore store(db);
        RetrievalOptions o;
        o.task = "counseling";
        RetrievalController c(db, o);
        // A new dialogue that repeats the opening of a top dialogue word for word; its agent's
        // wording makes the context of turn 3 unique.
        const auto source = *store.get(*p.top.begin());
        QVERIFY(source.turns.size() >= 4);
        Dialogue q;
        q.id = 999999;
        q.uid = "query";
        q.task = "counseling";
        q.turns = {source.turns[0], source.turns[1], source.turns[2], source.turns[3]};
        q.turns[3].text = "Okay.";
        const auto m = c.matches(q);
        bool found = false;
        for (const auto& x : m)
            if (x.turnIndex == 3) {
                QCOMPARE(x.sourceDialogueId, source.id);
                QCOMPARE(x.utterance, source.turns[3].text);
                QCOMPARE(x.sourceTurnIndex, 3);
                found = true;
            }
        QVERIFY(found);
        QCOMPARE(m.front().turnIndex, 3); // the strongest match of the dialogue
    }

    void errors()
    {
        Project p;
        makeProject(p);
        auto db = Database::open(p.path);
        RetrievalOptions o;
        o.task = "persuasion"; // exists, but has no dialogues
        QVERIFY_THROWS_EXCEPTION(Error, RetrievalController(db, o));
        o.task = "no-such-task";
        QVERIFY_THROWS_EXCEPTION(Error, RetrievalController(db, o));
        o.task = "counseling";
        RetrievalController c(db, o);
        StageContext ctx;
        try {
            c.suggest(Task::persuasion(), *DialogueStore(db).get(p.ids[0]), 3, ctx);
            QFAIL("expected an error");
        } catch (const StageError& e) {
            QVERIFY(e.fatal());
        }
    }

    void relabelJobStoresRetrievalSuggestions()
    {
        Project p;
        makeProject(p);
        auto db = Database::open(p.path);
        RetrievalOptions o;
        o.task = "counseling";
        RetrievalController c(db, o);
        SharedProject shared(db);
        RelabelConfig rc;
        rc.task = "counseling";
        rc.limit = 6;
        rc.concurrency = 2;
        rc.stage = {{"controller", "retrieval"}};
        const auto s = runRelabel(shared, rc, c, {});
        QCOMPARE(s.status, std::string("done"));
        QCOMPARE(s.done, int64_t(6));
        SuggestionStore suggestions(db);
        SuggestionFilter f;
        f.task = "counseling";
        const auto rows = suggestions.list(f);
        QVERIFY(rows.size() >= 6);
        for (const auto& row : rows) {
            QCOMPARE(row.status, std::string("proposed"));
            QCOMPARE(row.provenance["kind"].get<std::string>(), std::string("retrieval"));
            QVERIFY(row.turnIndex);
            bool found = false;
            for (const auto& item : row.provenance["items"])
                found |= item["rank"].get<int>() == row.rank && p.top.count(item["source_dialogue_id"].get<int64_t>());
            QVERIFY(found);
        }
    }
};

QTEST_APPLESS_MAIN(TestRetrieval)
#include "tst_core_retrieval.moc"
