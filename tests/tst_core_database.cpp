// Database: create/open, schema version, not-a-project / corrupt / newer-schema errors, savepoints.
#include "core/store/database.h"
#include "core/store/schema.h"
#include "core/util/error.h"
#include "support/test_paths.h"

#include <fstream>

using namespace hw;

class TestDatabase : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void createThenOpen()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        {
            auto db = Database::create(path);
            QCOMPARE(db.schemaVersion(), currentSchemaVersion());
        }
        auto db = Database::open(path);
        QCOMPARE(db.schemaVersion(), currentSchemaVersion());
        Statement st(db, "PRAGMA journal_mode");
        QVERIFY(st.step());
        QCOMPARE(QString::fromStdString(st.text(0)), QStringLiteral("wal"));
        QCOMPARE(*db.queryInt64("PRAGMA foreign_keys"), int64_t(1));
    }

    void createRefusesExistingFile()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        Database::create(path);
        QVERIFY_THROWS_EXCEPTION(Error, Database::create(path));
    }

    void openErrors_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("text file") << QByteArray("hello, this is not sqlite at all\n").repeated(200)
                                   << "not a readable SQLite database";
        QTest::newRow("empty") << QByteArray() << "empty file";
    }
    void openErrors()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath("bad.hwb");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
        f.close();
        try {
            Database::open(path.toStdString());
            QFAIL("expected an error");
        } catch (const Error& e) {
            const QString msg = QString::fromUtf8(e.what());
            QVERIFY2(msg.contains(expected), qPrintable(msg));
            QVERIFY2(msg.startsWith(path), qPrintable(msg));
        }
    }

    void openPlainSqliteIsNotAProject()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("plain.db").toStdString();
        {
            auto db = Database::create(path); // then strip it back to a plain SQLite file
            db.exec("DROP TABLE project_info; PRAGMA user_version = 0");
        }
        try {
            Database::open(path);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("not a Hindsight Workbench project"), e.what());
        }
    }

    void newerSchemaIsRefused()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("future.hwb").toStdString();
        {
            auto db = Database::create(path);
            db.exec("PRAGMA user_version = " + std::to_string(currentSchemaVersion() + 1));
        }
        try {
            Database::open(path);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("newer Hindsight Workbench"), e.what());
        }
    }

    void corruptPagesAreReported()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("corrupt.hwb").toStdString();
        {
            auto db = Database::create(path);
            db.exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE");
        }
        {
            // Overwrite the schema page (page 1 after the 100-byte header) with garbage.
            std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
            f.seekp(100);
            const std::string junk(3000, '\xAB');
            f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
        }
        QVERIFY_THROWS_EXCEPTION(Error, Database::open(path));
    }

    void savepointRollsBackUnlessCommitted()
    {
        auto db = Database::openInMemory();
        db.exec("CREATE TABLE t(x)");
        {
            Transaction tx(db);
            db.exec("INSERT INTO t VALUES (1)");
        }
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM t"), int64_t(0));
        {
            Transaction outer(db);
            db.exec("INSERT INTO t VALUES (1)");
            {
                Transaction inner(db);
                db.exec("INSERT INTO t VALUES (2)");
            }
            outer.commit();
        }
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM t"), int64_t(1));
    }

    void statementBindsAndReads()
    {
        auto db = Database::openInMemory();
        db.exec("CREATE TABLE t(a INTEGER, b REAL, c TEXT, d)");
        Statement ins(db, "INSERT INTO t VALUES (?, ?, ?, ?)");
        ins.bind(1, int64_t(42)).bind(2, 2.5).bind(3, std::string("h\xc3\xa9llo")).bind(4, std::optional<double>());
        ins.exec();
        Statement sel(db, "SELECT a, b, c, d FROM t");
        QVERIFY(sel.step());
        QCOMPARE(sel.int64(0), int64_t(42));
        QCOMPARE(sel.real(1), 2.5);
        QCOMPARE(sel.text(2), std::string("h\xc3\xa9llo"));
        QVERIFY(sel.isNull(3));
        QVERIFY(!sel.step());
        QVERIFY_THROWS_EXCEPTION(Error, Statement(db, "SELECT nope FROM missing"));
    }
};

QTEST_APPLESS_MAIN(TestDatabase)
#include "tst_core_database.moc"
