// The chat page's Human study tab, offscreen, with two real tiny checkpoint agents (trained here):
// a study made with the form, a participant added (bad ids refused), trials run one anonymised
// agent at a time (labels only: no name, kind, β or shading anywhere in the trial view), the turn
// cap enforced with a message, an abandoned trial offered again later, ratings saved with the
// progress "Trial k of n for participant P01", the results table with names revealed; a counseling
// trial asks the initial intensity first, and a trial left running is resumed after reopening.
#include "core/store/chat_store.h"
#include "core/store/database.h"
#include "core/store/study_store.h"
#include "support/tiny_chat_checkpoint.h"
#include "ui/models/chat_message_model.h"
#include "ui/models/study_results_model.h"
#include "ui/pages/chat/agent_setup_row.h"
#include "ui/pages/chat/chat_page.h"
#include "ui/pages/chat/rating_panel.h"
#include "ui/pages/chat/study_setup_view.h"
#include "ui/pages/chat/study_trial_view.h"
#include "ui/pages/chat/study_view.h"
#include "ui/project_session.h"
#include "ui/settings/settings.h"
#include "ui/widgets/chat_column.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTabWidget>
#include <QtTest>

using namespace hw::ui;

namespace {

hw::ChatAgentSpec localSpec(const std::string& dir, const char* kind, const std::string& name)
{
    hw::ChatAgentSpec s;
    s.kind = kind;
    s.checkpoint = dir;
    s.name = name;
    s.temperature = 0.0;
    s.maxNewTokens = 12;
    s.device = "cpu";
    return s;
}

// Every text the trial view shows, so a test can check that no agent name leaks into it.
QString visibleText(QWidget* root)
{
    QStringList parts;
    for (auto* l : root->findChildren<QLabel*>())
        if (l->isVisibleTo(root))
            parts << l->text() << l->toolTip();
    for (auto* b : root->findChildren<QAbstractButton*>())
        if (b->isVisibleTo(root))
            parts << b->text() << b->toolTip();
    for (auto* g : root->findChildren<QGroupBox*>())
        if (g->isVisibleTo(root))
            parts << g->title();
    for (auto* w : root->findChildren<QWidget*>())
        if (w->isVisibleTo(root))
            parts << w->toolTip();
    return parts.join(QLatin1Char('\n'));
}

bool sendAndWait(StudyTrialView* trial, const QString& text)
{
    QSignalSpy done(trial, &StudyTrialView::replyFinished);
    if (!trial->sendMessage(text))
        return false;
    if (done.count() == 0 && !done.wait(60000))
        return false;
    // A reply, not a failure (a failure also ends the turn, with "could not reply").
    return !trial->statusText().contains(QStringLiteral("could not"))
        && !trial->column()->status().contains(QStringLiteral("could not"));
}

// Waits for the reply in progress, if any (the agent's opening message in persuasion).
bool waitIdle(StudyTrialView* trial)
{
    if (!trial->isGenerating())
        return true;
    QSignalSpy done(trial, &StudyTrialView::replyFinished);
    return done.wait(60000) || !trial->isGenerating();
}

} // namespace

class TestUiHumanStudy : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_project;
    hwtest::TinyRun m_run;

private Q_SLOTS:
    void initTestCase()
    {
        Settings::instance().setFile(m_dir.filePath(QStringLiteral("settings.ini")));
        qputenv("HW_CONFIG_DIR", m_dir.path().toUtf8());
        qputenv("HW_DEVICE", "cpu");
        m_project = m_dir.filePath(QStringLiteral("study.hwb"));
        hw::Database::create(m_project.toStdString());
        hwtest::makeChatProject(m_project.toStdString());
        m_run = hwtest::trainTinyPolicy(m_project.toStdString(), 40);
        hwtest::writeRandomIlqlHeads(m_run.checkpointDir, 5);
    }

    void persuasionStudyRunsAnonymisedTrials()
    {
        ProjectSession session;
        QVERIFY(session.open(m_project));
        ChatPage page(&session);
        page.resize(1200, 900);
        page.show();
        StudyView* view = page.study();
        QVERIFY(view);
        QCOMPARE(page.tabs()->tabText(page.tabs()->indexOf(view)), QStringLiteral("Human study"));
        page.tabs()->setCurrentWidget(view);

        // The form: two checkpoint agents, 2 trials each, a turn cap of 2.
        view->showSetup();
        StudySetupView* setup = view->setup();
        QCOMPARE(setup->rows().size(), 2);
        setup->rows()[0]->setSpec(localSpec(m_run.checkpointDir, hw::agent_kind::kPolicy, ""));
        setup->rows()[1]->setSpec(localSpec(m_run.checkpointDir, hw::agent_kind::kIlql, ""));
        setup->nameEdit()->setText(QStringLiteral("pilot"));
        setup->taskBox()->setCurrentText(QStringLiteral("persuasion"));
        QCOMPARE(setup->trialsBox()->value(), 3); // the protocol's default
        setup->trialsBox()->setValue(2);
        setup->turnCapBox()->setValue(2);
        setup->findChild<QPushButton*>(QStringLiteral("createStudy"))->click();
        QVERIFY2(view->studyId() > 0, qPrintable(view->statusText()));
        QCOMPARE(view->study()->maxTurns, 2);
        QCOMPARE(view->study()->trialsPerAgent, 2);
        QCOMPARE(view->study()->agents.at(0).kind, std::string(hw::agent_kind::kPolicy));
        QCOMPARE(view->study()->agents.at(1).kind, std::string(hw::agent_kind::kIlql));
        // The rows name agents by what they are ("π_β · run 1 @40", "ILQL β=8 · run 1 @40").
        const QString name0 = QString::fromStdString(view->study()->agentName(0));
        const QString name1 = QString::fromStdString(view->study()->agentName(1));
        QVERIFY(name0 != name1);

        // Participants: an id per person.
        QVERIFY(!view->addParticipant(QStringLiteral("   ")));
        QVERIFY2(view->statusText().contains(QStringLiteral("blank")), qPrintable(view->statusText()));
        QVERIFY(view->addParticipant(QStringLiteral("P01")));
        QVERIFY(!view->addParticipant(QStringLiteral("P01")));
        QVERIFY(view->selectParticipant(QStringLiteral("P01")));
        QCOMPARE(view->progressText(), QStringLiteral("Trial 1 of 4 for participant P01"));

        // A first try, abandoned after one turn: offered again after the others.
        StudyTrialView* trial = view->trialView();
        QVERIFY(view->startNextTrial());
        QVERIFY(trial->isActive());
        // Persuasion: the persuader opens, before the participant says anything.
        QVERIFY(waitIdle(trial));
        QCOMPARE(trial->column()->model()->rowCount(), 1);
        QVERIFY(trial->column()->model()->isAgent(0));
        const QString firstHeader = trial->header();
        QVERIFY(sendAndWait(trial, QStringLiteral("Hello, who are you?")));
        trial->abandon();
        QVERIFY(!trial->isActive());
        QVERIFY2(view->statusText().contains(QStringLiteral("abandoned")), qPrintable(view->statusText()));
        QCOMPARE(view->progressText(), QStringLiteral("Trial 1 of 4 for participant P01"));

        hw::Database db = hw::Database::open(m_project.toStdString());
        hw::StudyStore store(db);
        const auto schedule = store.trials(view->studyId(), "P01");
        QCOMPARE(schedule.size(), size_t(4));
        QCOMPARE(schedule[0].status, std::string("abandoned"));

        // Four trials in the stored order: positions 1, 2, 3, then the abandoned 0.
        const std::vector<int> expectedPositions = {1, 2, 3, 0};
        for (int k = 0; k < 4; ++k) {
            QVERIFY(view->startNextTrial());
            const auto& t = schedule[size_t(expectedPositions[size_t(k)])];
            const QString label = QString::fromStdString(view->study()->labels.at(size_t(t.agentIndex)));
            QCOMPARE(trial->header(), QStringLiteral("Trial %1 of 4 for participant P01 · %2").arg(k + 1).arg(label));
            QCOMPARE(trial->column()->title(), label);
            QVERIFY(!trial->column()->model()->showValues());
            QVERIFY(waitIdle(trial)); // the opening
            // Two turns, then the cap refuses a third and says so.
            QVERIFY(sendAndWait(trial, QStringLiteral("Would you donate to a children's charity?")));
            QVERIFY(sendAndWait(trial, QStringLiteral("Tell me more.")));
            QCOMPARE(trial->column()->model()->rowCount(), 5);
            QVERIFY(trial->atTurnCap());
            QVERIFY(!trial->sendMessage(QStringLiteral("One more?")));
            QVERIFY2(trial->statusText().contains(QStringLiteral("turn cap")), qPrintable(trial->statusText()));
            QCOMPARE(trial->column()->model()->rowCount(), 5);
            // Anonymised: no real name, kind or β anywhere in the trial view.
            const QString shown = visibleText(trial);
            for (const QString& secret : {name0, name1, QStringLiteral("ILQL"), QStringLiteral("π_β"),
                                          QStringLiteral("β"), QStringLiteral("run ")})
                QVERIFY2(!shown.contains(secret), qPrintable(secret));
            // Ratings: both Likert scales and the donation.
            trial->finish();
            QVERIFY(trial->ratingPanel()->isVisible());
            QVERIFY(!trial->saveRatings()); // incomplete
            trial->ratingPanel()->setLikert(0, 4);
            trial->ratingPanel()->setLikert(1, 2 + t.agentIndex);
            trial->ratingPanel()->setOutcome(0.5 + t.agentIndex);
            QSignalSpy saved(trial, &StudyTrialView::trialSaved);
            QVERIFY(trial->saveRatings());
            QCOMPARE(saved.count(), 1);
            if (k < 3)
                QCOMPARE(view->progressText(), QStringLiteral("Trial %1 of 4 for participant P01").arg(k + 2));
        }
        Q_UNUSED(firstHeader);
        QCOMPARE(view->progressText(), QStringLiteral("P01 has done all 4 trials"));
        QVERIFY(!view->startNextTrial());

        // Stored: each trial done with its ratings and reward = donation, in its own chat session.
        for (const auto& t : store.trials(view->studyId(), "P01")) {
            QCOMPARE(t.status, std::string("done"));
            QCOMPARE(t.rating.naturalness, std::optional<int>(4));
            QCOMPARE(t.reward, std::optional<double>(0.5 + t.agentIndex));
            QVERIFY(t.sessionId.has_value());
            const auto messages = hw::ChatStore(db).messages(*t.sessionId, 0);
            QCOMPARE(messages.size(), size_t(5));
            QCOMPARE(messages.front().role, std::string("agent")); // the persuader opened
        }

        // The trials' chat sessions are the study's: the Conversation tab does not list them.
        QVERIFY(hw::ChatStore(db).sessions().size() >= 5);
        page.activated();
        QCOMPARE(page.findChild<QListWidget*>(QStringLiteral("chatSessions"))->count(), 0);

        // Results per agent, names revealed.
        StudyResultsModel* results = view->results();
        QAbstractItemModelTester tester(results, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(results->rowCount(), 2);
        QCOMPARE(results->columnCount(), StudyResultsModel::FirstMetricColumn + 3);
        QCOMPARE(results->headerData(StudyResultsModel::FirstMetricColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Nat./Flu."));
        QCOMPARE(results->index(0, StudyResultsModel::AgentColumn).data().toString(), name0);
        QCOMPARE(results->index(1, StudyResultsModel::AgentColumn).data().toString(), name1);
        QCOMPARE(results->index(0, StudyResultsModel::TrialsColumn).data().toLongLong(), 2LL);
        QCOMPARE(results->index(0, StudyResultsModel::ParticipantsColumn).data().toLongLong(), 1LL);
        QCOMPARE(results->index(0, StudyResultsModel::FirstMetricColumn).data().toString(),
                 QStringLiteral("4.00 ± 0.00 [4.00, 4.00]"));
        QCOMPARE(results->index(1, StudyResultsModel::FirstMetricColumn + 2).data(StudyResultsModel::MeanRole).toDouble(),
                 1.5);
    }

    void counselingTrialAsksIntensityAndResumes()
    {
        qint64 studyId = 0;
        {
            ProjectSession session;
            QVERIFY(session.open(m_project));
            StudyView view(&session);
            hw::StudySpec spec;
            spec.task = "counseling";
            spec.name = "counseling pilot";
            spec.agents = {localSpec(m_run.checkpointDir, hw::agent_kind::kPolicy, "pi-beta")};
            spec.trialsPerAgent = 1;
            spec.seed = 4;
            studyId = view.createStudy(spec);
            QVERIFY(studyId > 0);
            QCOMPARE(view.study()->maxTurns, 15); // the counseling default
            QVERIFY(view.addParticipant(QStringLiteral("P02")));
            QVERIFY(view.startNextTrial());
            StudyTrialView* trial = view.trialView();
            QCOMPARE(trial->steps()->currentIndex(), 0); // the intensity question comes first
            QVERIFY(!trial->sendMessage(QStringLiteral("hi")));
            QVERIFY(!trial->startWithIntensity(0));
            QVERIFY(trial->startWithIntensity(4));
            QCOMPARE(trial->steps()->currentIndex(), 1);
            QVERIFY(sendAndWait(trial, QStringLiteral("I lost my job and feel awful.")));
            session.close(); // the trial stays running
        }
        ProjectSession session;
        QVERIFY(session.open(m_project));
        StudyView view(&session);
        QVERIFY(view.openStudy(studyId));
        QVERIFY(view.selectParticipant(QStringLiteral("P02")));
        QCOMPARE(view.progressText(), QStringLiteral("Trial 1 of 1 for participant P02"));
        QVERIFY(view.startNextTrial());
        StudyTrialView* trial = view.trialView();
        QCOMPARE(trial->steps()->currentIndex(), 1); // resumed: no second intensity question
        QCOMPARE(trial->userTurns(), 1);
        QCOMPARE(trial->column()->model()->rowCount(), 2);
        QVERIFY2(trial->statusText().contains(QStringLiteral("Resumed")), qPrintable(trial->statusText()));
        QVERIFY(sendAndWait(trial, QStringLiteral("Thank you.")));
        trial->finish();
        trial->ratingPanel()->setLikert(0, 3);
        trial->ratingPanel()->setLikert(1, 4);
        trial->ratingPanel()->setLikert(2, 5);
        trial->ratingPanel()->setOutcome(2);
        QVERIFY(trial->saveRatings());
        QCOMPARE(view.progressText(), QStringLiteral("P02 has done all 1 trials"));
        hw::StudyStore store(session.db());
        const auto t = store.trials(studyId, "P02").at(0);
        QCOMPARE(t.initialIntensity, std::optional<int>(4));
        QCOMPARE(t.rating.comforting, std::optional<int>(5));
        QCOMPARE(t.reward, std::optional<double>(2.0)); // 4 - 2
        QCOMPARE(view.results()->headerData(StudyResultsModel::FirstMetricColumn + 1, Qt::Horizontal).toString(),
                 QStringLiteral("Comforting"));
    }
};

QTEST_MAIN(TestUiHumanStudy)
#include "tst_ui_human_study.moc"
