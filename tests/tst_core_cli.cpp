// The hindsight CLI end to end (init, import, stats, export) through QProcess.
#include "core/store/database.h"
#include "support/cli_run.h"
#include "support/test_paths.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>

using hwtest::fixture;

namespace {

using Run = hwtest::CliRun;
using hwtest::hindsight;
using hwtest::statsJson;

QString fx(const char* relative) { return QString::fromStdString(fixture(relative)); }

int lineCount(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    return f.readAll().count('\n');
}

} // namespace

#define CHECK_RUN(r, code)                                                                        \
    QVERIFY2((r).exitCode == (code),                                                              \
             qPrintable(QString("exit %1, stdout: %2, stderr: %3").arg((r).exitCode).arg((r).out, (r).err)))

class TestCli : public QObject {
    Q_OBJECT
    // Every process start loads libtorch, so the error cases share one project.
    QTemporaryDir m_dir;
    QString m_project;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_project = m_dir.filePath("shared.hwb");
        CHECK_RUN(hindsight({"init", m_project}), 0);
    }

    void help()
    {
        Run r = hindsight({"--help"});
        CHECK_RUN(r, 0);
        for (const char* verb : {"init", "import", "stats", "export"})
            QVERIFY2(r.out.contains(QString("  ") + verb), qPrintable(r.out));
        r = hindsight({"import", "--help"});
        CHECK_RUN(r, 0);
        QVERIFY(r.out.contains("--format esconv|p4g|jsonl"));
        r = hindsight({"export", "--help"});
        CHECK_RUN(r, 0);
        QVERIFY(r.out.contains("-o, --output FILE"));
        QVERIFY(hindsight({"stats", "--help"}).out.contains("--json"));
        QVERIFY(hindsight({"init", "--help"}).out.contains("PROJECT.hwb"));
    }

    void initImportStatsExport()
    {
        QTemporaryDir dir;
        const QString p = dir.filePath("p.hwb");
        Run r = hindsight({"init", p});
        CHECK_RUN(r, 0);
        QVERIFY(QFile::exists(p));
        r = hindsight({"init", p});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("already exists"), qPrintable(r.err));
        CHECK_RUN(hindsight({"init", p, "--if-missing"}), 0);

        QJsonObject s = statsJson(p);
        QCOMPARE(s["dialogues"].toInt(), 0);
        QVERIFY(s["tasks"].toObject().contains("counseling"));
        QVERIFY(s["tasks"].toObject()["persuasion"].toObject()["reward_mean"].isNull());

        r = hindsight({"import", p, "--format", "esconv", fx("esconv/hf")});
        CHECK_RUN(r, 0);
        QVERIFY2(r.out.contains("imported 5 new dialogues"), qPrintable(r.out));
        QVERIFY2(r.err.contains("import 5/5 (100%)"), qPrintable(r.err)); // progress on stderr

        r = hindsight({"import", p, "--format=p4g", fx("p4g/ok/full_dialog.csv"), fx("p4g/ok/full_info.csv"),
                       "--json", "--quiet"});
        CHECK_RUN(r, 0);
        QVERIFY(r.err.isEmpty());
        const QJsonObject result = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(result["inserted"].toInt(), 4);
        QCOMPARE(result["flagged"].toInt(), 1);

        s = statsJson(p);
        QCOMPARE(s["dialogues"].toInt(), 9);
        QCOMPARE(s["turns"].toInt(), 8 + 6 + 4 + 5 + 3 + 8 + 6 + 4 + 2);
        const QJsonObject c = s["tasks"].toObject()["counseling"].toObject();
        QCOMPARE(c["dialogues"].toInt(), 5);
        QCOMPARE(c["labeled"].toInt(), 4);
        QCOMPARE(c["reward_mean"].toDouble(), 2.0); // (3 + 1 + 2 + 2) / 4
        const QJsonObject pe = s["tasks"].toObject()["persuasion"].toObject();
        QCOMPARE(pe["dialogues"].toInt(), 4);
        QCOMPARE(pe["labeled"].toInt(), 3);
        QVERIFY(qAbs(pe["reward_mean"].toDouble() - 2.5 / 3) < 1e-12); // 0.5, 0, 2 (clipped 50)
        QCOMPARE(s["sources"].toObject()["p4g"].toInt(), 4);

        r = hindsight({"stats", p});
        CHECK_RUN(r, 0);
        QVERIFY2(r.out.contains("9 dialogues"), qPrintable(r.out));
        QVERIFY2(r.out.contains(QRegularExpression("counseling\\s+5\\s+26\\s+4")), qPrintable(r.out));

        // Re-import adds nothing.
        r = hindsight({"import", p, "--format", "esconv", fx("esconv/hf"), "--quiet"});
        CHECK_RUN(r, 0);
        QVERIFY2(r.out.contains("imported 0 new dialogues") && r.out.contains("5 already present"),
                 qPrintable(r.out));
        QCOMPARE(statsJson(p), s);

        // A broken file: error with FILE:LINE on stderr, non-zero exit, project unchanged.
        r = hindsight({"import", p, "--format", "esconv", fx("esconv/raw"), fx("esconv/broken/bad_json/train.json")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("bad_json/train.json:3: invalid JSON"), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
        QCOMPARE(statsJson(p), s);

        // Export everything, one task, and read it back into a fresh project.
        const QString all = dir.filePath("all.jsonl");
        r = hindsight({"export", p, "--format", "jsonl", "-o", all});
        CHECK_RUN(r, 0);
        QVERIFY2(r.out.contains("wrote 9 dialogues"), qPrintable(r.out));
        QCOMPARE(lineCount(all), 9);
        const QString counseling = dir.filePath("counseling.jsonl");
        CHECK_RUN(hindsight({"export", p, "-o", counseling, "--task", "counseling", "--quiet"}), 0);
        QCOMPARE(lineCount(counseling), 5);
        const QString labeled = dir.filePath("labeled.jsonl");
        CHECK_RUN(hindsight({"export", p, "-o", labeled, "--labeled-only", "--quiet"}), 0);
        QCOMPARE(lineCount(labeled), 7);
        // --plain: messages with role and content only, for OpenAI / TRL fine-tuning files.
        const QString plain = dir.filePath("plain.jsonl");
        CHECK_RUN(hindsight({"export", p, "-o", plain, "--plain", "--quiet"}), 0);
        QCOMPARE(lineCount(plain), 9);
        {
            QFile allFile(all), plainFile(plain);
            QVERIFY(allFile.open(QIODevice::ReadOnly) && plainFile.open(QIODevice::ReadOnly));
            QVERIFY(allFile.readAll().contains("\"annotations\""));
            const QList<QByteArray> lines = plainFile.readAll().split('\n');
            for (const QByteArray& line : lines) {
                if (line.isEmpty())
                    continue;
                for (const auto m : QJsonDocument::fromJson(line).object()["messages"].toArray())
                    QCOMPARE(m.toObject().keys(), (QStringList{"content", "role"}));
            }
        }

        const QString q = dir.filePath("q.hwb");
        CHECK_RUN(hindsight({"init", q}), 0);
        CHECK_RUN(hindsight({"import", q, "--format", "jsonl", all, "--quiet"}), 0);
        QCOMPARE(statsJson(q), s);
        const QString again = dir.filePath("again.jsonl");
        CHECK_RUN(hindsight({"export", q, "-o", again, "--quiet"}), 0);
        QFile a(all), b(again);
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        QCOMPARE(b.readAll(), a.readAll());
    }

    void errors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("no verb") << QStringList{} << 2 << "usage: hindsight <command>";
        QTest::newRow("unknown verb") << QStringList{"frobnicate"} << 2 << "unknown command 'frobnicate'";
        QTest::newRow("import no format") << QStringList{"import", "@P", fx("jsonl/chat.jsonl")} << 1
                                          << "missing --format";
        QTest::newRow("import bad format") << QStringList{"import", "@P", "--format", "csv", "x"} << 1
                                           << "unknown import format 'csv'";
        QTest::newRow("import no paths") << QStringList{"import", "@P", "--format", "jsonl"} << 1 << "missing PATH";
        QTest::newRow("import missing file") << QStringList{"import", "@P", "--format", "jsonl", "/nonexistent.jsonl"}
                                             << 1 << "/nonexistent.jsonl: cannot read";
        QTest::newRow("import no project") << QStringList{"import", "/nonexistent.hwb", "--format", "jsonl", fx("jsonl/chat.jsonl")}
                                           << 1 << "no such project file";
        QTest::newRow("import unknown option") << QStringList{"import", "@P", "--fromat", "jsonl"} << 1
                                               << "unknown option --fromat";
        QTest::newRow("jsonl no task") << QStringList{"import", "@P", "--format", "jsonl", fx("jsonl/no_task.jsonl")}
                                       << 1 << "no_task.jsonl:1: no \"task\"";
        QTest::newRow("stats not a project") << QStringList{"stats", fx("jsonl/chat.jsonl")} << 1
                                             << "not a readable SQLite database";
        QTest::newRow("stats missing") << QStringList{"stats"} << 1 << "missing argument: PROJECT.hwb";
        QTest::newRow("export no output") << QStringList{"export", "@P"} << 1 << "missing -o FILE";
        QTest::newRow("export bad format") << QStringList{"export", "@P", "--format", "csv", "-o", "x"} << 1
                                           << "unknown export format 'csv'";
        QTest::newRow("export bad task") << QStringList{"export", "@P", "-o", "@DIR/x.jsonl", "--task", "nope"} << 1
                                         << "no task 'nope'";
    }
    void errors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        for (auto& a : args)
            a.replace("@P", m_project).replace("@DIR", m_dir.path());
        const Run r = hindsight(args);
        QCOMPARE(r.exitCode, exitCode);
        // Every row names what it expects: an empty message would match any output.
        QVERIFY(!message.isEmpty());
        // The usage text goes to stdout (it is also what --help prints); errors go to stderr.
        const QString& shown = message.startsWith("usage:") ? r.out : r.err;
        QVERIFY2(shown.contains(message), qPrintable(r.err + r.out));
    }

    void errorsLeftTheProjectEmpty()
    {
        const QJsonObject s = statsJson(m_project);
        QCOMPARE(s["dialogues"].toInt(), 0);
        QCOMPARE(s["tasks"].toObject().size(), 2);
        QVERIFY(!QFile::exists(m_dir.filePath("x.jsonl")));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_core_cli.moc"
