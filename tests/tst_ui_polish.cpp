// The rough edges a new user hits, fixed: the start-run dialog names a task and lists only its
// sets, remembering the last choices; job progress counts done items apart from failed ones; a
// job's configuration reads as settings, not JSON; regenerated turns are marked; the user guide
// opens at a page's section; every page says what to do first while the project has nothing for it.
#include "core/data/dialogue.h"
#include "core/llm/endpoint_profile.h"
#include "core/store/job_store.h"
#include "core/store/dialogue_query.h"
#include "core/store/dialogue_store.h"
#include "ui/charts/reward_histogram_chart.h"
#include "ui/dialogs/user_guide_dialog.h"
#include "ui/models/dialogue_table_model.h"
#include "ui/models/job_table_model.h"
#include "ui/models/suggestion_dialogue_model.h"
#include "ui/models/turn_list_model.h"
#include "ui/pages/dialogues/dialogue_filter_bar.h"
#include "ui/pages/chat/chat_page.h"
#include "ui/pages/dataset/dataset_page.h"
#include "ui/pages/dialogues/dialogues_page.h"
#include "ui/pages/jobs/jobs_page.h"
#include "ui/pages/regenerations/regenerations_page.h"
#include "ui/pages/runs/runs_page.h"
#include "ui/pages/runs/start_run_dialog.h"
#include "ui/pages/suggestions/suggestions_page.h"
#include "ui/project_session.h"
#include "ui/settings/settings.h"
#include "ui/widgets/dialogue_view.h"
#include "ui/widgets/empty_state.h"
#include "ui/widgets/json_tree_widget.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QListWidget>
#include <QPushButton>
#include <QScrollBar>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QtTest>

#include "support/curation_fixture.h"
#include "support/pipeline_fixture.h"

using namespace hw::ui;

class TestUiPolish : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        Settings::instance().setFile(m_dir.filePath(QStringLiteral("settings.ini")));
        // No endpoint profiles of the user's own: the Chat page's empty state depends on them.
        qputenv("HW_CONFIG_DIR", m_dir.filePath(QStringLiteral("config")).toUtf8());
    }

    // Two tasks: the dialog names one (the run cannot guess), lists only that task's sets, and
    // remembers the task, the agent and the Tiny choice for next time.
    void startDialogChoosesTaskAndSets()
    {
        const QList<StartRunDialog::SetChoice> sets{{QStringLiteral("c-top"), QStringLiteral("counseling")},
                                                    {QStringLiteral("p-agg"), QStringLiteral("persuasion")},
                                                    {QStringLiteral("old"), QString()}};
        const QStringList tasks{QStringLiteral("counseling"), QStringLiteral("persuasion")};
        {
            StartRunDialog dialog(QStringLiteral("/nowhere/p.hwb"), tasks, sets);
            auto* task = dialog.findChild<QComboBox*>(QStringLiteral("task"));
            auto* set = dialog.findChild<QComboBox*>(QStringLiteral("trainingSet"));
            auto* tiny = dialog.findChild<QCheckBox*>(QStringLiteral("tiny"));
            QVERIFY(task && set && tiny);
            QCOMPARE(task->count(), 2);
            QVERIFY(!dialog.request().task.empty());
            task->setCurrentIndex(task->findData(QStringLiteral("persuasion")));
            QCOMPARE(dialog.request().task, std::string("persuasion"));
            QVERIFY(set->findData(QStringLiteral("p-agg")) >= 0);
            QVERIFY(set->findData(QStringLiteral("c-top")) < 0);
            QVERIFY(set->findData(QStringLiteral("old")) >= 0); // no task recorded: offered
            tiny->setChecked(true);
            dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
            QCOMPARE(dialog.result(), int(QDialog::Accepted));
        }
        StartRunDialog again(QStringLiteral("/nowhere/p.hwb"), tasks, sets);
        QCOMPARE(again.request().task, std::string("persuasion"));
        QVERIFY(again.request().tiny);
        auto* set = again.findChild<QComboBox*>(QStringLiteral("trainingSet"));
        QVERIFY(set->findData(QStringLiteral("c-top")) < 0);

        StartRunDialog none(QStringLiteral("/nowhere/p.hwb"), {}, {});
        QVERIFY(!none.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled());
    }

    void jobProgressCountsDoneItems()
    {
        hw::JobRecord j;
        j.total = 3;
        j.done = 0;
        j.failed = 2;
        j.status = "failed";
        QCOMPARE(JobTableModel::progressText(j), QStringLiteral("0% · 2 failed"));
        j.done = 3;
        j.failed = 0;
        QCOMPARE(JobTableModel::progressText(j), QStringLiteral("100%"));
    }

    void configurationIsReadable()
    {
        QCOMPARE(JsonTreeWidget::settingName(QStringLiteral("max_attempts")), QStringLiteral("Max attempts"));
        QCOMPARE(JsonTreeWidget::settingName(QStringLiteral("hardShare")), QStringLiteral("Hard share"));
        JsonTreeWidget tree;
        tree.setJson({{"task", "counseling"}, {"k", 5.0}, {"includeImagined", false},
                      {"stage", {{"endpoint", "local"}, {"models", {"a", "b"}}}}});
        QCOMPARE(tree.topLevelItemCount(), 4);
        QTreeWidgetItem* stage = nullptr;
        for (int i = 0; i < tree.topLevelItemCount(); ++i) {
            QTreeWidgetItem* item = tree.topLevelItem(i);
            if (item->text(0) == QStringLiteral("Include imagined"))
                QCOMPARE(item->text(1), QStringLiteral("no"));
            if (item->text(0) == QStringLiteral("K"))
                QCOMPARE(item->text(1), QStringLiteral("5"));
            if (item->text(0) == QStringLiteral("Stage"))
                stage = item;
        }
        QVERIFY(stage);
        QCOMPARE(stage->childCount(), 2);
        QCOMPARE(stage->child(1)->text(1), QStringLiteral("a, b"));
    }

    void regeneratedTurnsAreMarked()
    {
        TurnListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        std::vector<hw::Turn> turns(5);
        for (size_t i = 0; i < turns.size(); ++i) {
            turns[i].role = i % 2 ? hw::Role::User : hw::Role::Agent;
            turns[i].text = "turn " + std::to_string(i);
        }
        model.setTurns(turns, QStringLiteral("supporter"), QStringLiteral("seeker"), 2);
        QCOMPARE(model.rowCount(), 5);
        for (int i = 0; i < 2; ++i)
            QVERIFY(model.index(i).data(TurnListModel::TagsRole).toStringList().isEmpty());
        QCOMPARE(model.index(2).data(TurnListModel::TagsRole).toStringList().value(0), QStringLiteral("hindsight replacement"));
        QCOMPARE(model.index(3).data(TurnListModel::TagsRole).toStringList().value(0), QStringLiteral("regenerated"));
        QCOMPARE(model.index(4).data(TurnListModel::TagsRole).toStringList().value(0), QStringLiteral("regenerated"));
        model.setTurns(turns); // an original: nothing marked
        for (int i = 0; i < 5; ++i)
            QVERIFY(model.index(i).data(TurnListModel::TagsRole).toStringList().isEmpty());
    }

    // A new project: every page shows what to do first (import, then relabel, ...) instead of
    // empty tables, and hides it as soon as the project has data for the page.
    void emptyStatesSayWhatToDoFirst()
    {
        ProjectSession session;
        QVERIFY2(session.create(m_dir.filePath(QStringLiteral("empty.hwb"))), qPrintable(session.errorString()));
        DialoguesPage dialogues(&session);
        SuggestionsPage suggestions(&session);
        RegenerationsPage regenerations(&session);
        DatasetPage dataset(&session);
        JobsPage jobs(&session);
        ChatPage chat(&session);
        RunsPage runs(&session);
        dataset.refresh(); // lazy: it reads the project when shown
        regenerations.activated();

        auto shown = [](Page* page, EmptyState* empty) { return empty->isVisibleTo(page); };
        QVERIFY(shown(&dialogues, dialogues.emptyState()));
        QVERIFY(!dialogues.table()->isVisibleTo(&dialogues));
        QCOMPARE(dialogues.emptyState()->title(), QStringLiteral("No dialogues yet"));
        QVERIFY(dialogues.emptyState()->text().contains(QStringLiteral("Import Dialogues")));
        QVERIFY(dialogues.emptyState()->text().contains(QStringLiteral("hindsight import")));
        QVERIFY(dialogues.emptyState()->actionButton()->isVisibleTo(&dialogues));
        QSignalSpy import(&dialogues, &Page::importRequested);
        dialogues.emptyState()->actionButton()->click();
        QCOMPARE(import.size(), 1);

        QVERIFY(shown(&dataset, dataset.emptyState()));
        QVERIFY(dataset.emptyState()->text().contains(QStringLiteral("Import")));
        QVERIFY(shown(&suggestions, suggestions.emptyState()));
        QVERIFY(suggestions.emptyState()->text().contains(QStringLiteral("Import dialogues first")));
        QVERIFY(shown(&regenerations, regenerations.emptyState()));
        QVERIFY(regenerations.emptyState()->text().contains(QStringLiteral("Import dialogues first")));
        QVERIFY(shown(&jobs, jobs.emptyState()));
        QVERIFY(!jobs.table()->isVisibleTo(&jobs));
        QVERIFY(shown(&chat, chat.emptyState()));
        QVERIFY(!chat.tabs()->isVisibleTo(&chat));
        QVERIFY(chat.emptyState()->text().contains(QStringLiteral("hindsight train")));
        QTRY_VERIFY_WITH_TIMEOUT(shown(&runs, runs.emptyState()), 60000); // after the poller's first answer
        QVERIFY(!runs.table()->isVisibleTo(&runs));
        QSignalSpy toRuns(&chat, &Page::showPageRequested);
        chat.emptyState()->actionButton()->click();
        QCOMPARE(toRuns.size(), 1);
        QCOMPARE(toRuns.at(0).at(0).toString(), QStringLiteral("Runs"));

        // Dialogues imported: their pages show them; the next step is a relabel job.
        {
            hw::DialogueStore store(session.db());
            store.ensureTask(hw::Task::persuasion());
            for (int i = 0; i < 3; ++i)
                QVERIFY(store.insert(hwtest::makeDialogue("persuasion", i, 4)).inserted);
        }
        session.notifyDialoguesChanged();
        QTRY_VERIFY_WITH_TIMEOUT(!shown(&dialogues, dialogues.emptyState()), 60000);
        QVERIFY(dialogues.table()->isVisibleTo(&dialogues));
        QTRY_COMPARE_WITH_TIMEOUT(dialogues.model()->rowCount(), 3, 60000);
        dataset.refresh();
        QVERIFY(!shown(&dataset, dataset.emptyState()));
        QVERIFY(!dataset.cards().empty());
        QVERIFY(shown(&suggestions, suggestions.emptyState()));
        QVERIFY(suggestions.emptyState()->text().contains(QStringLiteral("hindsight relabel")));
        QSignalSpy toJobs(&suggestions, &Page::showPageRequested);
        suggestions.emptyState()->actionButton()->click();
        QCOMPARE(toJobs.size(), 1);
        QCOMPARE(toJobs.at(0).at(0).toString(), QStringLiteral("Jobs"));
        regenerations.activated();
        QVERIFY(shown(&regenerations, regenerations.emptyState()));
        QVERIFY(regenerations.emptyState()->text().contains(QStringLiteral("relabel")));
        jobs.refresh();
        QVERIFY(shown(&jobs, jobs.emptyState()));
        QCOMPARE(jobs.emptyState()->actionButton()->text(), QStringLiteral("Start job…"));

        // Suggestions, regenerations and jobs: every page has something to show.
        hwtest::fillCurationDemo(session.db());
        session.notifySuggestionsChanged();
        session.notifyDialoguesChanged();
        QTRY_VERIFY_WITH_TIMEOUT(!shown(&suggestions, suggestions.emptyState()), 60000);
        QVERIFY(suggestions.dialogueTable()->isVisibleTo(&suggestions));
        QVERIFY(suggestions.model()->rowCount() > 0);
        regenerations.activated();
        QVERIFY(!shown(&regenerations, regenerations.emptyState()));
        QVERIFY(regenerations.originalBox()->count() > 0);
        jobs.refresh();
        QVERIFY(!shown(&jobs, jobs.emptyState()));
        QVERIFY(jobs.table()->isVisibleTo(&jobs));

        // Chat: an endpoint profile is something to chat with.
        hw::EndpointProfiles profiles = hw::EndpointProfiles::load();
        hw::EndpointProfile local;
        local.name = "local";
        local.baseUrl = "http://127.0.0.1:9/v1";
        local.model = "tiny";
        profiles.upsert(local);
        profiles.save();
        chat.activated();
        QVERIFY(!shown(&chat, chat.emptyState()));
        QVERIFY(chat.tabs()->isVisibleTo(&chat));
    }

    // The detail pane never keeps showing a dialogue the filter removed.
    void dialoguePaneFollowsTheFilter()
    {
        ProjectSession session;
        QVERIFY2(session.create(m_dir.filePath(QStringLiteral("filter.hwb"))), qPrintable(session.errorString()));
        {
            hw::DialogueStore store(session.db());
            store.ensureTask(hw::Task::counseling());
            store.ensureTask(hw::Task::persuasion());
            for (int i = 0; i < 4; ++i) {
                hw::Dialogue d;
                d.uid = "d" + std::to_string(i);
                d.task = i < 2 ? hw::Task::counseling().name : hw::Task::persuasion().name;
                d.source = "demo";
                d.turns = {hw::Turn{0, hw::Role::Agent, "hello", {}}, hw::Turn{1, hw::Role::User, "hi", {}}};
                QVERIFY(store.insert(d).inserted);
            }
        }
        DialoguesPage page(&session);
        QTRY_VERIFY_WITH_TIMEOUT(page.currentDialogueId() > 0, 60000);
        const qint64 first = page.currentDialogueId();
        QVERIFY(first <= 2); // a counseling dialogue (id order)
        QComboBox* task = page.filterBar()->taskCombo();
        task->setCurrentIndex(task->findData(QString::fromStdString(hw::Task::persuasion().name)));
        QTRY_VERIFY_WITH_TIMEOUT(page.currentDialogueId() >= 3, 60000);
        QCOMPARE(page.view()->dialogueId(), page.currentDialogueId());
    }

    // An imagined dialogue shows where it came from above its turns (persona and its hidden
    // state, target outcome, the critique's verdict and problems, reward); a dataset dialogue
    // shows no such line.
    void imaginedDialogueShowsItsLineage()
    {
        ProjectSession session;
        QVERIFY(session.create(m_dir.filePath(QStringLiteral("lineage.hwb"))));
        qint64 imaginedId = 0, plainId = 0;
        {
            hw::DialogueStore store(session.db());
            store.ensureTask(hw::Task::persuasion());
            hw::Dialogue d;
            d.task = hw::Task::persuasion().name;
            d.turns = {{0, hw::Role::Agent, "Would you give to Save the Children?"}, {1, hw::Role::User, "Maybe a little."}};
            d.uid = "plain-1";
            d.source = "demo";
            plainId = store.insert(d).id;
            d.uid = "imagined-skeptic-0-0";
            d.source = hw::source::kImagined;
            d.metadata = {{"imagined",
                           {{"persona", "skeptic"},
                            {"persona_description", "Doubts that charities use money well"},
                            {"persona_hidden", {{"willingness", "low"}}},
                            {"index", 0},
                            {"target_outcome", 0.25},
                            {"target_anchor", "gives a token amount"},
                            {"critique", {{"verdict", "reject"}, {"problems", {"the persuader knew the hidden budget"}}}}}}};
            imaginedId = store.insert(d).id;
        }
        DialoguesPage page(&session);
        page.showDialogue(imaginedId);
        QTRY_COMPARE_WITH_TIMEOUT(page.view()->dialogueId(), imaginedId, 60000);
        const QString text = page.view()->lineageText();
        for (const char* part : {"skeptic", "willingness: low", "0.25", "gives a token amount", "reject",
                                 "the persuader knew the hidden budget", "no later stage uses it"})
            QVERIFY2(text.contains(QString::fromUtf8(part)), qPrintable(QStringLiteral("%1 missing in %2").arg(part, text)));
        page.showDialogue(plainId);
        QTRY_COMPARE_WITH_TIMEOUT(page.view()->dialogueId(), plainId, 60000);
        QVERIFY(page.view()->lineageText().isEmpty());
    }

    // The Dataset page compares originals with regenerations bin by bin, over the data's range,
    // and labels negative bins with a real minus sign.
    void histogramSplitsRegenerations()
    {
        ProjectSession session;
        QVERIFY(session.create(m_dir.filePath(QStringLiteral("hist.hwb"))));
        hw::DialogueStore store(session.db());
        store.ensureTask(hw::Task::counseling());
        std::optional<int64_t> parent;
        const double rewards[] = {-1.0, 2.0, 2.0, -0.5, 1.5};
        for (int i = 0; i < 5; ++i) {
            hw::Dialogue d;
            d.uid = "h" + std::to_string(i);
            d.task = hw::Task::counseling().name;
            d.source = i < 2 ? "demo" : hw::source::kRegeneration;
            d.parentId = i < 2 ? std::nullopt : parent;
            d.turns = {hw::Turn{0, hw::Role::Agent, "hello", {}}};
            d.reward = rewards[i];
            d.rewardSource = i < 2 ? "dataset" : "model";
            const auto ins = store.insert(d);
            QVERIFY(ins.inserted);
            if (i == 0)
                parent = ins.id;
        }
        const auto bins = hw::rewardHistogram(session.db(), hw::Task::counseling().name, -1.0, 2.0, 3);
        QCOMPARE(bins.size(), size_t(3)); // -1..0, 0..1, 1..2: the data's range, not -4..4
        QCOMPARE(bins[0].count, int64_t(2));
        QCOMPARE(bins[0].regenerations, int64_t(1)); // -0.5
        QCOMPARE(bins[2].count, int64_t(3));
        QCOMPARE(bins[2].regenerations, int64_t(2)); // 2.0 and 1.5; the other 2.0 is an original
        RewardHistogramChart chart;
        chart.setHistogram(bins, QStringLiteral("drop"), Qt::blue);
        QCOMPARE(chart.totalCount(), qint64(5));
        QCOMPARE(chart.regenerationCount(), qint64(3));
        QCOMPARE(RewardHistogramChart::binLabel(bins[0], false), QStringLiteral("\u22121 to 0"));
    }

    void userGuideOpensAtASection()
    {
        UserGuideDialog guide;
        const QString text = guide.browser()->toPlainText();
        for (const char* heading : {"The method", "Dialogues", "Dataset", "Suggestions", "Regenerations", "Jobs", "Runs",
                                    "Chat", "The command line"})
            QVERIFY2(text.contains(QString::fromLatin1(heading)), heading);
        QVERIFY(text.contains(QStringLiteral("hindsight train")));
        guide.resize(700, 300);
        guide.show();
        QVERIFY(QTest::qWaitForWindowExposed(&guide));
        guide.showSection(QStringLiteral("Runs"));
        auto* contents = guide.findChild<QListWidget*>();
        QCOMPARE(contents->currentItem()->text(), QStringLiteral("Runs"));
        QTRY_VERIFY_WITH_TIMEOUT(guide.browser()->verticalScrollBar()->value() > 0, 60000); // scrolled down to it
    }
};

QTEST_MAIN(TestUiPolish)
#include "tst_ui_polish.moc"
