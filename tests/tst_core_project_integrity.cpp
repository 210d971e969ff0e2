// Damaged and contended project files (issue 13, "Project files and imports"): a negative schema
// version is an error, not an out-of-bounds read; a damaged file is refused for writing with the
// damage named and its bytes stay as they were; `hindsight check` runs the full integrity check;
// three imports started at once in separate processes all succeed, waiting for the write lock
// instead of failing at once.
#include "core/io/import.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/project_check.h"
#include "core/store/project_file.h"
#include "core/util/error.h"
#include "support/cli_run.h"
#include "support/generated_dialogues.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <fstream>
#include <chrono>
#include <memory>
#include <thread>

using namespace hw;

namespace {

std::string readAll(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

void rawExec(const std::string& path, const std::string& sql)
{
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    const std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    QVERIFY2(rc == SQLITE_OK, msg.c_str());
}

int64_t rawInt(const std::string& path, const std::string& sql)
{
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

} // namespace

class TestProjectIntegrity : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::string path(const std::string& name) const { return m_dir.filePath(QString::fromStdString(name)).toStdString(); }

    // A project with `n` generated dialogues, closed (so its WAL is folded into the file).
    std::string projectWith(const std::string& name, int n)
    {
        const std::string p = path(name);
        Database db = createProject(p);
        hwtest::insertGenerated(db, n);
        return p;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void negativeSchemaVersionIsAnError()
    {
        // Opening this for writing read kMigrations[-3] (exit 139).
        const std::string p = projectWith("negative.hwb", 3);
        rawExec(p, "PRAGMA user_version = -3");
        for (const auto mode : {Database::Mode::ReadWrite, Database::Mode::ReadOnly}) {
            try {
                Database::open(p, mode);
                QFAIL("expected an error");
            } catch (const Error& e) {
                QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(p + ": damaged or not a Hindsight Workbench project")),
                         e.what());
                QVERIFY2(QString(e.what()).contains("user_version) is -3"), e.what());
            }
        }
        QCOMPARE(rawInt(p, "PRAGMA user_version"), int64_t(-3)); // nothing migrated
        const ProjectCheckResult r = checkProject(p);
        QVERIFY(!r.ok);
        QCOMPARE(r.schemaVersion, -3);
        const hwtest::CliRun cli = hwtest::hindsight({"stats", QString::fromStdString(p)});
        QCOMPARE(cli.exitCode, 1);
        QVERIFY2(cli.err.contains("user_version) is -3"), qPrintable(cli.err));
    }

    void damagedProjectIsRefusedForWriting()
    {
        const std::string p = projectWith("damaged.hwb", 300);
        const std::string healthy = projectWith("healthy.hwb", 20);
        // Break one b-tree page of the turns table (its root: the page type byte).
        const int64_t root = rawInt(p, "SELECT rootpage FROM sqlite_master WHERE name = 'turns'");
        const int64_t pageSize = rawInt(p, "PRAGMA page_size");
        QVERIFY(root > 1 && pageSize >= 512);
        {
            std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
            f.seekp((root - 1) * pageSize);
            f.put(char(0x7f));
        }
        const std::string before = readAll(p);

        try {
            Database::open(p);
            QFAIL("a damaged project was opened for writing");
        } catch (const Error& e) {
            const QString msg = e.what();
            QVERIFY2(msg.startsWith(QString::fromStdString(p + ": the project file is damaged, refusing to write into it (PRAGMA quick_check: ")),
                     e.what());
            QVERIFY2(msg.contains("hindsight check"), e.what());
        }
        // Through the CLI too, and nothing was written into the file.
        const std::string jsonl = path("more.jsonl");
        std::ofstream(jsonl) << "{\"id\":\"new\",\"task\":\"counseling\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}" "\n";
        const hwtest::CliRun imp = hwtest::hindsight({"import", QString::fromStdString(p), "--format", "jsonl",
                                                      QString::fromStdString(jsonl), "--quiet"});
        QCOMPARE(imp.exitCode, 1);
        QVERIFY2(imp.err.contains("damaged"), qPrintable(imp.err));
        QVERIFY(readAll(p) == before);

        // The full check names the damage; a sound project passes.
        const ProjectCheckResult bad = checkProject(p);
        QVERIFY(!bad.ok);
        QVERIFY(!bad.problems.empty());
        const hwtest::CliRun check = hwtest::hindsight({"check", QString::fromStdString(p)});
        QCOMPARE(check.exitCode, 1);
        QVERIFY2(check.out.contains("problem(s) found"), qPrintable(check.out));
        const hwtest::CliRun json = hwtest::hindsight({"check", QString::fromStdString(p), "--json"});
        const auto j = nlohmann::json::parse(json.out.toStdString());
        QCOMPARE(j.at("ok").get<bool>(), false);
        QVERIFY(!j.at("problems").empty());
        QVERIFY(readAll(p) == before);

        const ProjectCheckResult good = checkProject(healthy);
        QVERIFY2(good.ok, good.problems.empty() ? "" : good.problems.front().c_str());
        const hwtest::CliRun ok = hwtest::hindsight({"check", QString::fromStdString(healthy)});
        QCOMPARE(ok.exitCode, 0);
        QVERIFY2(ok.out.contains(": ok"), qPrintable(ok.out));
        // Not a project at all, and a missing file: findings, not crashes.
        std::ofstream(path("text.hwb")) << "hello";
        QVERIFY(!checkProject(path("text.hwb")).ok);
        QVERIFY(!checkProject(path("missing.hwb")).ok);
    }

    void threeImportsAtOnceAllSucceed()
    {
        // Two of three simultaneous imports failed ("database is locked" on the first INSERT): a
        // deferred transaction that had read could not take the write lock from another writer,
        // and SQLite does not wait in that case. Three `hindsight import` processes of a few
        // thousand dialogues each, started together, must all succeed, waiting for one another.
        const std::string p = path("contended.hwb");
        createProject(p);
        std::vector<std::string> files;
        const int perFile = 3000;
        for (int k = 0; k < 3; ++k) {
            files.push_back(path("part" + std::to_string(k) + ".jsonl"));
            std::ofstream out(files.back());
            for (int i = 0; i < perFile; ++i)
                out << nlohmann::json{{"id", "p" + std::to_string(k) + "-" + std::to_string(i)},
                                      {"task", "counseling"},
                                      {"messages",
                                       {{{"role", "user"}, {"content", "line " + std::to_string(i) + " of a longer text"}},
                                        {{"role", "assistant"}, {"content", "reply " + std::to_string(i)}}}}}
                           .dump()
                    << "\n";
        }
        std::vector<std::unique_ptr<QProcess>> procs;
        for (int k = 0; k < 3; ++k) {
            procs.push_back(std::make_unique<QProcess>());
            procs.back()->start(QString::fromStdString(hwtest::cliPath()),
                                {"import", QString::fromStdString(p), "--format", "jsonl",
                                 QString::fromStdString(files[static_cast<size_t>(k)]), "--quiet"});
        }
        for (auto& proc : procs) {
            QVERIFY(proc->waitForFinished(120000));
            QVERIFY2(proc->exitStatus() == QProcess::NormalExit && proc->exitCode() == 0,
                     proc->readAllStandardError().constData());
        }
        Database db = Database::open(p);
        QCOMPARE(DialogueStore(db).count(), int64_t(3 * perFile));
    }

    void writerWaitsForTheLockInProcess()
    {
        // The same through the API: a Transaction on a second connection waits while the first
        // holds the lock and proceeds once it is released (the release happens on another thread).
        const std::string p = projectWith("waits.hwb", 1);
        Database a = Database::open(p);
        Database b = Database::open(p);
        a.exec("BEGIN IMMEDIATE");
        a.exec("INSERT INTO project_info(key, value) VALUES ('a', '1')");
        QVERIFY(DialogueStore(b).count() == 1); // b has read
        std::thread release([&a] {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            a.exec("COMMIT");
        });
        bool ok = true;
        try {
            Transaction tx(b);
            b.exec("INSERT INTO project_info(key, value) VALUES ('b', '1')");
            tx.commit();
        } catch (const Error& e) {
            ok = false;
            qWarning("%s", e.what());
        }
        release.join();
        QVERIFY(ok);
        QCOMPARE(b.queryInt64("SELECT count(*) FROM project_info WHERE key IN ('a', 'b')").value_or(0), int64_t(2));
    }
};

QTEST_APPLESS_MAIN(TestProjectIntegrity)
#include "tst_core_project_integrity.moc"
