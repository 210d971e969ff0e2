// Chat page, offscreen: a real tiny checkpoint (trained here by the core trainer) answers in the
// page and streams tokens into its column; ILQL replies are shaded with hoverable values; blind
// mode hides names and keeps the stored column order; sessions, messages and ratings persist and
// the results table aggregates them.
#include "core/chat/chat_agent.h"
#include "core/store/chat_store.h"
#include "core/store/database.h"
#include "support/test_paths.h"
#include "support/tiny_chat_checkpoint.h"
#include "ui/models/chat_message_model.h"
#include "ui/models/chat_results_model.h"
#include "ui/pages/chat/chat_page.h"
#include "ui/pages/chat/chat_results_view.h"
#include "ui/pages/chat/rating_panel.h"
#include "ui/project_session.h"
#include "ui/settings/settings.h"
#include "ui/widgets/chat_column.h"
#include "ui/widgets/token_shading.h"

#include <QAbstractItemModelTester>
#include <QListView>
#include <QSignalSpy>
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
    s.maxNewTokens = 24;
    s.device = "cpu";
    return s;
}

} // namespace

class TestUiChat : public QObject {
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
        m_project = m_dir.filePath(QStringLiteral("chat.hwb"));
        hw::Database::create(m_project.toStdString());
        hwtest::makeChatProject(m_project.toStdString());
        m_run = hwtest::trainTinyPolicy(m_project.toStdString(), 150);
        hwtest::writeRandomIlqlHeads(m_run.checkpointDir, 11);
        QVERIFY(hw::inspectCheckpoint(m_run.checkpointDir).ilqlHeads);
    }

    void messageModelStreamsInPlace()
    {
        ChatMessageModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.addUserMessage(QStringLiteral("hi"));
        const int row = model.beginAgentMessage();
        QVERIFY(model.index(row).data(ChatMessageModel::StreamingRole).toBool());
        model.appendToken(row, {"Hel", 0.2, 0.1, 0.5});
        model.appendToken(row, {"lo", -0.3, 0.1, 0.25});
        QCOMPARE(changed.count(), 2);
        QCOMPARE(model.text(row), QStringLiteral("Hello"));
        model.finishAgentMessage(row, QString(), {QStringLiteral("0.1 s")});
        QVERIFY(model.index(row).data(ChatMessageModel::HasValuesRole).toBool());
        model.setShowValues(false);
        QVERIFY(!model.index(row).data(ChatMessageModel::HasValuesRole).toBool());
        QCOMPARE(resets.count(), 0);
        QVERIFY(!model.isStreaming());
    }

    void shadingScale()
    {
        QCOMPARE(advantageColour(0, 1), QColor(Qt::white));
        const QColor pos = advantageColour(1, 1), neg = advantageColour(-1, 1);
        QVERIFY(pos.blue() > pos.red());
        QVERIFY(neg.red() > neg.blue());
        QCOMPARE(advantageColour(5, 1), pos); // clamped
        std::vector<hw::TokenValue> t = {{"a", 1.0, 0.5, 0.1}, {"b", 0.0, 2.0, 0.2}};
        QCOMPARE(advantageScale(t), 2.0);
        const QString tip = tokenToolTip(t[1]);
        QVERIFY(tip.contains(QStringLiteral("V = 2.0000")));
        QVERIFY(tip.contains(QStringLiteral("−2.0000")) || tip.contains(QStringLiteral("-2.0000")));
    }

    void checkpointAnswersAndStreams()
    {
        ProjectSession session;
        QVERIFY(session.open(m_project));
        ChatPage page(&session);
        page.resize(1400, 900);
        page.show();
        QSignalSpy done(&page, &ChatPage::allRepliesFinished);
        const qint64 id = page.startSession(
            QStringLiteral("counseling"), false,
            {localSpec(m_run.checkpointDir, hw::agent_kind::kPolicy, "pi-beta"),
             localSpec(m_run.checkpointDir, hw::agent_kind::kIlql, "ilql")},
            QStringLiteral("lost my job"));
        QVERIFY(id > 0);
        QCOMPARE(page.columns().size(), 2);
        QCOMPARE(page.columns()[0]->title(), QStringLiteral("pi-beta"));
        QSignalSpy streamed(page.columns()[1]->model(), &QAbstractItemModel::dataChanged);
        QVERIFY(page.sendMessage(QStringLiteral("I feel sad about my job.")));
        QVERIFY(page.isGenerating());
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
        for (ChatColumn* c : page.columns()) {
            QCOMPARE(c->model()->rowCount(), 2);
            QVERIFY(c->model()->isAgent(1));
            QVERIFY2(!c->model()->text(1).isEmpty(), qPrintable(c->status()));
            QVERIFY(c->status().contains(QStringLiteral("tokens/s")));
        }
        const int tokens = static_cast<int>(page.columns()[1]->model()->tokens(1).size());
        QVERIFY(tokens >= 1);
        // One dataChanged per streamed token (plus the end), not one at the end.
        QVERIFY2(streamed.count() >= tokens, qPrintable(QString::number(streamed.count())));
        // ILQL (and π_β of a checkpoint with heads): shaded, hover shows values.
        ChatColumn* ilql = page.columns()[1];
        const QModelIndex reply = ilql->model()->index(1);
        QVERIFY(reply.data(ChatMessageModel::HasValuesRole).toBool());
        QListView* view = ilql->view();
        const QRect r = view->visualRect(reply);
        int found = -1;
        for (int y = r.top(); y < r.bottom() && found < 0; y += 3)
            for (int x = r.left(); x < r.right() && found < 0; x += 4)
                found = ilql->delegate()->tokenAt(view, reply, QPoint(x, y));
        QVERIFY(found >= 0);

        // β slider reaches the agent at run time; a second turn uses the history.
        ilql->setBeta(2.5);
        QVERIFY(page.sendMessage(QStringLiteral("Thank you, that helps.")));
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 2, 60000);
        QCOMPARE(page.columns()[0]->model()->rowCount(), 4);

        // Persisted: the same session opened elsewhere shows the same messages and values.
        hw::ChatStore store(session.db());
        const auto msgs = store.messages(id);
        QCOMPARE(msgs.size(), size_t(8));
        int withValues = 0;
        for (const auto& m : msgs)
            if (m.role == "agent" && !m.tokens.empty() && m.tokens.front().hasValues())
                ++withValues;
        QCOMPARE(withValues, 4);
        ChatPage reopened(&session);
        QVERIFY(reopened.openSession(id));
        QCOMPARE(reopened.columns().size(), 2);
        QCOMPARE(reopened.columns()[1]->model()->rowCount(), 4);
        QCOMPARE(reopened.columns()[1]->model()->text(1), ilql->model()->text(1));
        QVERIFY(reopened.columns()[1]->model()->index(1).data(ChatMessageModel::HasValuesRole).toBool());
    }

    void stopEndsTheReply()
    {
        ProjectSession session;
        QVERIFY(session.open(m_project));
        ChatPage page(&session);
        QSignalSpy done(&page, &ChatPage::allRepliesFinished);
        auto spec = localSpec(m_run.checkpointDir, hw::agent_kind::kPolicy, "long");
        spec.maxNewTokens = 4000;
        spec.temperature = 1.0;
        QVERIFY(page.startSession(QStringLiteral("counseling"), false, {spec}) > 0);
        // Stopped while the agent still loads, then while it generates.
        QVERIFY(page.sendMessage(QStringLiteral("hello")));
        page.stopGeneration();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
        QVERIFY(!page.isGenerating());
        auto tags = page.columns()[0]->model()->index(1).data(ChatMessageModel::TagsRole).toStringList();
        QVERIFY2(tags.contains(QStringLiteral("stopped")), qPrintable(tags.join(',')));
        QTRY_VERIFY_WITH_TIMEOUT(page.agentsReady(), 60000);
        QVERIFY(page.sendMessage(QStringLiteral("are you there?")));
        page.stopGeneration();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 2, 60000);
        tags = page.columns()[0]->model()->index(3).data(ChatMessageModel::TagsRole).toStringList();
        QVERIFY2(tags.contains(QStringLiteral("stopped")), qPrintable(tags.join(',')));
        QVERIFY(page.columns()[0]->model()->tokens(3).size() < 4000);
    }

    void blindModeHidesNamesAndKeepsOrder()
    {
        ProjectSession session;
        QVERIFY(session.open(m_project));
        ChatPage page(&session);
        page.resize(1400, 900);
        page.show();
        QSignalSpy done(&page, &ChatPage::allRepliesFinished);
        auto a = localSpec(m_run.checkpointDir, hw::agent_kind::kPolicy, "Alpha policy");
        auto b = localSpec(m_run.checkpointDir, hw::agent_kind::kIlql, "Beta ilql");
        b.beta = 4;
        auto c = localSpec(m_run.checkpointDir, hw::agent_kind::kPolicy, "Gamma policy");
        c.temperature = 0.7;
        const qint64 id = page.startSession(QStringLiteral("counseling"), true, {a, b, c}, QString(), {2, 0, 1});
        QVERIFY(id > 0);
        const auto& info = *page.sessionInfo();
        QCOMPARE(info.columnOrder, (std::vector<int>{2, 0, 1}));
        const QStringList names = {QStringLiteral("Alpha"), QStringLiteral("Beta"), QStringLiteral("Gamma")};
        for (int col = 0; col < 3; ++col) {
            ChatColumn* column = page.columns()[col];
            QCOMPARE(column->title(), QStringLiteral("Agent %1").arg(QChar('A' + col)));
            for (const QString& n : names)
                QVERIFY(!column->title().contains(n));
            QCOMPARE(column->model()->agentName(), QStringLiteral("Agent %1").arg(QChar('A' + col)));
        }
        QVERIFY(page.sendMessage(QStringLiteral("I cannot sleep.")));
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
        // No shading (it would give the ILQL agent away) before the ratings.
        for (ChatColumn* column : page.columns())
            QVERIFY(!column->model()->index(1).data(ChatMessageModel::HasValuesRole).toBool());

        page.finishSession();
        QVERIFY(!page.saveRatings()); // incomplete
        for (int col = 0; col < 3; ++col) {
            RatingPanel* p = page.ratingPanel(col);
            QVERIFY(p && p->isVisible());
            p->setLikert(0, col + 1);
            p->setLikert(1, 3);
            p->setLikert(2, 5 - col);
            p->setOutcome(2 + col);
        }
        QVERIFY(page.saveRatings());
        // Revealed, in the stored order: column c shows agent columnOrder[c].
        QCOMPARE(page.columns()[0]->title(), QStringLiteral("Agent A = Gamma policy"));
        QCOMPARE(page.columns()[1]->title(), QStringLiteral("Agent B = Alpha policy"));
        QCOMPARE(page.columns()[2]->title(), QStringLiteral("Agent C = Beta ilql"));

        hw::ChatStore store(session.db());
        const auto s = store.session(id);
        QCOMPARE(s->status, std::string("finished"));
        QCOMPARE(s->columnOrder, (std::vector<int>{2, 0, 1}));
        const auto ratings = store.ratings(id);
        QCOMPARE(ratings.size(), size_t(3));
        // Slot 2 (Gamma) sat in column A and got naturalness 1.
        QCOMPARE(ratings[2].agentLabel, std::string("Gamma policy"));
        QCOMPARE(*ratings[2].naturalness, 1);
        QCOMPARE(*ratings[0].naturalness, 2);
        QCOMPARE(*ratings[1].outcome, 4.0);
        // Messages were stored per slot, not per column.
        const auto gamma = store.messages(id, 2);
        QCOMPARE(QString::fromStdString(gamma.back().text), page.columns()[0]->model()->text(1));

        // A blind session with a random order stores a permutation consistent with the labels.
        ChatPage other(&session);
        const qint64 id2 = other.startSession(QStringLiteral("counseling"), true, {a, b});
        const auto s2 = store.session(id2);
        auto order = s2->columnOrder;
        std::sort(order.begin(), order.end());
        QCOMPARE(order, (std::vector<int>{0, 1}));
        QCOMPARE(other.sessionInfo()->columnOrder, s2->columnOrder);

        // Results: one row per agent with mean ± std, and the CSV.
        ChatResultsView* results = page.results();
        results->refresh();
        ChatResultsModel* model = results->model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model->rowCount(), 3);
        bool sawGamma = false;
        for (int r = 0; r < model->rowCount(); ++r)
            if (model->index(r, ChatResultsModel::AgentColumn).data().toString() == QStringLiteral("Gamma policy")) {
                sawGamma = true;
                QCOMPARE(model->index(r, ChatResultsModel::NaturalnessColumn).data().toString(), QStringLiteral("1.00 ± 0.00"));
                QCOMPARE(model->index(r, ChatResultsModel::OutcomeColumn).data(ChatResultsModel::MeanRole).toDouble(), 2.0);
            }
        QVERIFY(sawGamma);
        QVERIFY(results->csv().startsWith(QStringLiteral("agent,kind,sessions,naturalness_mean")));
        const QString csvPath = m_dir.filePath(QStringLiteral("results.csv"));
        QVERIFY(results->exportCsv(csvPath));
        QVERIFY(QFileInfo(csvPath).size() > 50);
    }
};

QTEST_MAIN(TestUiChat)
#include "tst_ui_chat.moc"
