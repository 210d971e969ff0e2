// Schema versioning: a file at version 0 is migrated to the current version with every table the
// later features use; newer files are refused; migrating twice is a no-op.
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/schema.h"
#include "core/util/error.h"
#include "support/test_paths.h"

#include <sqlite3.h>

using namespace hw;

class TestSchema : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void version0IsMigratedToCurrent()
    {
        auto db = Database::openInMemory(); // openInMemory runs migrateSchema from version 0
        QCOMPARE(currentSchemaVersion(), 6); // 2: jobs ownership, 3: runs stop request and liveness,
                                             // 4: evaluation episodes, 5: task definitions,
                                             // 6: human studies
        QCOMPARE(db.schemaVersion(), currentSchemaVersion());
        const char* tables[] = {"project_info", "tasks", "dialogues", "turns", "dialogue_fts",
                                "reward_labels", "jobs", "job_items", "llm_calls", "suggestions",
                                "regenerations", "training_sets", "training_set_items", "runs",
                                "metrics", "checkpoints", "run_samples", "chat_sessions",
                                "chat_messages", "chat_ratings", "eval_episodes", "studies",
                                "study_participants", "study_trials", "study_trial_sessions"};
        for (const char* t : tables) {
            Statement st(db, "SELECT count(*) FROM sqlite_master WHERE name = ?");
            st.bind(1, t);
            QVERIFY(st.step());
            QVERIFY2(st.int64(0) == 1, t);
        }
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM project_info WHERE key = 'application'"), int64_t(1));
        // Lineage columns the later issues fill.
        db.exec("SELECT parent_id, reward_source, flags FROM dialogues LIMIT 0");
        db.exec("SELECT parent_dialogue_id, prefix_len, suggestion_id, generator, seed FROM regenerations LIMIT 0");
        db.exec("SELECT original_text, critique, proposed_text, status, edited_text, provenance FROM suggestions LIMIT 0");
        db.exec("SELECT request_hash, request, response, prompt_tokens, latency_ms, cost FROM llm_calls LIMIT 0");
    }

    void plainFileAtVersion0IsMigrated()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("v0.db").toStdString();
        {
            // A bare SQLite connection at user_version 0, as a file created by an older tool.
            sqlite3* raw = nullptr;
            QCOMPARE(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
            sqlite3_close(raw);
        }
        auto db = Database::create(path); // empty file: create() accepts and migrates it
        QCOMPARE(db.schemaVersion(), currentSchemaVersion());
        migrateSchema(db); // already current: nothing happens
        DialogueStore store(db);
        store.ensureTask(Task::counseling());
        migrateSchema(db);
        QCOMPARE(store.tasks().size(), size_t(1));
    }

    void newerVersionIsRefused()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("new.hwb").toStdString();
        {
            auto db = Database::create(path);
            db.exec("PRAGMA user_version = 99");
            QVERIFY_THROWS_EXCEPTION(Error, migrateSchema(db));
        }
        try {
            Database::open(path);
            QFAIL("expected an error");
        } catch (const Error& e) {
            const QString msg = e.what();
            QVERIFY2(msg.contains("schema version 99"), qPrintable(msg));
            QVERIFY2(msg.startsWith(QString::fromStdString(path)), qPrintable(msg));
        }
        // Read-only open refuses too: it must not misread a newer layout.
        QVERIFY_THROWS_EXCEPTION(Error, Database::open(path, Database::Mode::ReadOnly));
    }

    void reopenKeepsData()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        {
            auto db = Database::create(path);
            DialogueStore(db).ensureTask(Task::persuasion());
        }
        auto db = Database::open(path);
        QCOMPARE(db.schemaVersion(), currentSchemaVersion());
        QVERIFY(DialogueStore(db).task("persuasion"));
    }
};

QTEST_APPLESS_MAIN(TestSchema)
#include "tst_core_store_schema.moc"
