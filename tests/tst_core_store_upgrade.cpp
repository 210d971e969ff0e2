// Projects written by older builds. tests/fixtures/store/v1.hwb was written by the schema-v1 CLI
// (see the README beside it). A read-write open upgrades it to the current schema with every
// dialogue, turn, label and the full-text index intact; a read-only open (stats, export) of an
// older file is refused with a clear message and leaves the file untouched. Also: the project a
// new file starts as (createProject, shared by `hindsight init` and the workbench).
#include "core/data/task.h"
#include "core/io/import.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/project_file.h"
#include "core/store/schema.h"
#include "core/util/error.h"
#include "support/test_paths.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <fstream>
#include <map>
#include <sstream>

using namespace hw;

namespace {

std::string readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// PRAGMA user_version straight from the file, without our open() (which would migrate or refuse).
int rawUserVersion(const std::string& path)
{
    sqlite3* db = nullptr;
    int v = -1;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return v;
}

// Everything a dialogue is, with its label history, keyed by task/uid (ids may differ).
std::map<std::string, std::string> contents(Database& db)
{
    std::map<std::string, std::string> out;
    DialogueStore store(db);
    store.forEach("", [&](const Dialogue& d) {
        nlohmann::json j = {{"source", d.source}, {"split", d.split}, {"flags", d.flags},
                            {"reward", d.reward ? nlohmann::json(*d.reward) : nlohmann::json()},
                            {"reward_source", d.rewardSource}, {"metadata", d.metadata}};
        for (const Turn& t : d.turns)
            j["turns"].push_back({t.index, t.role == Role::Agent ? "agent" : "user", t.text, t.annotations});
        for (const RewardLabel& l : store.rewardLabels(d.id))
            j["labels"].push_back({l.value ? nlohmann::json(*l.value) : nlohmann::json(), l.source, l.provenance});
        out[d.task + "/" + d.uid] = j.dump();
        return true;
    });
    return out;
}

std::vector<std::string> uidsMatching(Database& db, const std::string& query)
{
    std::vector<std::string> out;
    DialogueStore store(db);
    for (const int64_t id : store.search(query))
        out.push_back(store.get(id)->uid);
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

class TestStoreUpgrade : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    std::string copyOfV1(const char* name)
    {
        const std::string to = m_dir.filePath(name).toStdString();
        QFile::remove(QString::fromStdString(to));
        if (!QFile::copy(QString::fromStdString(hwtest::fixture("store/v1.hwb")), QString::fromStdString(to)))
            return {};
        QFile::setPermissions(QString::fromStdString(to), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        return to;
    }

    // The same data imported by this build into a fresh project: what the upgrade must give.
    std::string freshImport()
    {
        const std::string path = m_dir.filePath("fresh.hwb").toStdString();
        QFile::remove(QString::fromStdString(path));
        auto db = createProject(path);
        importFiles(db, ImportFormat::Jsonl, {hwtest::fixture("jsonl/chat.jsonl")});
        importFiles(db, ImportFormat::P4g, {hwtest::fixture("p4g/ok")});
        importFiles(db, ImportFormat::Esconv, {hwtest::fixture("esconv/hf")});
        return path;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void fixtureIsVersion1()
    {
        const std::string v1 = copyOfV1("check.hwb");
        QVERIFY(!v1.empty());
        QCOMPARE(rawUserVersion(v1), 1);
        QVERIFY(QFileInfo(QString::fromStdString(hwtest::fixture("store/v1.hwb"))).size() < 100 * 1024);
    }

    void readWriteOpenUpgradesWithDataIntact()
    {
        const std::string v1 = copyOfV1("upgrade.hwb");
        {
            auto db = Database::open(v1); // read-write: migrates
            QCOMPARE(db.schemaVersion(), currentSchemaVersion());
            QCOMPARE(*db.queryInt64("SELECT count(*) FROM dialogues"), int64_t(13));
            QCOMPARE(*db.queryInt64("SELECT count(*) FROM turns"), int64_t(58));
            QCOMPARE(*db.queryInt64("SELECT count(*) FROM dialogues WHERE reward IS NOT NULL"), int64_t(10));
            QCOMPARE(*db.queryInt64("SELECT count(*) FROM reward_labels"), int64_t(10));
            QCOMPARE(*db.queryInt64("SELECT count(*) FROM dialogue_fts"), int64_t(13));
            QCOMPARE(*db.queryInt64("SELECT count(*) FROM tasks"), int64_t(3));
            QCOMPARE(*db.queryInt64("SELECT count(*) FROM project_info WHERE key = 'application'"), int64_t(1));
            // The upgraded project reads exactly like the same files imported by this build.
            const std::string freshPath = freshImport();
            auto fresh = Database::open(freshPath);
            const auto upgraded = contents(db);
            QCOMPARE(upgraded.size(), size_t(13));
            QVERIFY(upgraded == contents(fresh));
            for (const char* q : {"sister", "donate OR charity", "exam*"}) {
                QVERIFY2(!uidsMatching(fresh, q).empty(), q);
                QVERIFY2(uidsMatching(db, q) == uidsMatching(fresh, q), q);
            }
            // Still writable the way this build writes.
            DialogueStore store(db);
            const auto id = store.findByUid("counseling", "fx-c1");
            QVERIFY(id);
            store.setReward(*id, 1.5, "human");
        }
        QCOMPARE(rawUserVersion(v1), currentSchemaVersion());
        // Now current: read-only opens work, and see the edit.
        auto ro = Database::open(v1, Database::Mode::ReadOnly);
        QCOMPARE(ro.schemaVersion(), currentSchemaVersion());
        QCOMPARE(*ro.queryInt64("SELECT count(*) FROM reward_labels"), int64_t(11));
        // Opening again changes nothing more.
        { auto again = Database::open(v1); QCOMPARE(again.schemaVersion(), currentSchemaVersion()); }
    }

    void readOnlyOpenOfOlderSchemaIsRefused()
    {
        if (currentSchemaVersion() == 1)
            QSKIP("this build's schema is v1: no project is older than it");
        const std::string v1 = copyOfV1("readonly.hwb");
        const std::string before = readBytes(v1);
        const std::string expected = "project schema v1 is older than this program's v"
            + std::to_string(currentSchemaVersion()) + "; open it read-write once to upgrade";
        try {
            Database::open(v1, Database::Mode::ReadOnly);
            QFAIL("a read-only open of a v1 project must not succeed");
        } catch (const Error& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.rfind(v1 + ": ", 0) == 0, msg.c_str()); // names the file
            QVERIFY2(msg.find(expected) != std::string::npos, msg.c_str());
        }
        QCOMPARE(rawUserVersion(v1), 1);
        QVERIFY(readBytes(v1) == before); // not migrated, not touched

        // The CLI's read-only verbs say the same on stderr and fail.
        for (const QStringList& args : {QStringList{"stats", QString::fromStdString(v1)},
                                        QStringList{"export", QString::fromStdString(v1), "-o",
                                                    m_dir.filePath("out.jsonl"), "--quiet"}}) {
            QProcess p;
            p.start(QString::fromStdString(hwtest::cliPath()), args);
            QVERIFY(p.waitForFinished(60000));
            QCOMPARE(p.exitCode(), 1);
            const QString err = QString::fromUtf8(p.readAllStandardError());
            QVERIFY2(err.contains(QString::fromStdString(expected)), qPrintable(err));
        }
        QVERIFY(!QFile::exists(m_dir.filePath("out.jsonl")));
        QCOMPARE(rawUserVersion(v1), 1);

        // "Open it read-write once": then the read-only verbs work.
        { auto rw = Database::open(v1); }
        auto ro = Database::open(v1, Database::Mode::ReadOnly);
        QCOMPARE(*ro.queryInt64("SELECT count(*) FROM dialogues"), int64_t(13));
    }

    void createProjectHasBuiltinTasks()
    {
        const std::string path = m_dir.filePath("new.hwb").toStdString();
        {
            auto db = createProject(path);
            QCOMPARE(db.schemaVersion(), currentSchemaVersion());
            const auto tasks = DialogueStore(db).tasks();
            QCOMPARE(tasks.size(), size_t(2));
            for (const Task& expected : {Task::counseling(), Task::persuasion()}) {
                const auto t = DialogueStore(db).task(expected.name);
                QVERIFY(t);
                QVERIFY(t->kind == expected.kind);
                QCOMPARE(t->agentRole, expected.agentRole);
                QCOMPARE(t->userRole, expected.userRole);
                QCOMPARE(t->rewardMin, expected.rewardMin);
                QCOMPARE(t->rewardMax, expected.rewardMax);
                QCOMPARE(t->description, expected.description);
            }
            registerBuiltinTasks(db); // again: nothing added
            QCOMPARE(DialogueStore(db).tasks().size(), size_t(2));
            QCOMPARE(DialogueStore(db).count(), int64_t(0));
        }
        QVERIFY_THROWS_EXCEPTION(Error, createProject(path)); // exists: never overwritten
        auto db = Database::open(path, Database::Mode::ReadOnly);
        QCOMPARE(DialogueStore(db).tasks().size(), size_t(2));
    }
};

QTEST_GUILESS_MAIN(TestStoreUpgrade)
#include "tst_core_store_upgrade.moc"
