// The first useful screens end to end, offscreen: create a project -> import a fixture through
// the import worker -> the browser shows rows -> select -> edit the reward -> it is in the project
// with source human -> undo restores the previous value and source -> redo. Also: import errors
// leave the project unchanged, cancel, filters, and the dataset page.
#include "core/store/database.h"
#include "core/store/dialogue_query.h"
#include "core/store/dialogue_store.h"
#include "support/test_paths.h"
#include "ui/charts/reward_histogram_chart.h"
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

#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QListView>
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
        QTRY_VERIFY(m_window->findChild<ImportDialog*>() == nullptr);
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
        QTRY_COMPARE(dialogues()->model()->rowCount(), 5);
        QTRY_VERIFY(dialogues()->currentDialogueId() > 0);
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
        QTRY_VERIFY(list->visualRect(turns->index(1)).height() > 20);
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
        QCOMPARE(dialogues()->model()->index(row, DialogueTableModel::RewardColumn).data().toString(), QStringLiteral("—"));
        QVERIFY(!m_window->isWindowModified());

        redo->trigger();
        r = rowInProject(QStringLiteral("ui-c2"));
        QCOMPARE(r->reward, std::optional<double>(3.0));
        QCOMPARE(r->rewardSource, std::string("human"));
        QVERIFY(m_window->isWindowModified());
    }

    void editLabeledRestoresSource()
    {
        const int row = rowOfUid(QStringLiteral("ui-p1"));
        dialogues()->table()->selectRow(row);
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
        // The label history keeps every step.
        auto db = hw::Database::open(m_project.toStdString(), hw::Database::Mode::ReadOnly);
        const auto labels = hw::DialogueStore(db).rewardLabels(r->id);
        QCOMPARE(labels.size(), size_t(5)); // dataset, 1.7, clear, undo clear, undo 1.7
        QCOMPARE(labels[1].source, std::string("human"));
        QVERIFY(labels[4].provenance.contains("undo_of"));
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
        QTRY_COMPARE(page->cards().size(), size_t(2));
        const QString counseling = page->cards()[0]->countsText();
        QVERIFY2(counseling.contains(QStringLiteral("Dialogues3")) || counseling.contains(QStringLiteral("Dialogues\t3"))
                     || counseling.contains(QStringLiteral("Dialogues 3")) || counseling.contains(QStringLiteral("Dialogues\n3")),
                 qPrintable(counseling));
        QCOMPARE(page->cards()[0]->chart()->binCount(), 9);   // counseling: -4..4
        QCOMPARE(page->cards()[0]->chart()->totalCount(), qint64(3)); // 2, -1 and the human 3
        QCOMPARE(page->cards()[1]->chart()->totalCount(), qint64(2));
        QVERIFY(m_window->showPage(QStringLiteral("Dialogues")));
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

    void cleanupTestCase() { m_window.reset(); }
};

QTEST_MAIN(TestWorkflow)
#include "tst_ui_workflow.moc"
