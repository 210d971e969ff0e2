// The Evaluation page on a real evaluation run (tiny checkpoint agents, π_β and ILQL with β,
// against the local simulator, trained here on CPU): the runs list, the results table in the
// paper's layout with the values core's report computes, per-persona means checked against the
// episodes themselves, the interval chart, the episode browser's filters, the same episode of
// another agent side by side, the baseline switch, export, and the empty state of a project
// without evaluations.
#include <torch/torch.h>

#include "core/eval/eval_report.h"
#include "core/eval/evaluation_request.h"
#include "core/prompts/prompt_library.h"
#include "core/store/database.h"
#include "core/store/eval_store.h"
#include "core/store/job_store.h"
#include "core/store/chat_store.h"
#include "core/store/study_store.h"
#include "core/train/lm_training_job.h"
#include "support/lm_corpus.h"
#include "support/test_paths.h"
#include "support/tiny_chat_checkpoint.h"
#include "core/store/dialogue_store.h"
#include "ui/charts/interval_bar_chart.h"
#include "ui/models/chat_message_model.h"
#include "ui/pages/evaluation/evaluation_page.h"
#include "ui/project_session.h"
#include "ui/settings/settings.h"
#include "ui/widgets/dialogue_view.h"
#include "ui/widgets/empty_state.h"

#include <QComboBox>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace hw;

class TestUiEvaluation : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    std::string m_project;
    int64_t m_run = 0;

    std::string train(LmRole role, int steps)
    {
        return hwtest::trainTinyLm(m_project, role, steps,
                                   m_tmp.filePath(QString::fromStdString(toString(role))).toStdString());
    }

    std::vector<EvalEpisodeRecord> records()
    {
        Database db = Database::open(m_project);
        return EvalStore(db).episodes(m_run);
    }

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("HW_CONFIG_DIR", m_tmp.path().toLocal8Bit());
        ui::Settings::instance().setFile(m_tmp.filePath(QStringLiteral("settings.ini")));
        m_project = m_tmp.filePath("p.hwb").toStdString();
        hwtest::insertDialogues(m_project, hwtest::lmDialogues(48, 11));
        const std::string forward = train(LmRole::Forward, 40);
        const std::string reward = train(LmRole::Reward, 20);
        const std::string policy = train(LmRole::PolicySft, 20);
        hwtest::writeRandomIlqlHeads(policy, 3);
        EvaluationRequest r;
        r.task = "counseling";
        r.agents = {"ckpt:" + policy + ",name=policy", "ckpt:" + policy + ",beta=4,name=ilql"};
        r.simulator = "local:" + forward + ",reward=" + reward;
        r.personas = "grief,breakup";
        r.episodesPerPersona = 3;
        r.maxTurns = 2;
        r.seed = 5;
        r.device = "cpu";
        r.promptDirs = {PromptLibrary::builtinDir()};
        Database db = Database::open(m_project);
        SharedProject project(db);
        const EvaluationOutcome out = runEvaluationRequest(project, r, {});
        QCOMPARE(out.summary.status, std::string("done"));
        m_run = out.summary.jobId;
    }

    void resultsInThePapersLayout()
    {
        ui::ProjectSession session;
        QVERIFY(session.open(QString::fromStdString(m_project)));
        ui::EvaluationPage page(&session);
        QCOMPARE(page.runBox()->count(), 1);
        QVERIFY(page.selectRun(m_run));
        QVERIFY(page.report());
        QVERIFY(!page.emptyState()->isVisibleTo(&page));
        // The same report core builds for `hindsight eval-report`.
        const auto eps = records();
        Database db = Database::open(m_project);
        const EvalReport expected = buildEvalReport(m_run, JobStore(db).get(m_run)->config, eps, {});
        QTableWidget* t = page.resultsTable();
        QCOMPARE(t->columnCount(), 2);
        QCOMPARE(t->horizontalHeaderItem(0)->text(), QStringLiteral("policy"));
        QCOMPARE(t->horizontalHeaderItem(1)->text(), QStringLiteral("ilql"));
        QCOMPARE(t->rowCount(), 2 + 2 + 3); // reward, CI, two personas, Δ, episodes, faults
        QCOMPARE(t->verticalHeaderItem(0)->text(), QStringLiteral("Reward (sim)"));
        for (int c = 0; c < 2; ++c) {
            const EvalAgentResult& a = expected.agents[static_cast<size_t>(c)];
            QCOMPARE(t->item(0, c)->text(), QStringLiteral("%1 ± %2").arg(a.overall.mean, 0, 'f', 3).arg(a.overall.std, 0, 'f', 3));
            QCOMPARE(t->item(1, c)->text(), QStringLiteral("[%1, %2]").arg(a.overall.ciLow, 0, 'f', 3).arg(a.overall.ciHigh, 0, 'f', 3));
            // Per-persona means, computed here from the episodes themselves.
            for (int p = 0; p < 2; ++p) {
                const std::string persona = expected.personas[static_cast<size_t>(p)];
                double sum = 0;
                int n = 0;
                for (const auto& e : eps)
                    if (e.agentIndex == c && e.persona == persona && e.status == "ok" && e.reward) {
                        sum += *e.reward;
                        ++n;
                    }
                if (n == 0)
                    QCOMPARE(t->item(2 + p, c)->text(), QStringLiteral("n/a"));
                else
                    QVERIFY2(t->item(2 + p, c)->text().startsWith(QString::number(sum / n, 'f', 3)),
                             qPrintable(t->item(2 + p, c)->text()));
            }
            int64_t n = 0;
            for (const auto& e : eps)
                n += e.agentIndex == c;
            QVERIFY(t->item(5, c)->text().startsWith(QString::number(n) + " ("));
        }
        QCOMPARE(t->item(4, 0)->text(), QStringLiteral("baseline"));
        const QString diff = t->item(4, 1)->text();
        QVERIFY2(diff.contains(QStringLiteral("p")) && (diff.endsWith(QStringLiteral(" *")) || diff.endsWith(QStringLiteral("n.s."))),
                 qPrintable(diff));
        QVERIFY(page.headerLabel()->text().contains(QStringLiteral("local")));

        // The chart: overall and each persona, a bar per agent at the report's mean within the axis.
        const ui::IntervalBarChart* chart = page.chart();
        QCOMPARE(chart->categories(), (QStringList{"overall", "grief", "breakup"}));
        QCOMPARE(chart->series(), (QStringList{"policy", "ilql"}));
        for (int c = 0; c < 2; ++c) {
            const ui::IntervalBar& b = chart->bars()[0][static_cast<size_t>(c)];
            QCOMPARE(b.mean, expected.agents[static_cast<size_t>(c)].overall.mean);
            if (b.valid)
                QVERIFY(chart->axisMin() <= b.low && chart->axisMax() >= b.high);
        }

        // Switching the baseline compares against the other agent.
        page.baselineBox()->setCurrentIndex(1);
        QCOMPARE(page.report()->baseline, std::string("ilql"));
        QCOMPARE(page.resultsTable()->item(4, 1)->text(), QStringLiteral("baseline"));
        QVERIFY(page.resultsTable()->verticalHeaderItem(4)->text().contains(QStringLiteral("ilql")));

        // Export writes what eval-report writes.
        const QString json = QString::fromStdString(m_tmp.filePath("report.json").toStdString());
        QVERIFY(page.exportReport(json, QStringLiteral("json")));
        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto doc = nlohmann::json::parse(f.readAll().toStdString());
        QCOMPARE(doc["run"].get<int64_t>(), m_run);
        QCOMPARE(doc["agents"].size(), size_t(2));
        QCOMPARE(doc["baseline"].get<std::string>(), std::string("ilql"));
        QVERIFY(!page.exportReport(json, QStringLiteral("docx")));
    }

    void episodeBrowserAndPairedEpisodes()
    {
        ui::ProjectSession session;
        QVERIFY(session.open(QString::fromStdString(m_project)));
        ui::EvaluationPage page(&session);
        QVERIFY(page.selectRun(m_run));
        const auto eps = records();
        QCOMPARE(page.episodeTable()->rowCount(), int(eps.size()));
        QCOMPARE(int(eps.size()), 2 * 2 * 3);
        page.agentFilter()->setCurrentIndex(2); // ilql
        QCOMPARE(page.episodeTable()->rowCount(), 6);
        for (int r = 0; r < page.episodeTable()->rowCount(); ++r)
            QCOMPARE(page.episodeTable()->item(r, 1)->text(), QStringLiteral("ilql"));
        page.personaFilter()->setCurrentIndex(page.personaFilter()->findData(QStringLiteral("breakup")));
        QCOMPARE(page.episodeTable()->rowCount(), 3);
        int failed = 0;
        for (const auto& e : eps)
            failed += e.agentIndex == 1 && e.persona == "breakup" && e.status == "failed";
        page.outcomeFilter()->setCurrentIndex(page.outcomeFilter()->findData(QStringLiteral("failed")));
        QCOMPARE(page.episodeTable()->rowCount(), failed);
        page.outcomeFilter()->setCurrentIndex(0);

        // The first row (selected) shows its transcript; beside it the same episode of the other agent.
        page.episodeTable()->selectRow(1);
        const int episode = page.episodeTable()->item(1, 0)->text().toInt();
        const EvalEpisodeRecord* mine = nullptr;
        const EvalEpisodeRecord* theirs = nullptr;
        for (const auto& e : eps) {
            if (e.agentIndex == 1 && e.episode == episode)
                mine = &e;
            if (e.agentIndex == 0 && e.episode == episode)
                theirs = &e;
        }
        QVERIFY(mine && theirs && mine->dialogueId && theirs->dialogueId);
        QCOMPARE(mine->persona, theirs->persona); // paired: same persona and seed
        QCOMPARE(mine->seed, theirs->seed);
        QCOMPARE(page.compareBox()->currentText(), QStringLiteral("policy"));
        QCOMPARE(page.episodeView()->dialogueId(), qint64(*mine->dialogueId));
        QCOMPARE(page.pairedView()->dialogueId(), qint64(*theirs->dialogueId));

        // The ILQL agent's turns are shaded by advantage: the view draws the tokens the episode
        // stored, each with the Q̂ − V its provenance recorded.
        QVERIFY(page.episodeView()->isShaded());
        const ui::ChatMessageModel* shaded = page.episodeView()->shadedModel();
        Database db = Database::open(m_project);
        const auto d = DialogueStore(db).get(*mine->dialogueId);
        QCOMPARE(shaded->rowCount(), int(d->turns.size()));
        int agentRows = 0;
        for (int r = 0; r < shaded->rowCount(); ++r) {
            QCOMPARE(shaded->isAgent(r), d->turns[size_t(r)].role == Role::Agent);
            if (!shaded->isAgent(r))
                continue;
            ++agentRows;
            const auto& adv = d->turns[size_t(r)].annotations["provenance"]["advantage"];
            QCOMPARE(shaded->tokens(r).size(), adv.size());
            for (size_t i = 0; i < adv.size(); ++i)
                QCOMPARE(shaded->tokens(r)[i].advantage(), adv[i].get<double>());
            QVERIFY(shaded->index(r).data(ui::ChatMessageModel::HasValuesRole).toBool());
        }
        QCOMPARE(agentRows, 2);
        QVERIFY(page.episodeView()->turnsView()->model() == shaded);
        // Clearing the view goes back to plain bubbles.
        page.episodeView()->clear();
        QVERIFY(!page.episodeView()->isShaded());
    }

    void emptyProjectSaysWhatToDo()
    {
        const std::string path = m_tmp.filePath("empty.hwb").toStdString();
        hwtest::insertDialogues(path, hwtest::lmDialogues(4, 1));
        ui::ProjectSession session;
        QVERIFY(session.open(QString::fromStdString(path)));
        ui::EvaluationPage page(&session);
        QCOMPARE(page.runBox()->count(), 0);
        QVERIFY(!page.report());
        QVERIFY(page.emptyState()->isVisibleTo(&page));
        QVERIFY(page.emptyState()->text().contains(QStringLiteral("hindsight evaluate")));
    }

    // A human study of the same task: its rows above Reward (sim) for the agent it had, "—" for
    // the other, in the table and in the exported report.
    void humanStudyRowsAboveTheSimulatedOnes()
    {
        int64_t studyId = 0;
        {
            Database db = Database::open(m_project);
            StudyStore store(db);
            ChatAgentSpec policy;
            policy.name = "policy";
            policy.checkpoint = "/elsewhere";
            ChatAgentSpec other = policy;
            other.name = "a prompting baseline";
            studyId = store.createStudy({"counseling", "pilot", {policy, other}, 1, 0, 2});
            store.createStudy({"persuasion", "another task", {policy}, 1, 0, 2});
            store.addParticipant(studyId, "P01");
            const auto s = *store.study(studyId);
            for (const auto& t : store.trials(studyId, "P01")) {
                if (t.agentIndex != 0)
                    continue;
                store.startTrial(t.id, ChatStore(db).createSession(s.taskId, true, {policy}), 4);
                ChatRating r;
                r.naturalness = 3;
                r.relevance = 4;
                r.comforting = 5;
                r.outcome = 1;
                store.finishTrial(t.id, r);
            }
        }
        ui::ProjectSession session;
        QVERIFY(session.open(QString::fromStdString(m_project)));
        ui::EvaluationPage page(&session);
        QVERIFY(page.selectRun(m_run));
        QCOMPARE(page.studyBox()->count(), 2); // none, and the counseling study only
        QCOMPARE(page.resultsTable()->rowCount(), 7);
        page.studyBox()->setCurrentIndex(1);
        QVERIFY(page.report()->human.has_value());
        QTableWidget* t = page.resultsTable();
        QCOMPARE(t->rowCount(), 7 + 5); // Naturalness, Comforting, Helpfulness, Reward, trials
        QCOMPARE(t->verticalHeaderItem(0)->text(), QStringLiteral("Naturalness (human)"));
        QCOMPARE(t->verticalHeaderItem(3)->text(), QStringLiteral("Reward (human)"));
        QCOMPARE(t->verticalHeaderItem(5)->text(), QStringLiteral("Reward (sim)"));
        QCOMPARE(t->item(0, 0)->text(), QStringLiteral("3.00 ± 0.00 [3.00, 3.00]"));
        QCOMPARE(t->item(3, 0)->text(), QStringLiteral("3.00 ± 0.00 [3.00, 3.00]")); // 4 - 1
        QCOMPARE(t->item(4, 0)->text(), QStringLiteral("1 (1)"));
        QCOMPARE(t->item(0, 1)->text(), QStringLiteral("—"));
        const QString md = m_tmp.filePath(QStringLiteral("human.md"));
        QVERIFY(page.exportReport(md, QStringLiteral("md")));
        QFile f(md);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        QVERIFY2(text.contains(QStringLiteral("| Comforting | 5.00 ± 0.00 [5.00, 5.00] | — |")), qPrintable(text));
        QVERIFY(text.indexOf(QStringLiteral("| Helpfulness |")) < text.indexOf(QStringLiteral("| Reward (sim) |")));
    }
};

QTEST_MAIN(TestUiEvaluation)
#include "tst_ui_evaluation.moc"
