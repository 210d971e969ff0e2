// Hostile and broken import files (issue 13, "Project files and imports"): each is generated here
// at run time, fails with "FILE:LINE: reason" naming what is wrong, and leaves the project as it
// was. Deep nesting, huge numbers, over-long lines, a folder given as a file, NUL bytes, rewards
// far outside the task's range, and one id used twice for different dialogues.
#include "core/io/import.h"
#include "core/io/import_limits.h"
#include "core/io/json_guard.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/project_file.h"
#include "core/util/error.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <string>

using namespace hw;

namespace {

std::string chatLine(const std::string& id, const std::string& task, double reward, const std::string& agentText = "hi there")
{
    nlohmann::json j = {{"id", id},
                        {"task", task},
                        {"messages",
                         {{{"role", "user"}, {"content", "I feel low"}}, {{"role", "assistant"}, {"content", agentText}}}},
                        {"reward", reward}};
    return j.dump();
}

} // namespace

class TestImportHostile : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_n = 0;

    std::string path(const std::string& name) const { return m_dir.filePath(QString::fromStdString(name)).toStdString(); }

    std::string write(const std::string& name, const std::string& content)
    {
        const std::string p = path(name);
        std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
        return p;
    }

    // A fresh project with one dialogue already in it (so "unchanged" is not just "empty").
    std::string project()
    {
        const std::string p = path("p" + std::to_string(++m_n) + ".hwb");
        Database db = createProject(p);
        importFiles(db, ImportFormat::Jsonl, {write("seed.jsonl", chatLine("seed", "counseling", 1.0) + "\n")});
        return p;
    }

    // Runs an import expected to fail; returns the message after checking that nothing changed.
    QString failingImport(const std::string& projectPath, ImportFormat format, const std::vector<std::string>& files)
    {
        Database db = Database::open(projectPath);
        try {
            importFiles(db, format, files);
        } catch (const Error& e) {
            if (DialogueStore(db).count() != 1)
                return QStringLiteral("PROJECT CHANGED: ") + e.what();
            return QString::fromUtf8(e.what());
        }
        return QStringLiteral("NO ERROR");
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void deepNestingUnderMetadata()
    {
        // 100,000 levels crashed the importer (exit 139): now a depth limit with file:line.
        const int depth = 100000;
        std::string line = "{\"id\":\"deep\",\"task\":\"counseling\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"metadata\":{\"a\":";
        line += std::string(depth, '[') + std::string(depth, ']') + "}}";
        const std::string f = write("deep.jsonl", chatLine("ok1", "counseling", 0.0) + "\n" + line + "\n");
        const QString msg = failingImport(project(), ImportFormat::Jsonl, {f});
        QVERIFY2(msg.startsWith(QString::fromStdString(f + ":2: ")), qPrintable(msg));
        QVERIFY2(msg.contains("nested deeper than the limit of " + QString::number(import_limits::kMaxJsonDepth)),
                 qPrintable(msg));

        // The same in ESConv's original layout (one JSON array for the whole file): the line is named.
        const std::string esconv = write("ESConv.json", "[\n{\"dialog\": [],\n \"x\": " + std::string(depth, '[')
                                                            + std::string(depth, ']') + "}\n]\n");
        const QString msg2 = failingImport(project(), ImportFormat::Esconv, {esconv});
        QVERIFY2(msg2.startsWith(QString::fromStdString(esconv + ":3: ")), qPrintable(msg2));

        // Nesting up to the limit is fine.
        std::string okLine = "{\"id\":\"nested-ok\",\"task\":\"counseling\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"metadata\":{\"a\":";
        const int allowed = import_limits::kMaxJsonDepth - 2; // the line object and metadata are levels too
        okLine += std::string(allowed, '[') + std::string(allowed, ']') + "}}";
        Database db = Database::open(project());
        const auto r = importFiles(db, ImportFormat::Jsonl, {write("nested-ok.jsonl", okLine + "\n")});
        QCOMPARE(r.inserted, int64_t(1));
    }

    void hugeNumbers()
    {
        const std::string f = write("huge.jsonl", chatLine("a", "counseling", 0.5) + "\n"
                                                      + "{\"id\":\"b\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"reward\":1e999999}"
                                                      + "\n");
        const QString msg = failingImport(project(), ImportFormat::Jsonl, {f});
        QVERIFY2(msg.startsWith(QString::fromStdString(f + ":2: number 1e999999")), qPrintable(msg));
        QVERIFY2(msg.contains("too large"), qPrintable(msg));

        const std::string meta = write("huge-meta.jsonl", "{\"id\":\"c\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"metadata\":{\"n\":-1e999999}}"
                                                              "\n");
        const QString msg2 = failingImport(project(), ImportFormat::Jsonl, {meta});
        QVERIFY2(msg2.startsWith(QString::fromStdString(meta + ":1: number -1e999999")), qPrintable(msg2));
    }

    void lineOverTheLimit()
    {
        // One line just over the documented limit: refused with its line number once the limit is
        // reached, instead of being read whole (a 1 GB line used to take 4.35 GB).
        std::string big = "{\"id\":\"big\",\"messages\":[{\"role\":\"user\",\"content\":\"";
        big += std::string(import_limits::kMaxLineBytes + 10, 'a');
        big += "\"}]}";
        const std::string f = write("long.jsonl", chatLine("a", "counseling", 0.5) + "\n\n" + big + "\n");
        big.clear();
        big.shrink_to_fit();
        const QString msg = failingImport(project(), ImportFormat::Jsonl, {f});
        QVERIFY2(msg.startsWith(QString::fromStdString(f + ":3: line longer than the limit of 16 MiB")), qPrintable(msg));

        // Just under the limit still imports.
        std::string ok = "{\"id\":\"long-ok\",\"task\":\"counseling\",\"messages\":[{\"role\":\"user\",\"content\":\"";
        ok += std::string(import_limits::kMaxLineBytes - ok.size() - 10, 'b');
        ok += "\"}]}";
        QVERIFY(ok.size() < import_limits::kMaxLineBytes);
        Database db = Database::open(project());
        QCOMPARE(importFiles(db, ImportFormat::Jsonl, {write("long-ok.jsonl", ok)}).inserted, int64_t(1));
    }

    void folderGivenAsAFile()
    {
        const std::string dir = path("a-folder.jsonl");
        QVERIFY(QDir().mkpath(QString::fromStdString(dir)));
        const QString msg = failingImport(project(), ImportFormat::Jsonl, {dir});
        QCOMPARE(msg, QString::fromStdString(dir + ": is a folder, not a JSON Lines file"));
        // P4G takes a folder, but a folder in place of one of its two files is named too.
        const std::string info = write("full_info.csv", "B2,B4,B6\nd1,1,0.5\n");
        const std::string dialogDir = path("full_dialog.csv");
        QVERIFY(QDir().mkpath(QString::fromStdString(dialogDir)));
        const QString msg2 = failingImport(project(), ImportFormat::P4g, {dialogDir, info});
        QVERIFY2(msg2.contains(QString::fromStdString(dialogDir)) && msg2.contains("folder"), qPrintable(msg2));
    }

    void nulBytes()
    {
        // Raw NUL in a JSONL line (nlohmann accepts one after the value) ...
        const std::string raw = write("nul-raw.jsonl", chatLine("a", "counseling", 0.5) + "\n" + chatLine("b", "counseling", 0.5)
                                                           + std::string(1, '\0') + "\n");
        const QString m1 = failingImport(project(), ImportFormat::Jsonl, {raw});
        QVERIFY2(m1.startsWith(QString::fromStdString(raw + ":2: NUL byte")), qPrintable(m1));
        // ... and written as \u0000 inside a string (SQLite and C strings would cut the text there).
        const std::string esc = write("nul-escaped.jsonl",
                                      "{\"id\":\"c\",\"task\":\"counseling\",\"messages\":[{\"role\":\"user\",\"content\":\"cut\\u0000here\"}]}" "\n");
        const QString m2 = failingImport(project(), ImportFormat::Jsonl, {esc});
        QVERIFY2(m2.startsWith(QString::fromStdString(esc + ":1: NUL character")), qPrintable(m2));
        // An escaped backslash before "u0000" is ordinary text.
        Database db = Database::open(project());
        const std::string fine = write("backslash.jsonl",
                                       "{\"id\":\"d\",\"task\":\"counseling\",\"messages\":[{\"role\":\"user\",\"content\":\"C:\\\\u0000dir\"}]}" "\n");
        QCOMPARE(importFiles(db, ImportFormat::Jsonl, {fine}).inserted, int64_t(1));

        // A NUL in a CSV field (P4G).
        const std::string dir = path("p4g-nul");
        QVERIFY(QDir().mkpath(QString::fromStdString(dir)));
        std::ofstream(dir + "/full_info.csv") << "B2,B4,B6\nd1,0,\nd1,1,0.5\n";
        std::ofstream(dir + "/full_dialog.csv", std::ios::binary)
            << ",Unit,Turn,B4,B2\n0,Hello there,0,0,d1\n1,\"I am\n" << std::string(1, '\0') << "fine\",0,1,d1\n";
        const QString m3 = failingImport(project(), ImportFormat::P4g, {dir});
        QVERIFY2(m3.startsWith(QString::fromStdString(dir + "/full_dialog.csv:4: NUL byte in field 2")), qPrintable(m3));
    }

    void rewardFarOutsideTheTaskRange()
    {
        // 1e308 on counseling ([-4, 4]) made the mean 0.0; now it is refused with its line.
        const std::string f = write("far.jsonl", chatLine("a", "counseling", 2.0) + "\n" + chatLine("b", "counseling", 1e308) + "\n");
        const QString msg = failingImport(project(), ImportFormat::Jsonl, {f});
        QVERIFY2(msg.startsWith(QString::fromStdString(f + ":2: reward 1e+308 is far outside the range [-4, 4] of task 'counseling'")),
                 qPrintable(msg));
        // A custom task already in the project keeps its range.
        const std::string p = project();
        {
            Database db = Database::open(p);
            importFiles(db, ImportFormat::Jsonl, {write("custom.jsonl", chatLine("c1", "haggle", 0.0) + "\n" + chatLine("c2", "haggle", 10.0) + "\n")});
        }
        Database db = Database::open(p);
        const auto before = DialogueStore(db).count();
        try {
            importFiles(db, ImportFormat::Jsonl, {write("custom-far.jsonl", chatLine("c3", "haggle", -1e6) + "\n")});
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("far outside the range [0, 10] of task 'haggle'"), e.what());
        }
        QCOMPARE(DialogueStore(db).count(), before);
        // Slightly out of range is still accepted (it is a data glitch, not nonsense).
        QCOMPARE(importFiles(db, ImportFormat::Jsonl, {write("near.jsonl", chatLine("n1", "counseling", 5.0) + "\n")}).inserted,
                 int64_t(1));
        // P4G clips donations to [0, 2] and flags the row, so even 1e308 cannot distort a mean.
        const std::string dir = path("p4g-far");
        QVERIFY(QDir().mkpath(QString::fromStdString(dir)));
        std::ofstream(dir + "/full_info.csv") << "B2,B4,B6\nd1,0,\nd1,1,1e308\n";
        std::ofstream(dir + "/full_dialog.csv") << ",Unit,Turn,B4,B2\n0,Hello,0,0,d1\n1,Hi,0,1,d1\n";
        Database p4g = Database::open(project());
        const auto r = importFiles(p4g, ImportFormat::P4g, {dir});
        QCOMPARE(r.flagged, int64_t(1));
        QCOMPARE(DialogueStore(p4g).get(*DialogueStore(p4g).findByUid("persuasion", "d1"))->reward, std::optional<double>(2.0));
    }

    void sameIdDifferentContent()
    {
        // In one import: the second line is reported with both places.
        const std::string f = write("dup.jsonl", chatLine("x", "counseling", 1.0) + "\n" + chatLine("y", "counseling", 1.0) + "\n"
                                                     + chatLine("x", "counseling", 1.0, "something else") + "\n");
        const QString msg = failingImport(project(), ImportFormat::Jsonl, {f});
        QVERIFY2(msg.startsWith(QString::fromStdString(f + ":3: dialogue id 'x' (task counseling) appears again with different turns (first at "
                                                       + f + ":1)")),
                 qPrintable(msg));
        const std::string g = write("dup-reward.jsonl", chatLine("x", "counseling", 1.0) + "\n" + chatLine("x", "counseling", 2.0) + "\n");
        const QString msg2 = failingImport(project(), ImportFormat::Jsonl, {g});
        QVERIFY2(msg2.contains(":2: dialogue id 'x' (task counseling) appears again with different reward"), qPrintable(msg2));

        // The same dialogue twice is still just a duplicate ...
        const std::string p = project();
        Database db = Database::open(p);
        const auto r = importFiles(db, ImportFormat::Jsonl, {write("same.jsonl", chatLine("x", "counseling", 1.0) + "\n" + chatLine("x", "counseling", 1.0) + "\n")});
        QCOMPARE(r.inserted, int64_t(1));
        QCOMPARE(r.duplicates, int64_t(1));
        // ... and re-importing it is too; but the id with other turns is not "already present".
        QCOMPARE(importFiles(db, ImportFormat::Jsonl, {write("same2.jsonl", chatLine("x", "counseling", 1.0) + "\n")}).duplicates,
                 int64_t(1));
        const auto before = DialogueStore(db).count();
        const std::string h = write("changed.jsonl", chatLine("z", "counseling", 0.0) + "\n" + chatLine("x", "counseling", 1.0, "edited reply") + "\n");
        try {
            importFiles(db, ImportFormat::Jsonl, {h});
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(h + ":2: dialogue id 'x' (task counseling) is already in ")),
                     e.what());
            QVERIFY2(QString(e.what()).contains("with different turns"), e.what());
        }
        QCOMPARE(DialogueStore(db).count(), before); // 'z' was rolled back with the rest
    }

    void scannerFindsOnlyRealProblems()
    {
        QVERIFY(!findJsonTextProblem("{\"a\":\"[[[[{{{{\",\"b\":\"\\\"[[\"}", 2));
        QVERIFY(findJsonTextProblem("[[[1]]]", 2));
        QVERIFY(!findJsonTextProblem("[[1],[2],[3]]", 2));
        const auto offsets = topLevelElementOffsets("[ {\"a\":\"],[\"},\n  [1,2], 3 ]");
        QCOMPARE(offsets.size(), size_t(3));
        QCOMPARE(offsets[0], size_t(2));
    }
};

QTEST_APPLESS_MAIN(TestImportHostile)
#include "tst_core_import_hostile.moc"
