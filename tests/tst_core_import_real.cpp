// Imports of the real datasets in ../shared/data (skipped when absent).
//
// The expected numbers were computed independently of this code base, with a stdlib-only
// Python 3 script over the same files: json.loads per line for the HF files, json.load for
// FailedESConv.json, csv.reader / csv.DictReader for P4G; uid = sha1("\n".join(" ".join(u[T].split())
// ...))[:16]; reward = float(initial) - float(final) when final is present and non-empty; P4G
// reward = float(B6) of the B4 == 1 row, clipped to [0, 2]; means = sum / count over labeled rows.
// (The copy in ../shared/data is the 90% subset described in its README.)
#include "core/io/import.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/project_stats.h"
#include "support/project_counts.h"
#include "support/test_paths.h"

#include <cmath>

using namespace hw;

namespace {

double meanReward(Database& db, const std::string& where)
{
    Statement st(db, "SELECT avg(reward) FROM dialogues WHERE reward IS NOT NULL AND " + where);
    return st.step() ? st.real(0) : NAN;
}

int64_t countWhere(Database& db, const std::string& where)
{
    return *db.queryInt64("SELECT count(*) FROM dialogues WHERE " + where);
}

} // namespace

class TestImportReal : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void esconv()
    {
        HW_REQUIRE_SHARED(train, "esconv/train.json");
        HW_REQUIRE_SHARED(valid, "esconv/valid.json");
        HW_REQUIRE_SHARED(test, "esconv/test.json");
        HW_REQUIRE_SHARED(failed, "esconv/FailedESConv.json");
        QTemporaryDir dir;
        auto db = Database::create(dir.filePath("p.hwb").toStdString());

        const auto hf = importFiles(db, ImportFormat::Esconv, {train, valid, test});
        QCOMPARE(hf.read, int64_t(1171));
        QCOMPARE(hf.inserted, int64_t(1171)); // all content-hash uids are distinct
        QCOMPARE(hf.labeled, int64_t(1037));
        QCOMPARE(hf.unlabeled, int64_t(134));
        QCOMPARE(hf.flagged, int64_t(0));
        QCOMPARE(countWhere(db, "split = 'train'"), int64_t(817));
        QCOMPARE(countWhere(db, "split = 'valid'"), int64_t(180));
        QCOMPARE(countWhere(db, "split = 'test'"), int64_t(174));
        QVERIFY(std::abs(meanReward(db, "1") - 1.9942140790742526) < 1e-12); // 2068 / 1037
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM turns"), int64_t(34496));

        const auto fr = importFiles(db, ImportFormat::Esconv, {failed});
        QCOMPARE(fr.read, int64_t(175));
        QCOMPARE(fr.inserted, int64_t(175)); // no overlap with the HF ids
        QCOMPARE(fr.labeled, int64_t(129));
        QCOMPARE(fr.flagged, int64_t(175));
        QVERIFY(std::abs(meanReward(db, "flags & 2") - 0.21705426356589147) < 1e-12); // 28 / 129

        DialogueStore store(db);
        QVERIFY(store.findByUid("counseling", "efbbe7f3f6345c85")); // first line of train.json
        QVERIFY(store.findByUid("counseling", "5304de092678fe93")); // first FailedESConv dialogue

        const ProjectStats s = computeStats(db);
        const TaskStats& t = s.tasks.at("counseling");
        QCOMPARE(t.dialogues, int64_t(1346));
        QCOMPARE(t.labeled, int64_t(1166));
        QCOMPARE(t.turns, int64_t(39264));
        QVERIFY(std::abs(*t.rewardMean - 1.797598627787307) < 1e-12); // 2096 / 1166

        const auto before = hwtest::ProjectCounts::of(db);
        const auto again = importFiles(db, ImportFormat::Esconv, {train, valid, test, failed});
        QCOMPARE(again.inserted, int64_t(0));
        QCOMPARE(again.duplicates, int64_t(1346));
        QCOMPARE(hwtest::ProjectCounts::of(db), before);
    }

    void p4g()
    {
        HW_REQUIRE_SHARED(folder, "p4g");
        QTemporaryDir dir;
        auto db = Database::create(dir.filePath("p.hwb").toStdString());
        const auto r = importFiles(db, ImportFormat::P4g, {folder});
        QCOMPARE(r.read, int64_t(904));
        QCOMPARE(r.inserted, int64_t(904));
        QCOMPARE(r.labeled, int64_t(904));
        QCOMPARE(r.flagged, int64_t(32)); // raw donation > 2
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM turns"), int64_t(18594)); // rows of full_dialog
        QVERIFY(std::abs(meanReward(db, "1") - 0.4103650442477877) < 1e-12); // 370.97 / 904
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM dialogues WHERE reward < 0 OR reward > 2"), int64_t(0));
        DialogueStore store(db);
        const auto first = store.findByUid("persuasion", "20180904-045349_715_live");
        QVERIFY(first);
        const Dialogue d = *store.get(*first);
        QCOMPARE(d.turns[0].text, std::string("Good morning. How are you doing today?"));
        QVERIFY(d.turns[0].role == Role::Agent);
        QCOMPARE(d.turns[3].text, std::string("Haha. Same here, but it really feels like a Monday."));
    }
};

QTEST_APPLESS_MAIN(TestImportReal)
#include "tst_core_import_real.moc"
