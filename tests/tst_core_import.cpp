// Importers on the hand-made fixtures in tests/fixtures: exact counts, rewards, uids, metadata;
// every malformed fixture fails with FILE:LINE and leaves the project unchanged; cancel rolls back;
// JSONL export -> import -> export is exact.
#include "core/data/task.h"
#include "core/io/import.h"
#include "core/io/jsonl_export.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/util/error.h"
#include "support/project_counts.h"
#include "support/test_paths.h"

#include <sqlite3.h>

#include <fstream>

using namespace hw;
using hwtest::fixture;
using hwtest::ProjectCounts;
using nlohmann::json;

namespace {

Dialogue byUid(DialogueStore& store, const std::string& task, const std::string& uid)
{
    const auto id = store.findByUid(task, uid);
    if (!id)
        throw Error("no dialogue " + uid);
    return *store.get(*id);
}

std::string readAll(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

} // namespace

class TestImport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void esconvHuggingFaceLayout()
    {
        auto db = Database::openInMemory();
        const auto r = importFiles(db, ImportFormat::Esconv, {fixture("esconv/hf")});
        QCOMPARE(r.files.size(), size_t(3));
        QCOMPARE(r.read, int64_t(5));
        QCOMPARE(r.inserted, int64_t(5));
        QCOMPARE(r.duplicates, int64_t(0));
        QCOMPARE(r.labeled, int64_t(4));
        QCOMPARE(r.unlabeled, int64_t(1));
        QCOMPARE(r.flagged, int64_t(0));

        DialogueStore store(db);
        QVERIFY(store.task("counseling"));
        // uids computed with the README's Python rule (sha1 of whitespace-normalised utterances).
        const Dialogue a = byUid(store, "counseling", "aac8ddf4348c771d");
        QCOMPARE(a.source, std::string("esconv"));
        QCOMPARE(a.split, std::string("train"));
        QCOMPARE(a.reward, std::optional<double>(3.0)); // 5 - 2
        QCOMPARE(a.rewardSource, std::string("dataset"));
        QCOMPARE(a.turns.size(), size_t(8));
        QVERIFY(a.turns[0].role == Role::User);
        QVERIFY(a.turns[1].role == Role::Agent);
        // Consecutive seeker utterances stay separate turns.
        QVERIFY(a.turns[2].role == Role::User && a.turns[3].role == Role::User);
        QCOMPARE(a.turns[3].text, std::string("And I have nothing lined up."));
        QCOMPARE(a.turns[1].annotations.value("strategy", ""), std::string("Question"));
        QVERIFY(a.turns[0].annotations.empty());
        QCOMPARE(a.metadata.value("initial_emotion_intensity", 0.0), 5.0);
        QCOMPARE(a.metadata.value("final_emotion_intensity", 0.0), 2.0);
        QCOMPARE(a.metadata["survey_score"]["seeker"]["final_emotion_intensity"], json("2"));
        QCOMPARE(a.metadata.value("emotion_type", ""), std::string("anxiety"));
        QCOMPARE(a.metadata.value("problem_type", ""), std::string("job crisis"));
        QCOMPARE(a.metadata.value("experience_type", ""), std::string("Current Experience"));
        QVERIFY(a.metadata.value("situation", "").find("contract ends") != std::string::npos);
        QCOMPARE(a.metadata.value("split", ""), std::string("train"));
        QCOMPARE(a.metadata.value("esconv_layout", ""), std::string("hf"));

        QCOMPARE(byUid(store, "counseling", "508887a47b29b235").reward, std::optional<double>(1.0));
        const Dialogue c = byUid(store, "counseling", "9ef8f3d33c40734e"); // no final intensity
        QVERIFY(!c.reward);
        QVERIFY(c.metadata["final_emotion_intensity"].is_null());
        QVERIFY(c.turns[0].role == Role::Agent);
        const Dialogue d = byUid(store, "counseling", "4c8287af3753fa43");
        QCOMPARE(d.split, std::string("valid"));
        QCOMPARE(d.reward, std::optional<double>(2.0));
        const Dialogue e = byUid(store, "counseling", "a67a3ae00678fde8"); // intensities as numbers
        QCOMPARE(e.split, std::string("test"));
        QCOMPARE(e.reward, std::optional<double>(2.0));
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM reward_labels WHERE source = 'dataset'"), int64_t(4));
    }

    void esconvOriginalLayoutAndFailed()
    {
        auto db = Database::openInMemory();
        const auto r = importFiles(db, ImportFormat::Esconv,
                                   {fixture("esconv/raw/ESConv.json"), fixture("esconv/raw/FailedESConv.json")});
        QCOMPARE(r.read, int64_t(4));
        QCOMPARE(r.inserted, int64_t(4));
        QCOMPARE(r.labeled, int64_t(3));
        QCOMPARE(r.unlabeled, int64_t(1));
        QCOMPARE(r.flagged, int64_t(2));
        DialogueStore store(db);
        const Dialogue a = byUid(store, "counseling", "aac8ddf4348c771d");
        QCOMPARE(a.flags, uint32_t(0));
        QCOMPARE(a.split, std::string());
        QCOMPARE(a.metadata.value("esconv_layout", ""), std::string("raw"));
        QCOMPARE(a.turns[1].annotations.value("strategy", ""), std::string("Question"));
        // The raw text keeps its inner line break; only the ends are trimmed.
        QCOMPARE(a.turns[1].text, std::string("Hello!  I'm here.\nHow are you feeling today?"));

        const Dialogue g = byUid(store, "counseling", "b3f95708075847f6");
        QCOMPARE(g.flags, uint32_t(kFlagFailed));
        QCOMPARE(g.reward, std::optional<double>(-1.0)); // 4 - 5: failed chats can get worse
        QVERIFY(g.turns[0].role == Role::User);           // "speaker" = seeker
        QVERIFY(g.turns[2].role == Role::Agent);          // "listener" = supporter
        QCOMPARE(g.turns[0].text, std::string("hey"));    // trailing "\n" trimmed
        QCOMPARE(g.turns[2].annotations.value("strategy", ""), std::string("Other"));
        QCOMPARE(g.turns[3].annotations.value("feedback", ""), std::string("2"));
        const Dialogue h = byUid(store, "counseling", "edc6afa106e88116");
        QCOMPARE(h.flags, uint32_t(kFlagFailed));
        QVERIFY(!h.reward);

        // The HF copy of the first dialogue has the same uid: it is a duplicate, not a new row.
        const auto r2 = importFiles(db, ImportFormat::Esconv, {fixture("esconv/hf")});
        QCOMPARE(r2.inserted, int64_t(4));
        QCOMPARE(r2.duplicates, int64_t(1));
        QCOMPARE(store.count("counseling"), int64_t(8));
    }

    void reimportDoesNotDuplicate()
    {
        auto db = Database::openInMemory();
        importFiles(db, ImportFormat::Esconv, {fixture("esconv/hf"), fixture("esconv/raw")});
        importFiles(db, ImportFormat::P4g, {fixture("p4g/ok")});
        importFiles(db, ImportFormat::Jsonl, {fixture("jsonl/chat.jsonl")});
        const auto before = ProjectCounts::of(db);
        QCOMPARE(before.dialogues, int64_t(8 + 4 + 4));
        const auto a = importFiles(db, ImportFormat::Esconv, {fixture("esconv/hf"), fixture("esconv/raw")});
        const auto b = importFiles(db, ImportFormat::P4g,
                                   {fixture("p4g/ok/full_info.csv"), fixture("p4g/ok/full_dialog.csv")});
        const auto c = importFiles(db, ImportFormat::Jsonl, {fixture("jsonl/chat.jsonl")});
        QCOMPARE(a.inserted + b.inserted + c.inserted, int64_t(0));
        QCOMPARE(a.duplicates, int64_t(9));
        QCOMPARE(b.duplicates, int64_t(4));
        QCOMPARE(c.duplicates, int64_t(4));
        QCOMPARE(ProjectCounts::of(db), before);
    }

    void p4gFolderAndFiles()
    {
        auto db = Database::openInMemory();
        const auto r = importFiles(db, ImportFormat::P4g, {fixture("p4g/ok")});
        QCOMPARE(r.read, int64_t(4));
        QCOMPARE(r.inserted, int64_t(4));
        QCOMPARE(r.labeled, int64_t(3));
        QCOMPARE(r.unlabeled, int64_t(1)); // no persuadee row in full_info
        QCOMPARE(r.flagged, int64_t(1));   // donation 50 -> clipped to 2
        DialogueStore store(db);
        QVERIFY(store.task("persuasion"));

        const Dialogue d1 = byUid(store, "persuasion", "20990101-000001_001_fixt");
        QCOMPARE(d1.source, std::string("p4g"));
        QCOMPARE(d1.turns.size(), size_t(8));
        QCOMPARE(d1.reward, std::optional<double>(0.5));
        QCOMPARE(d1.flags, uint32_t(0));
        QVERIFY(d1.turns[0].role == Role::Agent); // B4 = 0: persuader
        QVERIFY(d1.turns[1].role == Role::User);
        QCOMPARE(d1.turns[1].text, std::string("Fine, thanks. And you?"));
        QCOMPARE(d1.turns[2].text, std::string("Good. Have you heard of the charity \"Save the Children\"?"));
        QCOMPARE(d1.turns[3].text, std::string("No, I haven't.\nWhat do they do?"));
        QCOMPARE(d1.turns[4].text,
                 std::string("They help kids with food, schooling and health care, in over 100 countries."));
        QCOMPARE(d1.turns[4].annotations.value("turn", -1), 2);
        QCOMPARE(d1.metadata["persuadee"].value("B3", ""), std::string("user_2"));
        QCOMPARE(d1.metadata["persuadee"].value("agreeable.x", 0.0), 4.4);
        QCOMPARE(d1.metadata["persuader"].value("B3", ""), std::string("user_1"));
        QCOMPARE(d1.metadata.value("donation_raw", -1.0), 0.5);

        const Dialogue d2 = byUid(store, "persuasion", "20990101-000002_002_fixt");
        QCOMPARE(d2.reward, std::optional<double>(0.0));
        QCOMPARE(d2.turns.size(), size_t(6));
        QCOMPARE(d2.turns[5].text, std::string()); // an empty utterance is kept
        QVERIFY(d2.metadata["persuadee"]["age.x"].is_null());

        const Dialogue d3 = byUid(store, "persuasion", "20990101-000003_003_fixt");
        QCOMPARE(d3.reward, std::optional<double>(2.0));
        QCOMPARE(d3.flags, uint32_t(kFlagRewardOutOfRange));
        QCOMPARE(d3.metadata.value("donation_raw", -1.0), 50.0);
        QCOMPARE(d3.metadata["persuadee"].value("sex.x", ""), std::string("Other, or prefer not to say"));

        const Dialogue d4 = byUid(store, "persuasion", "20990101-000004_004_fixt");
        QVERIFY(!d4.reward);
        QVERIFY(!d4.metadata.contains("persuadee"));

        // The two files in any order are the same import.
        auto db2 = Database::openInMemory();
        const auto r2 = importFiles(db2, ImportFormat::P4g,
                                    {fixture("p4g/ok/full_info.csv"), fixture("p4g/ok/full_dialog.csv")});
        QCOMPARE(r2.inserted, int64_t(4));
        QCOMPARE(ProjectCounts::of(db2).digest, ProjectCounts::of(db).digest);
    }

    void jsonlChatLayout()
    {
        auto db = Database::openInMemory();
        const auto r = importFiles(db, ImportFormat::Jsonl, {fixture("jsonl/chat.jsonl")});
        QCOMPARE(r.read, int64_t(4));
        QCOMPARE(r.inserted, int64_t(4));
        QCOMPARE(r.labeled, int64_t(3));
        QCOMPARE(r.unlabeled, int64_t(1));
        QCOMPARE(r.insertedPerTask.at("counseling"), int64_t(2));
        QCOMPARE(r.insertedPerTask.at("tutoring"), int64_t(1));
        DialogueStore store(db);
        const Dialogue c1 = byUid(store, "counseling", "fx-c1");
        QCOMPARE(c1.source, std::string("jsonl"));
        QCOMPARE(c1.reward, std::optional<double>(2.0));
        QCOMPARE(c1.turns.size(), size_t(4));
        QVERIFY(c1.turns[1].role == Role::Agent);
        QCOMPARE(c1.turns[1].annotations.value("strategy", ""), std::string("Question"));
        QCOMPARE(c1.metadata.value("emotion_type", ""), std::string("anger"));

        const Dialogue p1 = byUid(store, "persuasion", "fx-p1");
        QVERIFY(p1.turns[0].role == Role::Agent); // "agent" is accepted as well as "assistant"
        QCOMPARE(p1.reward, std::optional<double>(0.5));

        const Dialogue t1 = byUid(store, "tutoring", "7"); // integer id, numeric-string reward
        QCOMPARE(t1.reward, std::optional<double>(0.8));
        QCOMPARE(t1.turns.size(), size_t(2));            // the system message is not a turn
        QCOMPARE(t1.metadata["system_messages"][0].value("content", ""),
                 std::string("You are a patient math tutor."));
        const auto tutoring = store.task("tutoring");
        QVERIFY(tutoring && tutoring->kind == TaskKind::Custom);

        // No id: the content hash of the messages (same rule as ESConv).
        const Dialogue u1 = byUid(store, "counseling", "80dd6a9a7ae6b950");
        QVERIFY(!u1.reward);
        QCOMPARE(u1.turns[1].annotations.value("strategy", ""), std::string("Question"));
    }

    void jsonlDefaultTask()
    {
        auto db = Database::openInMemory();
        QVERIFY_THROWS_EXCEPTION(Error, importFiles(db, ImportFormat::Jsonl, {fixture("jsonl/no_task.jsonl")}));
        ImportOptions options;
        options.defaultTask = "counseling";
        const auto r = importFiles(db, ImportFormat::Jsonl, {fixture("jsonl/no_task.jsonl")}, options);
        QCOMPARE(r.inserted, int64_t(1));
        DialogueStore store(db);
        QVERIFY(store.findByUid("counseling", "nt-1"));
    }

    void malformedFilesChangeNothing_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("where"); // "FILE:LINE:" expected in the message
        QTest::addColumn<QString>("reason");
        QTest::newRow("esconv bad json") << "esconv" << "esconv/broken/bad_json/train.json"
                                         << "bad_json/train.json:3:" << "invalid JSON";
        QTest::newRow("esconv bad json raw") << "esconv" << "esconv/broken/bad_json_raw/ESConv.json"
                                             << "bad_json_raw/ESConv.json:28:" << "invalid JSON";
        QTest::newRow("esconv truncated") << "esconv" << "esconv/broken/truncated/train.json"
                                          << "truncated/train.json:3:" << "truncated";
        QTest::newRow("esconv unknown speaker") << "esconv" << "esconv/broken/unknown_speaker/valid.json"
                                                << "unknown_speaker/valid.json:2:" << "unknown speaker 'bot'";
        QTest::newRow("esconv unknown speaker raw")
            << "esconv" << "esconv/broken/unknown_speaker_raw/ESConv.json"
            << "unknown_speaker_raw/ESConv.json:87:" << "unknown speaker 'therapist'";
        QTest::newRow("esconv intensity") << "esconv" << "esconv/broken/non_numeric_intensity/test.json"
                                          << "non_numeric_intensity/test.json:3:"
                                          << "final_emotion_intensity \"calm\" is not a number";
        QTest::newRow("esconv good + broken") << "esconv" << "esconv/hf|esconv/broken/bad_json/train.json"
                                              << "bad_json/train.json:3:" << "invalid JSON";
        QTest::newRow("p4g missing column") << "p4g" << "p4g/broken/missing_column"
                                            << "missing_column/full_dialog.csv:1:" << "missing column 'B4'";
        QTest::newRow("p4g bad role") << "p4g" << "p4g/broken/bad_role" << "bad_role/full_dialog.csv:9:"
                                      << "unknown role B4 '2'";
        // Found by fuzz_p4g_import: a turn number beyond int64 was cast (undefined behaviour).
        QTest::newRow("p4g huge turn") << "p4g" << "p4g/broken/huge_turn" << "huge_turn/full_dialog.csv:7:"
                                       << "is not a turn number";
        QTest::newRow("p4g unterminated quote") << "p4g" << "p4g/broken/unterminated_quote"
                                                << "unterminated_quote/full_dialog.csv:11:"
                                                << "unterminated quoted field";
        QTest::newRow("p4g donation") << "p4g" << "p4g/broken/non_numeric_donation"
                                      << "non_numeric_donation/full_info.csv:5:"
                                      << "donation B6 'ten dollars' is not a number";
        QTest::newRow("p4g truncated") << "p4g" << "p4g/broken/truncated" << "truncated/full_dialog.csv:22:"
                                       << "expected 5 fields, found 3";
        // Found by fuzz_p4g_import: a Latin-1 byte in a CSV cell reached the project's JSON
        // metadata and failed later with a bare "[json.exception.type_error.316]".
        QTest::newRow("p4g invalid utf-8") << "p4g" << "p4g/broken/invalid_utf8" << "invalid_utf8/full_info.csv:5:"
                                           << "field 9 (sex.x) is not valid UTF-8";
        QTest::newRow("jsonl bad json") << "jsonl" << "jsonl/broken/bad_json.jsonl" << "bad_json.jsonl:3:"
                                        << "invalid JSON";
        QTest::newRow("jsonl truncated") << "jsonl" << "jsonl/broken/truncated.jsonl"
                                         << "truncated.jsonl:3:" << "truncated";
        QTest::newRow("jsonl unknown role") << "jsonl" << "jsonl/broken/unknown_role.jsonl"
                                            << "unknown_role.jsonl:2:" << "unknown role 'narrator'";
        QTest::newRow("jsonl reward") << "jsonl" << "jsonl/broken/non_numeric_reward.jsonl"
                                      << "non_numeric_reward.jsonl:2:" << "\"reward\" \"lots\" is not a number";
        QTest::newRow("jsonl no messages") << "jsonl" << "jsonl/broken/missing_messages.jsonl"
                                           << "missing_messages.jsonl:1:" << "missing \"messages\"";
        // A good file (new dialogues) read first, then a broken one: nothing of either is kept.
        QTest::newRow("jsonl good + broken") << "jsonl" << "ui/workflow.jsonl|jsonl/broken/bad_json.jsonl"
                                             << "bad_json.jsonl:3:" << "invalid JSON";
    }
    void malformedFilesChangeNothing()
    {
        QFETCH(QString, format);
        QFETCH(QString, path);
        QFETCH(QString, where);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        auto db = Database::create(dir.filePath("p.hwb").toStdString());
        // A project with data in it, so "unchanged" means something.
        importFiles(db, ImportFormat::Jsonl, {fixture("jsonl/chat.jsonl")});
        importFiles(db, ImportFormat::P4g, {fixture("p4g/ok")});
        const auto before = ProjectCounts::of(db);
        std::vector<std::string> paths;
        for (const auto& p : path.split('|'))
            paths.push_back(fixture(p.toStdString()));
        try {
            importFiles(db, importFormatFromString(format.toStdString()), paths);
            QFAIL("expected an error");
        } catch (const Cancelled&) {
            QFAIL("not a cancellation");
        } catch (const Error& e) {
            const QString msg = QString::fromUtf8(e.what());
            QVERIFY2(msg.contains(where), qPrintable(msg));
            QVERIFY2(msg.contains(reason), qPrintable(msg));
            QVERIFY2(msg.startsWith(QString::fromStdString(hwtest::fixture(""))), qPrintable(msg));
        }
        QCOMPARE(ProjectCounts::of(db), before);
        // The connection is still usable and in autocommit mode (no transaction left open).
        QVERIFY(sqlite3_get_autocommit(db.handle()) != 0);
        // The good files before the broken one do add dialogues on their own: the failure above
        // really threw them away.
        if (paths.size() > 1) {
            paths.pop_back();
            const auto r = importFiles(db, importFormatFromString(format.toStdString()), paths);
            QVERIFY(r.inserted > 0);
            QCOMPARE(ProjectCounts::of(db).dialogues, before.dialogues + r.inserted);
        }
    }

    void cancelRollsBack()
    {
        QTemporaryDir dir;
        const std::string many = dir.filePath("many.jsonl").toStdString();
        {
            std::ofstream out(many);
            for (int i = 0; i < 1000; ++i)
                out << json{{"id", "gen-" + std::to_string(i)}, {"task", "counseling"}, {"reward", i % 3},
                            {"messages", {{{"role", "user"}, {"content", "hello " + std::to_string(i)}},
                                          {{"role", "assistant"}, {"content", "hi"}}}}}
                           .dump()
                    << "\n";
        }
        auto db = Database::create(dir.filePath("p.hwb").toStdString());
        importFiles(db, ImportFormat::Jsonl, {fixture("jsonl/chat.jsonl")});
        const auto before = ProjectCounts::of(db);
        StopToken stop;
        int64_t seenMax = 0;
        auto progress = [&](const Progress& p) {
            if (p.stage == "import") {
                seenMax = std::max(seenMax, p.done);
                if (p.done >= 500)
                    stop.requestStop();
            }
        };
        QVERIFY_THROWS_EXCEPTION(Cancelled, importFiles(db, ImportFormat::Jsonl, {many}, {}, progress, stop));
        QVERIFY(seenMax >= 500); // rows had been inserted before the stop
        QCOMPARE(ProjectCounts::of(db), before);

        const auto r = importFiles(db, ImportFormat::Jsonl, {many});
        QCOMPARE(r.inserted, int64_t(1000));
    }

    void jsonlExportImportRoundTrip()
    {
        QTemporaryDir dir;
        auto a = Database::create(dir.filePath("a.hwb").toStdString());
        importFiles(a, ImportFormat::Esconv, {fixture("esconv/hf"), fixture("esconv/raw")});
        importFiles(a, ImportFormat::P4g, {fixture("p4g/ok")});
        importFiles(a, ImportFormat::Jsonl, {fixture("jsonl/chat.jsonl")});
        DialogueStore storeA(a);
        storeA.setReward(*storeA.findByUid("persuasion", "20990101-000004_004_fixt"), 1.25, "human");

        const std::string first = dir.filePath("first.jsonl").toStdString();
        const auto ex = exportJsonl(a, first);
        QCOMPARE(ex.dialogues, int64_t(16));

        auto b = Database::create(dir.filePath("b.hwb").toStdString());
        const auto im = importFiles(b, ImportFormat::Jsonl, {first});
        QCOMPARE(im.inserted, int64_t(16));
        const std::string second = dir.filePath("second.jsonl").toStdString();
        exportJsonl(b, second);
        QCOMPARE(readAll(second), readAll(first));

        // And the dialogues themselves are equal field by field.
        DialogueStore storeB(b);
        int compared = 0;
        storeA.forEach("", [&](const Dialogue& da) {
            const Dialogue db2 = byUid(storeB, da.task, da.uid);
            if (da.source != db2.source || da.split != db2.split || da.reward != db2.reward
                || da.rewardSource != db2.rewardSource || da.flags != db2.flags
                || da.metadata != db2.metadata || da.turns.size() != db2.turns.size())
                return false;
            for (size_t i = 0; i < da.turns.size(); ++i)
                if (da.turns[i].text != db2.turns[i].text || da.turns[i].role != db2.turns[i].role
                    || da.turns[i].annotations != db2.turns[i].annotations)
                    return false;
            ++compared;
            return true;
        });
        QCOMPARE(compared, 16);
        QCOMPARE(byUid(storeB, "persuasion", "20990101-000004_004_fixt").rewardSource, std::string("human"));
        QVERIFY(storeB.task("tutoring"));

        // The system message is written back where it was.
        const std::string text = readAll(first);
        QVERIFY(text.find(R"("messages":[{"role":"system","content":"You are a patient math tutor."},{"role":"user")")
                != std::string::npos);

        // --task filters; unknown tasks are an error.
        ExportOptions only;
        only.task = "persuasion";
        QCOMPARE(exportJsonl(a, dir.filePath("p.jsonl").toStdString(), only).dialogues, int64_t(5));
        only.task = "nope";
        QVERIFY_THROWS_EXCEPTION(Error, exportJsonl(a, dir.filePath("n.jsonl").toStdString(), only));
        QVERIFY(!QFile::exists(dir.filePath("n.jsonl")));
    }

    void plainExport()
    {
        // --plain: every message is exactly {"role", "content"} (OpenAI's fine-tuning check rejects
        // other message keys); the rest of each line, and the default export, stay as they were.
        QTemporaryDir dir;
        auto a = Database::create(dir.filePath("a.hwb").toStdString());
        importFiles(a, ImportFormat::Esconv, {fixture("esconv/hf")});
        importFiles(a, ImportFormat::Jsonl, {fixture("jsonl/chat.jsonl")});
        const std::string full = dir.filePath("full.jsonl").toStdString();
        const std::string plain = dir.filePath("plain.jsonl").toStdString();
        const auto fullResult = exportJsonl(a, full);
        ExportOptions options;
        options.messages = ChatMessageStyle::Plain;
        const auto plainResult = exportJsonl(a, plain, options);
        QCOMPARE(plainResult.dialogues, fullResult.dialogues);
        QCOMPARE(plainResult.turns, fullResult.turns);

        std::ifstream fin(full), pin(plain);
        std::string fl, pl;
        int lines = 0, annotated = 0, messages = 0;
        while (std::getline(fin, fl)) {
            QVERIFY(std::getline(pin, pl));
            ++lines;
            const json f = json::parse(fl), p = json::parse(pl);
            QCOMPARE(p["messages"].size(), f["messages"].size());
            for (size_t i = 0; i < p["messages"].size(); ++i) {
                const json& pm = p["messages"][i];
                const json& fm = f["messages"][i];
                QCOMPARE(pm.size(), size_t(2));
                QCOMPARE(pm.at("role"), fm.at("role"));
                QCOMPARE(pm.at("content"), fm.at("content"));
                annotated += fm.contains("annotations") ? 1 : 0;
                ++messages;
            }
            json rest = f;
            rest.erase("messages");
            json plainRest = p;
            plainRest.erase("messages");
            QCOMPARE(plainRest, rest);
        }
        QVERIFY(!std::getline(pin, pl));
        QCOMPARE(lines, int(fullResult.dialogues));
        QVERIFY(annotated > 0); // the default really carries annotations that plain leaves out
        QVERIFY(messages > annotated);

        // A plain file imports back to the same dialogues, without the turn annotations.
        auto b = Database::create(dir.filePath("b.hwb").toStdString());
        QCOMPARE(importFiles(b, ImportFormat::Jsonl, {plain}).inserted, fullResult.dialogues);
        DialogueStore storeA(a), storeB(b);
        int compared = 0;
        storeA.forEach("", [&](const Dialogue& da) {
            const Dialogue d = byUid(storeB, da.task, da.uid);
            if (d.reward != da.reward || d.metadata != da.metadata || d.turns.size() != da.turns.size())
                return false;
            for (size_t i = 0; i < d.turns.size(); ++i)
                if (d.turns[i].text != da.turns[i].text || d.turns[i].role != da.turns[i].role
                    || !d.turns[i].annotations.empty())
                    return false;
            ++compared;
            return true;
        });
        QCOMPARE(compared, int(fullResult.dialogues));
    }

    void demoCorpus()
    {
        // resources/demo: our own corpus for the offline demo (numbers from its generator's output).
        auto db = Database::openInMemory();
        const std::string demo = hwtest::sourceDir() + "/resources/demo/";
        const auto r = importFiles(db, ImportFormat::Jsonl, {demo + "counseling.jsonl", demo + "persuasion.jsonl"});
        QCOMPARE(r.inserted, int64_t(72));
        QCOMPARE(r.labeled, int64_t(67));
        QCOMPARE(r.insertedPerTask.at("counseling"), int64_t(36));
        QCOMPARE(r.insertedPerTask.at("persuasion"), int64_t(36));
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM dialogues WHERE source = 'demo'"), int64_t(72));
        QCOMPARE(*db.queryInt64("SELECT count(DISTINCT reward) FROM dialogues"), int64_t(11)); // varied
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM dialogues WHERE reward <= 0"), int64_t(15)); // improvable
        DialogueStore store(db);
        store.forEach("counseling", [](const Dialogue& d) {
            for (const auto& t : d.turns)
                if (t.role == Role::Agent && !t.annotations.contains("strategy"))
                    throw Error(d.uid + ": agent turn without strategy");
            if (!d.metadata.contains("initial_emotion_intensity"))
                throw Error(d.uid + ": no initial intensity");
            return true;
        });
        QVERIFY(store.task("persuasion")->kind == TaskKind::Persuasion);
    }

    void formatNames()
    {
        QVERIFY(importFormatFromString("esconv") == ImportFormat::Esconv);
        QVERIFY(importFormatFromString("p4g") == ImportFormat::P4g);
        QVERIFY(importFormatFromString("jsonl") == ImportFormat::Jsonl);
        QVERIFY_THROWS_EXCEPTION(Error, importFormatFromString("csv"));
        auto db = Database::openInMemory();
        QVERIFY_THROWS_EXCEPTION(Error, importFiles(db, ImportFormat::Jsonl, {}));
        QVERIFY_THROWS_EXCEPTION(Error, importFiles(db, ImportFormat::Esconv, {fixture("p4g/ok")}));
        QVERIFY_THROWS_EXCEPTION(Error, importFiles(db, ImportFormat::P4g, {fixture("esconv/hf")}));
        QVERIFY_THROWS_EXCEPTION(Error, importFiles(db, ImportFormat::Jsonl, {fixture("nope.jsonl")}));
    }
};

QTEST_APPLESS_MAIN(TestImport)
#include "tst_core_import.moc"
