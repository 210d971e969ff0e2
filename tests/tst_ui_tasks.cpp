// The Tasks page (issue 11): lists the project's tasks, checks a definition as it is edited (the
// error names the field, Save is off), saves a new task and an undoable edit, imports a shipped
// example, refuses a bad file with nothing written, and drafts a definition with the fake LLM server.
#include "core/data/task_json.h"
#include "core/io/text_util.h"
#include "core/store/dialogue_store.h"
#include "support/fake_llm_server.h"
#include "support/test_paths.h"
#include "ui/pages/tasks/tasks_page.h"
#include "ui/project_session.h"

#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace hw;
using nlohmann::json;

namespace {

std::string shippedTask(const std::string& name) { return hwtest::sourceDir() + "/resources/tasks/" + name + ".json"; }

} // namespace

class TestUiTasks : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void editSaveImportDraft()
    {
        QVERIFY(m_dir.isValid());
        ui::ProjectSession session;
        QVERIFY2(session.create(m_dir.filePath(QStringLiteral("p.hwb"))), qPrintable(session.errorString()));
        ui::TasksPage page(&session);
        page.refresh();
        QCOMPARE(page.taskList()->count(), 2); // the built-ins
        QVERIFY(page.taskList()->item(0)->text().contains("built-in"));

        // A new definition, checked as it is typed.
        json j = json::parse(text::readFile(shippedTask("teaching")));
        j["reward"]["anchors"][1]["score"] = 8;
        page.editor()->setPlainText(QString::fromStdString(j.dump(2)));
        QVERIFY2(page.problem().contains("reward.anchors[1].score"), qPrintable(page.problem()));
        QVERIFY(!page.save());
        QCOMPARE(DialogueStore(session.db()).tasks().size(), size_t(2)); // nothing written
        j["reward"]["anchors"][1]["score"] = 2;
        page.editor()->setPlainText(QString::fromStdString(j.dump(2)));
        QVERIFY(page.problem().isEmpty());
        QVERIFY(page.save());
        QCOMPARE(page.taskList()->count(), 3);
        QCOMPARE(DialogueStore(session.db()).task("teaching")->personas.size(), size_t(5));

        // An edit of an existing task is one undoable command.
        j["turn_cap"] = 6;
        page.editor()->setPlainText(QString::fromStdString(j.dump(2)));
        QVERIFY(page.save());
        QCOMPARE(DialogueStore(session.db()).task("teaching")->turnCap, 6);
        session.undoStack()->undo();
        QCOMPARE(DialogueStore(session.db()).task("teaching")->turnCap, 12);
        session.undoStack()->redo();
        QCOMPARE(DialogueStore(session.db()).task("teaching")->turnCap, 6);

        // Import: the shipped example; a file that is not a definition names the field.
        QVERIFY(page.importFile(QString::fromStdString(shippedTask("travel-agent"))));
        QCOMPARE(page.taskList()->count(), 4);
        const QString bad = m_dir.filePath(QStringLiteral("bad.json"));
        json b = json::parse(text::readFile(shippedTask("travel-agent")));
        b["name"] = "bad";
        b.erase("outcome_question");
        std::ofstream(bad.toStdString()) << b.dump();
        QVERIFY(!page.importFile(bad));
        QVERIFY2(page.statusLabel()->text().contains("outcome_question"), qPrintable(page.statusLabel()->text()));
        QCOMPARE(DialogueStore(session.db()).tasks().size(), size_t(4));

        // Draft with the fake LLM server: the draft lands in the editor, unsaved.
        hwtest::FakeLlmServer server;
        json draft = json::parse(text::readFile(shippedTask("teaching")));
        server.enqueue(hwtest::FakeReply::text("```json\n" + draft.dump() + "\n```"));
        EndpointProfile profile;
        profile.baseUrl = server.baseUrl();
        profile.model = "fake-model";
        QSignalSpy finished(&page, &ui::TasksPage::draftFinished);
        page.startDraft(profile, QStringLiteral("Teach statistics."), QStringLiteral("stats-tutor"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QVERIFY(finished.at(0).at(0).toBool());
        QVERIFY(page.editor()->toPlainText().contains("\"stats-tutor\""));
        QVERIFY(page.problem().isEmpty());
        QCOMPARE(DialogueStore(session.db()).tasks().size(), size_t(4)); // not saved yet
        QVERIFY(page.save());
        QVERIFY(DialogueStore(session.db()).task("stats-tutor"));

        // A malformed draft: the error names the field, the editor keeps what it had.
        const QString before = page.editor()->toPlainText();
        draft.erase("user_role");
        server.enqueue(hwtest::FakeReply::text(draft.dump()));
        page.startDraft(profile, QStringLiteral("Teach statistics."));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 30000);
        QVERIFY(!finished.at(1).at(0).toBool());
        QVERIFY2(finished.at(1).at(1).toString().contains("LLM draft: user_role: missing field 'user_role'"),
                 qPrintable(finished.at(1).at(1).toString()));
        QCOMPARE(page.editor()->toPlainText(), before);
    }
};

QTEST_MAIN(TestUiTasks)
#include "tst_ui_tasks.moc"
