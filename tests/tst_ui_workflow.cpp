// The first useful screens end to end, offscreen: create a project -> import a fixture through
// the import worker -> the browser shows rows -> select -> edit the reward -> it is in the project
// with source human -> undo restores the previous label exactly -> redo -> export (task filter,
// plain messages, cancel, failure). Also: New Project registers the same tasks as `hindsight
// init`, import errors leave the project unchanged, cancel, filters, and the dataset page.
#include "core/store/database.h"
#include "core/store/dialogue_query.h"
#include "core/store/dialogue_store.h"
#include "support/test_paths.h"
#include "ui/charts/reward_histogram_chart.h"
#include "ui/dialogs/export_dialog.h"
#include "ui/dialogs/import_dialog.h"
#include "ui/main_window.h"
#include "ui/models/dialogue_table_model.h"
#include "ui/models/turn_list_model.h"
#include "ui/pages/dataset/dataset_page.h"
#include "ui/pages/dataset/task_summary_card.h"
#include "ui/pages/dialogues/dialogue_filter_bar.h"
#include "ui/pages/dialogues/dialogues_page.h"
#include "ui/pages/dialogues/reward_edit_bar.h"
#include "ui/project_session.h"
#include "ui/settings/recent_projects.h"
#include "ui/settings/settings.h"
#include "ui/widgets/dialogue_view.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListView>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QUndoStack>
#include <QtTest>

using namespace hw::ui;

class TestWorkflow : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<MainWindow> m_window;
    QString m_project;
    std::unique_ptr<QAbstractItemModelTester> m_turnsTester;

    ProjectSession* session() const { return m_window->session(); }
    DialoguesPage* dialogues() const { return qobject_cast<DialoguesPage*>(m_window->page(QStringLiteral("Dialogues"))); }

    int rowOfUid(const QString& uid) const
    {
        DialogueTableModel* model = dialogues()->model();
        for (int r = 0; r < model->rowCount(); ++r)
            if (model->index(r, 0).data(DialogueTableModel::UidRole).toString() == uid)
                return r;
        return -1;
    }

    std::optional<hw::DialogueRow> rowInProject(const QString& uid)
    {
        // A second connection, as another process would see the file.
        auto db = hw::Database::open(m_project.toStdString(), hw::Database::Mode::ReadOnly);
        hw::DialogueFilter f;
        f.search = uid.toStdString();
        const auto id = hw::DialogueStore(db).findByUid(uid.startsWith("ui-p") ? "persuasion" : "counseling", uid.toStdString());
        if (!id)
            return std::nullopt;
        return hw::DialogueQuery(db).row(*id);
    }

    ImportDialog* runImport(hw::ImportFormat format, const QStringList& paths)
    {
        m_window->showImportDialog();
        auto* dialog = m_window->findChild<ImportDialog*>();
        if (!dialog)
            return nullptr;
        dialog->setFormat(format);
        dialog->setPaths(paths);
        return dialog;
    }

    void closeDialog(ImportDialog* dialog)
    {
        dialog->reject(); // WA_DeleteOnClose
        QTRY_VERIFY_WITH_TIMEOUT(m_window->findChild<ImportDialog*>() == nullptr, 60000);
    }

    ExportDialog* openExport()
    {
        auto* action = m_window->findChild<QAction*>(QStringLiteral("exportAction"));
        if (!action || !action->isEnabled())
            return nullptr;
        action->trigger();
        return m_window->findChild<ExportDialog*>();
    }

    void closeDialog(ExportDialog* dialog)
    {
        dialog->reject(); // WA_DeleteOnClose
        QTRY_VERIFY_WITH_TIMEOUT(m_window->findChild<ExportDialog*>() == nullptr, 60000);
    }

    // The lines of an exported file, each parsed.
    static QList<QJsonObject> jsonLines(const QString& path)
    {
        QList<QJsonObject> out;
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return out;
        const QList<QByteArray> lines = f.readAll().split('\n');
        for (const QByteArray& line : lines)
            if (!line.isEmpty())
                out << QJsonDocument::fromJson(line).object();
        return out;
    }

    static QStringList partFiles(const QString& dir)
    {
        return QDir(dir).entryList({QStringLiteral("*.part")}, QDir::Files); // a fresh listing
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        Settings::instance().setFile(m_dir.filePath(QStringLiteral("settings.ini")));
        m_window = std::make_unique<MainWindow>();
        m_window->setInteractive(false);
        m_window->resize(1300, 800);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QVERIFY(dialogues());
        QVERIFY(m_window->page(QStringLiteral("Dataset")));
        // The dialogue view's model is checked through every change the workflow makes to it
        // (each selection, reward edit, undo, close and reopen); the tester fails the test.
        m_turnsTester = std::make_unique<QAbstractItemModelTester>(
            dialogues()->view()->turnsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    }

    void createProject()
    {
        m_project = m_dir.filePath(QStringLiteral("workflow.hwb"));
        QSignalSpy opened(session(), &ProjectSession::opened);
        QVERIFY(m_window->newProject(m_project));
        QCOMPARE(opened.count(), 1);
        QVERIFY(session()->isOpen());
        QVERIFY(m_window->windowTitle().startsWith(QStringLiteral("workflow")));
        QVERIFY(!m_window->isWindowModified());
        QCOMPARE(recentProjects().value(0), QFileInfo(m_project).absoluteFilePath());
        QVERIFY(!m_window->newProject(m_project)); // exists: refused, nothing overwritten
        QCOMPARE(dialogues()->model()->rowCount(), 0);

        // The same built-in tasks, field by field, as a project made by `hindsight init`.
        const QString cliProject = m_dir.filePath(QStringLiteral("cli-init.hwb"));
        QProcess init;
        init.start(QString::fromStdString(hwtest::cliPath()), {QStringLiteral("init"), cliProject});
        QVERIFY(init.waitForFinished(60000));
        QVERIFY2(init.exitCode() == 0, init.readAllStandardError().constData());
        auto cliDb = hw::Database::open(cliProject.toStdString(), hw::Database::Mode::ReadOnly);
        const std::vector<hw::Task> expected = hw::DialogueStore(cliDb).tasks();
        const std::vector<hw::Task> made = hw::DialogueStore(session()->db()).tasks();
        QCOMPARE(expected.size(), size_t(2));
        QCOMPARE(made.size(), expected.size());
        for (size_t i = 0; i < made.size(); ++i) {
            QCOMPARE(made[i].name, expected[i].name);
            QVERIFY(made[i].kind == expected[i].kind);
            QCOMPARE(made[i].agentRole, expected[i].agentRole);
            QCOMPARE(made[i].userRole, expected[i].userRole);
            QCOMPARE(made[i].rewardName, expected[i].rewardName);
            QCOMPARE(made[i].rewardMin, expected[i].rewardMin);
            QCOMPARE(made[i].rewardMax, expected[i].rewardMax);
            QCOMPARE(made[i].description, expected[i].description);
        }
        QCOMPARE(made[0].name, std::string("counseling"));
        QCOMPARE(made[1].name, std::string("persuasion"));
    }

    void importThroughWorker()
    {
        ImportDialog* dialog = runImport(hw::ImportFormat::Jsonl,
                                         {QString::fromStdString(hwtest::fixture("ui/workflow.jsonl"))});
        QVERIFY(dialog);
        QSignalSpy finished(dialog, &ImportDialog::importFinished);
        QSignalSpy changed(session(), &ProjectSession::dialoguesChanged);
        dialog->startImport();
        QVERIFY(dialog->isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QVERIFY(!dialog->isRunning());
        const auto result = finished.at(0).at(0).value<hw::ImportResult>();
        QCOMPARE(result.inserted, int64_t(5));
        QCOMPARE(result.unlabeled, int64_t(1));
        QCOMPARE(changed.count(), 1);
        QVERIFY2(dialog->summaryText().contains(QStringLiteral("Imported 5 new dialogues")), qPrintable(dialog->summaryText()));
        closeDialog(dialog);

        // The browser shows the rows and the first one is selected and shown as bubbles.
        QTRY_COMPARE_WITH_TIMEOUT(dialogues()->model()->rowCount(), 5, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(dialogues()->currentDialogueId() > 0, 60000);
        QVERIFY(dialogues()->table()->selectionModel()->currentIndex().isValid());
    }

    void reimportAddsNothing()
    {
        ImportDialog* dialog = runImport(hw::ImportFormat::Jsonl,
                                         {QString::fromStdString(hwtest::fixture("ui/workflow.jsonl"))});
        QSignalSpy finished(dialog, &ImportDialog::importFinished);
        QSignalSpy changed(session(), &ProjectSession::dialoguesChanged);
        dialog->startImport();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QCOMPARE(finished.at(0).at(0).value<hw::ImportResult>().duplicates, int64_t(5));
        QCOMPARE(changed.count(), 0);
        closeDialog(dialog);
        QCOMPARE(dialogues()->model()->rowCount(), 5);
    }

    void brokenImportShowsFileAndLine()
    {
        const QString broken = QString::fromStdString(hwtest::fixture("ui/broken.jsonl"));
        ImportDialog* dialog = runImport(hw::ImportFormat::Jsonl, {broken});
        QSignalSpy failed(dialog, &ImportDialog::importFailed);
        dialog->startImport();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 20000);
        const QString message = failed.at(0).at(0).toString();
        QVERIFY2(message.contains(QStringLiteral("broken.jsonl:3")), qPrintable(message));
        QCOMPARE(dialog->errorText(), message);
        closeDialog(dialog);
        QCOMPARE(hw::DialogueStore(session()->db()).count(), int64_t(5)); // unchanged
    }

    void cancelLeavesProjectUnchanged()
    {
        ImportDialog* dialog = runImport(hw::ImportFormat::Esconv,
                                         {QString::fromStdString(hwtest::fixture("ui/workflow.jsonl"))});
        QSignalSpy cancelled(dialog, &ImportDialog::importCancelled);
        dialog->startImport();
        dialog->cancelImport(); // before the worker even starts: it must stop at its first check
        QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, 20000);
        closeDialog(dialog);
        QCOMPARE(hw::DialogueStore(session()->db()).count(), int64_t(5));
    }

    void selectShowsBubbles()
    {
        const int row = rowOfUid(QStringLiteral("ui-c1"));
        QVERIFY(row >= 0);
        dialogues()->table()->selectRow(row);
        DialogueView* view = dialogues()->view();
        QCOMPARE(view->dialogueId(), dialogues()->model()->dialogueId(row));
        TurnListModel* turns = view->turnsModel();
        QCOMPARE(turns->rowCount(), 4);
        QCOMPARE(turns->index(0).data(TurnListModel::IsAgentRole).toBool(), false);
        QCOMPARE(turns->index(1).data(TurnListModel::IsAgentRole).toBool(), true);
        QCOMPARE(turns->index(1).data(TurnListModel::SpeakerRole).toString(), QStringLiteral("Supporter"));
        QCOMPARE(turns->index(1).data(TurnListModel::TagsRole).toStringList(), QStringList{QStringLiteral("Question")});
        QVERIFY(turns->index(2).data().toString().contains(QStringLiteral("Everyone else passed")));
        QVERIFY(view->findChild<QLabel*>(QStringLiteral("rewardLabel"))->text().contains(QStringLiteral("dataset")));
        // Bubbles are laid out: agent on the left half, user on the right.
        QListView* list = view->turnsView();
        QTRY_VERIFY_WITH_TIMEOUT(list->visualRect(turns->index(1)).height() > 20, 60000);
    }

    void editRewardUndoRedo()
    {
        // An unlabeled dialogue: set -> human; undo -> unlabeled again; redo -> human.
        const int row = rowOfUid(QStringLiteral("ui-c2"));
        QVERIFY(row >= 0);
        dialogues()->table()->selectRow(row);
        QVERIFY(!rowInProject(QStringLiteral("ui-c2"))->reward);
        RewardEditBar* bar = dialogues()->rewardBar();
        QVERIFY(bar->setButton()->isEnabled());
        QVERIFY(!bar->clearButton()->isEnabled());
        bar->spinBox()->setValue(3.0);
        QTest::mouseClick(bar->setButton(), Qt::LeftButton);

        auto r = rowInProject(QStringLiteral("ui-c2"));
        QCOMPARE(r->reward, std::optional<double>(3.0));
        QCOMPARE(r->rewardSource, std::string("human"));
        QCOMPARE(dialogues()->model()->index(row, DialogueTableModel::RewardColumn).data().toString(), QStringLiteral("3.00"));
        QCOMPARE(dialogues()->model()->index(row, DialogueTableModel::LabelColumn).data().toString(), QStringLiteral("human"));
        QVERIFY(dialogues()->view()->findChild<QLabel*>(QStringLiteral("rewardLabel"))->text().contains(QStringLiteral("human")));
        QVERIFY(m_window->isWindowModified());
        QCOMPARE(session()->undoStack()->count(), 1);

        auto* undo = m_window->findChild<QAction*>(QStringLiteral("undoAction"));
        auto* redo = m_window->findChild<QAction*>(QStringLiteral("redoAction"));
        QCOMPARE(undo->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_Z));
        QVERIFY(redo->shortcuts().contains(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)));
        QVERIFY(undo->isEnabled());
        undo->trigger();
        r = rowInProject(QStringLiteral("ui-c2"));
        QVERIFY(!r->reward);
        QCOMPARE(r->rewardSource, std::string());
        QVERIFY(hw::DialogueStore(session()->db()).rewardLabels(r->id).empty()); // as before the edit
        QCOMPARE(dialogues()->model()->index(row, DialogueTableModel::RewardColumn).data().toString(), QStringLiteral("—"));
        QVERIFY(!m_window->isWindowModified());

        redo->trigger();
        r = rowInProject(QStringLiteral("ui-c2"));
        QCOMPARE(r->reward, std::optional<double>(3.0));
        QCOMPARE(r->rewardSource, std::string("human"));
        QVERIFY(m_window->isWindowModified());
        const auto labels = hw::DialogueStore(session()->db()).rewardLabels(r->id);
        QCOMPARE(labels.size(), size_t(1));
        QCOMPARE(labels[0].source, std::string("human"));
        QCOMPARE(labels[0].value, std::optional<double>(3.0));
    }

    void editLabeledRestoresSource()
    {
        const int row = rowOfUid(QStringLiteral("ui-p1"));
        dialogues()->table()->selectRow(row);
        const qint64 id = dialogues()->model()->dialogueId(row);
        const auto original = hw::DialogueStore(session()->db()).rewardLabels(id);
        QCOMPARE(original.size(), size_t(1));
        QCOMPARE(original[0].source, std::string("dataset"));
        RewardEditBar* bar = dialogues()->rewardBar();
        QCOMPARE(bar->spinBox()->value(), 1.0);
        QCOMPARE(bar->spinBox()->maximum(), 2.0); // the task's range
        bar->spinBox()->setValue(1.7);
        QTest::mouseClick(bar->setButton(), Qt::LeftButton);
        QCOMPARE(rowInProject(QStringLiteral("ui-p1"))->reward, std::optional<double>(1.7));
        QTest::mouseClick(bar->clearButton(), Qt::LeftButton);
        QVERIFY(!rowInProject(QStringLiteral("ui-p1"))->reward);
        session()->undoStack()->undo(); // back to 1.7 human
        auto r = rowInProject(QStringLiteral("ui-p1"));
        QCOMPARE(r->reward, std::optional<double>(1.7));
        QCOMPARE(r->rewardSource, std::string("human"));
        session()->undoStack()->undo(); // back to 1.0 from the dataset
        r = rowInProject(QStringLiteral("ui-p1"));
        QCOMPARE(r->reward, std::optional<double>(1.0));
        QCOMPARE(r->rewardSource, std::string("dataset"));
        QCOMPARE(bar->spinBox()->value(), 1.0);
        // The dataset's label is current again exactly as it was: the same row, value, source
        // and provenance, and no label that claims the dataset gave a value a person restored.
        auto db = hw::Database::open(m_project.toStdString(), hw::Database::Mode::ReadOnly);
        auto labels = hw::DialogueStore(db).rewardLabels(r->id);
        QCOMPARE(labels.size(), size_t(1));
        QCOMPARE(labels[0].id, original[0].id);
        QCOMPARE(labels[0].value, original[0].value);
        QCOMPARE(labels[0].source, original[0].source);
        QCOMPARE(labels[0].provenance, original[0].provenance);
        QCOMPARE(labels[0].createdAt, original[0].createdAt);

        // Redo both: two human labels after the dataset's, the last one clearing the reward.
        session()->undoStack()->redo();
        session()->undoStack()->redo();
        labels = hw::DialogueStore(db).rewardLabels(r->id);
        QCOMPARE(labels.size(), size_t(3));
        QCOMPARE(labels[1].source, std::string("human"));
        QCOMPARE(labels[1].value, std::optional<double>(1.7));
        QCOMPARE(labels[2].source, std::string("human"));
        QVERIFY(!labels[2].value);
        QVERIFY(!rowInProject(QStringLiteral("ui-p1"))->reward);
        // ... and back to the dataset's value for the steps after this one.
        session()->undoStack()->undo();
        session()->undoStack()->undo();
        QCOMPARE(rowInProject(QStringLiteral("ui-p1"))->rewardSource, std::string("dataset"));
        QCOMPARE(hw::DialogueStore(db).rewardLabels(r->id).size(), size_t(1));
    }

    void filtersAndSearch()
    {
        DialogueFilterBar* bar = dialogues()->filterBar();
        bar->setSearchText(QStringLiteral("exams"));
        QCOMPARE(dialogues()->model()->rowCount(), 1);
        QCOMPARE(dialogues()->model()->index(0, 0).data(DialogueTableModel::UidRole).toString(), QStringLiteral("ui-c3"));
        bar->setSearchText(QStringLiteral("\"unbalanced (AND"));
        QCOMPARE(dialogues()->model()->rowCount(), 0);
        QVERIFY(dialogues()->model()->errorString().isEmpty());
        bar->setSearchText(QString());
        QCOMPARE(dialogues()->model()->rowCount(), 5);
        bar->taskCombo()->setCurrentIndex(bar->taskCombo()->findData(QStringLiteral("persuasion")));
        QCOMPARE(dialogues()->model()->rowCount(), 2);
        bar->labeledCombo()->setCurrentIndex(2); // unlabeled only
        QCOMPARE(dialogues()->model()->rowCount(), 0);
        bar->reset();
        QCOMPARE(dialogues()->model()->rowCount(), 5);
        // Sorting by a header is done in SQL.
        dialogues()->table()->sortByColumn(DialogueTableModel::RewardColumn, Qt::DescendingOrder);
        QCOMPARE(dialogues()->model()->index(0, 0).data(DialogueTableModel::UidRole).toString(), QStringLiteral("ui-c2")); // 3.0 human
    }

    void datasetPage()
    {
        QVERIFY(m_window->showPage(QStringLiteral("Dataset")));
        auto* page = qobject_cast<DatasetPage*>(m_window->page(QStringLiteral("Dataset")));
        QTRY_COMPARE_WITH_TIMEOUT(page->cards().size(), size_t(2), 60000);
        const QString counseling = page->cards()[0]->countsText();
        QVERIFY2(counseling.contains(QStringLiteral("Dialogues3")) || counseling.contains(QStringLiteral("Dialogues\t3"))
                     || counseling.contains(QStringLiteral("Dialogues 3")) || counseling.contains(QStringLiteral("Dialogues\n3")),
                 qPrintable(counseling));
        QCOMPARE(page->cards()[0]->chart()->binCount(), 5);   // counseling: the data's -1..3, not the task's -4..4
        QCOMPARE(page->cards()[0]->chart()->totalCount(), qint64(3)); // 2, -1 and the human 3
        QCOMPARE(page->cards()[1]->chart()->totalCount(), qint64(2));
        QVERIFY(m_window->showPage(QStringLiteral("Dialogues")));
    }

    void exportDialogues()
    {
        const QString dir = m_dir.path();
        // The browser filtered to one task: the export dialog starts from that task.
        DialogueFilterBar* filters = dialogues()->filterBar();
        filters->taskCombo()->setCurrentIndex(filters->taskCombo()->findData(QStringLiteral("counseling")));
        QCOMPARE(dialogues()->model()->rowCount(), 3);
        ExportDialog* dialog = openExport();
        QVERIFY(dialog);
        QCOMPARE(dialog->task(), QStringLiteral("counseling"));
        const QString counseling = m_dir.filePath(QStringLiteral("counseling.jsonl"));
        dialog->setOutputPath(counseling);
        QSignalSpy finished(dialog, &ExportDialog::exportFinished);
        dialog->startExport();
        QVERIFY(dialog->isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QVERIFY(!dialog->isRunning());
        QCOMPARE(finished.at(0).at(0).value<hw::ExportResult>().dialogues, int64_t(3));
        QVERIFY2(dialog->summaryText().contains(QStringLiteral("Wrote 3 dialogues")), qPrintable(dialog->summaryText()));
        closeDialog(dialog);
        filters->reset();

        // One line per counseling dialogue, each matching the project (turns, reward, source).
        QList<QJsonObject> lines = jsonLines(counseling);
        QCOMPARE(lines.size(), 3);
        QStringList ids;
        bool sawAnnotations = false;
        for (const QJsonObject& line : lines) {
            ids << line["id"].toString();
            QCOMPARE(line["task"].toString(), QStringLiteral("counseling"));
            const auto row = rowInProject(line["id"].toString());
            QVERIFY(row);
            QCOMPARE(static_cast<int>(line["messages"].toArray().size()), row->turns);
            QCOMPARE(line["reward"].isNull(), !row->reward);
            if (row->reward) {
                QCOMPARE(line["reward"].toDouble(), *row->reward);
                QCOMPARE(line["reward_source"].toString(), QString::fromStdString(row->rewardSource));
            }
            for (const auto m : line["messages"].toArray())
                sawAnnotations |= m.toObject().contains(QStringLiteral("annotations"));
        }
        ids.sort();
        QCOMPARE(ids, (QStringList{QStringLiteral("ui-c1"), QStringLiteral("ui-c2"), QStringLiteral("ui-c3")}));
        QCOMPARE(lines[1]["reward"].toDouble(), 3.0); // ui-c2, the human edit (redone) above
        QVERIFY(sawAnnotations); // the default keeps the strategies
        QCOMPARE(lines[0]["messages"].toArray()[1].toObject()["content"].toString(),
                 QString::fromStdString(hw::DialogueStore(session()->db()).get(rowInProject(QStringLiteral("ui-c1"))->id)->turns[1].text));

        // All tasks, plain OpenAI / TRL messages: role and content only.
        dialog = openExport();
        QVERIFY(dialog);
        dialog->setTask(QString());
        dialog->setPlainMessages(true);
        const QString all = m_dir.filePath(QStringLiteral("all-plain.jsonl"));
        dialog->setOutputPath(all);
        QSignalSpy finishedAll(dialog, &ExportDialog::exportFinished);
        dialog->startExport();
        QTRY_COMPARE_WITH_TIMEOUT(finishedAll.count(), 1, 20000);
        closeDialog(dialog);
        lines = jsonLines(all);
        QCOMPARE(lines.size(), 5);
        int messages = 0;
        for (const QJsonObject& line : lines) {
            for (const auto m : line["messages"].toArray()) {
                QCOMPARE(m.toObject().keys(), (QStringList{QStringLiteral("content"), QStringLiteral("role")}));
                ++messages;
            }
        }
        QCOMPARE(messages, static_cast<int>(*session()->db().queryInt64("SELECT count(*) FROM turns")));

        // Cancelled: an existing file at the path is left as it was and no partial file remains.
        const QString keep = m_dir.filePath(QStringLiteral("keep.jsonl"));
        {
            QFile f(keep);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("old\n");
        }
        dialog = openExport();
        dialog->setOutputPath(keep);
        QSignalSpy cancelled(dialog, &ExportDialog::exportCancelled);
        dialog->startExport();
        dialog->cancelExport(); // before the worker even starts: it must stop at its first check
        QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, 20000);
        closeDialog(dialog);
        {
            QFile f(keep);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QCOMPARE(f.readAll(), QByteArray("old\n"));
        }
        QCOMPARE(partFiles(dir), QStringList());

        // Failed (no such folder): the error is shown and nothing is written.
        dialog = openExport();
        const QString bad = m_dir.filePath(QStringLiteral("missing/out.jsonl"));
        dialog->setOutputPath(bad);
        QSignalSpy failed(dialog, &ExportDialog::exportFailed);
        dialog->startExport();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 20000);
        QVERIFY2(dialog->errorText().contains(bad), qPrintable(dialog->errorText()));
        closeDialog(dialog);
        QVERIFY(!QFileInfo::exists(bad));
        QCOMPARE(partFiles(dir), QStringList());
    }

    void closeAndReopen()
    {
        m_window->closeProject();
        QVERIFY(!session()->isOpen());
        QCOMPARE(dialogues()->model()->rowCount(), 0);
        QCOMPARE(session()->undoStack()->count(), 0);
        QVERIFY(m_window->openProject(m_project));
        QCOMPARE(dialogues()->model()->rowCount(), 5);
        QVERIFY(!m_window->openProject(m_dir.filePath(QStringLiteral("missing.hwb"))));
        QVERIFY(session()->isOpen()); // a failed open keeps the current project
    }

    void cleanupTestCase()
    {
        m_turnsTester.reset();
        m_window.reset();
    }
};

QTEST_MAIN(TestWorkflow)
#include "tst_ui_workflow.moc"
