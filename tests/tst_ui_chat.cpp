// Chat page, offscreen: a real tiny checkpoint (trained here by the core trainer) answers in the
// page and streams tokens into its column; ILQL replies are shaded with hoverable values; blind
// mode hides names and keeps the stored column order; sessions, messages and ratings persist and
// the results table aggregates them; a session needs two agents; blind status lines give nothing away.
#include "core/chat/chat_agent.h"
#include "core/net/http_server.h"
#include "core/store/chat_store.h"
#include "core/store/database.h"
#include "support/test_paths.h"
#include "support/tiny_chat_checkpoint.h"
#include "ui/models/chat_message_model.h"
#include "ui/models/chat_results_model.h"
#include "ui/pages/chat/agent_setup_row.h"
#include "ui/pages/chat/chat_page.h"
#include "ui/pages/chat/chat_setup_view.h"
#include "ui/pages/chat/chat_results_view.h"
#include "ui/pages/chat/rating_panel.h"
#include "ui/project_session.h"
#include "ui/settings/settings.h"
#include "ui/widgets/chat_column.h"
#include "ui/widgets/token_shading.h"
#include "ui/workers/generation_worker.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QRegularExpression>
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
        // A flat distribution: the tiny model's end-of-turn is then one token of hundreds, so
        // replies run long enough to be stopped (at 1.0 some ended after a token or two).
        spec.temperature = 4.0;
        auto other = spec;
        other.name = "long too";
        other.seed = 5;
        QVERIFY(page.startSession(QStringLiteral("counseling"), false, {spec, other}) > 0);
        // Stopped while the agent still loads, then while it generates. (Now and then the agent
        // has loaded before the first message: then the reply may end by itself, an end-of-turn
        // first, before the Stop reaches the worker; only the loading case is checked here.)
        const bool loadedBeforeFirst = page.agentsReady();
        QVERIFY(page.sendMessage(QStringLiteral("hello")));
        page.stopGeneration();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
        QVERIFY(!page.isGenerating());
        auto tags = page.columns()[0]->model()->index(1).data(ChatMessageModel::TagsRole).toStringList();
        if (!loadedBeforeFirst)
            QVERIFY2(tags.contains(QStringLiteral("stopped")), qPrintable(tags.join(',')));
        QTRY_VERIFY_WITH_TIMEOUT(page.agentsReady(), 60000);
        // Stopped right after the message, while the reply is generating. A sampled reply can
        // still end by itself first (an end-of-turn at once, or the tiny model's 256 positions
        // filled in a fraction of a second); then the next message is tried.
        auto* model = page.columns()[0]->model();
        bool stopped = false;
        for (int attempt = 0; attempt < 6 && !stopped; ++attempt) {
            const int finishedBefore = int(done.count());
            QVERIFY(page.sendMessage(QStringLiteral("are you there? (%1)").arg(attempt)));
            const int row = model->rowCount() - 1;
            page.stopGeneration();
            QTRY_COMPARE_WITH_TIMEOUT(int(done.count()), finishedBefore + 1, 60000);
            tags = model->index(row).data(ChatMessageModel::TagsRole).toStringList();
            stopped = tags.contains(QStringLiteral("stopped"));
            if (stopped)
                QVERIFY(model->tokens(row).size() < 4000);
        }
        QVERIFY2(stopped, "no reply was stopped in six tries");
    }

    // A Stop that lands after a reply finished (before the page heard of it) must not cancel the
    // next reply; one pressed after a request was submitted, before it started, cancels that one.
    void stopAfterAReplyDoesNotCancelTheNext()
    {
        GenerationWorker worker;   // driven on this thread: generate() runs synchronously
        QSignalSpy loaded(&worker, &GenerationWorker::loaded);
        QSignalSpy finished(&worker, &GenerationWorker::finished);
        worker.load(localSpec(m_run.checkpointDir, hw::agent_kind::kPolicy, "p"), hw::ChatAgentEnv{});
        QCOMPARE(loaded.count(), 1);
        hw::ChatReplyRequest req;
        req.task = hw::Task::counseling();
        req.history = {hw::Turn{0, hw::Role::User, "hello", nlohmann::json::object()}};
        worker.generate(req);
        QCOMPARE(finished.count(), 1);
        QVERIFY(!finished.last().at(0).value<hw::ChatReply>().cancelled);
        worker.cancel();   // too late for the first reply
        worker.generate(req);
        QCOMPARE(finished.count(), 2);
        const auto second = finished.last().at(0).value<hw::ChatReply>();
        QVERIFY(!second.cancelled);
        QVERIFY(second.tokenCount > 0);
        // Submitted, then stopped before it started: cancelled at once.
        worker.submit(req);
        worker.cancel();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, 60000);
        QVERIFY(finished.last().at(0).value<hw::ChatReply>().cancelled);
        // And that cancel is used up: the next one runs.
        worker.submit(req);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 4, 60000);
        QVERIFY(!finished.last().at(0).value<hw::ChatReply>().cancelled);
    }

    // A session compares 2-4 agents: the setup form never goes below two rows, and a session
    // with one agent is refused.
    void sessionNeedsTwoAgents()
    {
        ProjectSession session;
        QVERIFY(session.open(m_project));
        ChatPage page(&session);
        page.show();
        page.showSetup();
        auto* setup = page.findChild<ChatSetupView*>();
        QVERIFY(setup);
        auto rows = [&] {
            int n = 0;
            for (auto* r : setup->findChildren<AgentSetupRow*>())
                if (!r->property("removed").toBool())
                    ++n;
            return n;
        };
        auto removeButtons = [&] {
            QList<QPushButton*> out;
            for (auto* b : setup->findChildren<QPushButton*>(QStringLiteral("removeAgent")))
                if (!b->parentWidget()->property("removed").toBool())
                    out << b;
            return out;
        };
        QTRY_COMPARE_WITH_TIMEOUT(setup->findChildren<AgentSetupRow*>().size(), 2, 60000);
        QCOMPARE(rows(), 2);
        for (auto* b : removeButtons())
            QVERIFY(!b->isEnabled());
        removeButtons().first()->click();   // disabled: nothing happens
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        QCOMPARE(setup->findChildren<AgentSetupRow*>().size(), 2);

        setup->findChild<QPushButton*>(QStringLiteral("addAgent"))->click();
        QCOMPARE(setup->findChildren<AgentSetupRow*>().size(), 3);
        for (auto* b : removeButtons())
            QVERIFY(b->isEnabled());
        Q_EMIT setup->findChildren<AgentSetupRow*>().last()->removeRequested();
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        QCOMPARE(setup->findChildren<AgentSetupRow*>().size(), 2);
        for (auto* b : removeButtons())
            QVERIFY(!b->isEnabled());
        // Even a direct remove request stops at two.
        Q_EMIT setup->findChildren<AgentSetupRow*>().first()->removeRequested();
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        QCOMPARE(setup->findChildren<AgentSetupRow*>().size(), 2);

        // One agent: refused with a note; two start.
        QCOMPARE(page.startSession(QStringLiteral("counseling"), false,
                                   {localSpec(m_run.checkpointDir, hw::agent_kind::kPolicy, "alone")}),
                 qint64(0));
        QVERIFY(setup->findChild<QLabel*>(QStringLiteral("setupNote"))->text().contains(QStringLiteral("2")));
        QVERIFY(page.startSession(QStringLiteral("counseling"), false,
                                  {localSpec(m_run.checkpointDir, hw::agent_kind::kPolicy, "one"),
                                   localSpec(m_run.checkpointDir, hw::agent_kind::kPolicy, "two")}) > 0);
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

    // Blind: a checkpoint's and an endpoint's status lines have the same format, and an agent that
    // cannot start says only "Agent X could not start" (no path) until the ratings are saved.
    void blindStatusRevealsNothing()
    {
        hw::HttpServer server([](const hw::HttpServerRequest&) {
            return hw::HttpServerResponse::json(
                200, R"({"id":"x","object":"chat.completion","model":"fake","choices":[{"index":0,"finish_reason":"stop",)"
                     R"("message":{"role":"assistant","content":"What happened at work?"}}],)"
                     R"("usage":{"prompt_tokens":100,"completion_tokens":5,"total_tokens":105}})");
        });
        server.start();
        hw::ChatAgentSpec endpoint;
        endpoint.kind = hw::agent_kind::kEndpoint;
        endpoint.endpoint = server.baseUrl() + "/v1";
        endpoint.model = "fake";
        endpoint.prompting = hw::prompting::kPlain;
        endpoint.name = "Endpoint agent";
        const std::string missing = m_dir.filePath(QStringLiteral("secret-checkpoint")).toStdString();
        const auto local = localSpec(m_run.checkpointDir, hw::agent_kind::kPolicy, "Local agent");
        const auto broken = localSpec(missing, hw::agent_kind::kPolicy, "Broken agent");

        ProjectSession session;
        QVERIFY(session.open(m_project));
        ChatPage page(&session);
        page.show();
        QSignalSpy done(&page, &ChatPage::allRepliesFinished);
        QVERIFY(page.startSession(QStringLiteral("counseling"), true, {local, endpoint, broken}, QString(), {0, 1, 2}) > 0);
        QTRY_VERIFY_WITH_TIMEOUT(page.agentsReady(), 60000);
        ChatColumn* brokenColumn = page.columns()[2];
        QCOMPARE(brokenColumn->status(), QStringLiteral("Agent C could not start"));
        QVERIFY(brokenColumn->toolTip().isEmpty());
        QVERIFY(page.sendMessage(QStringLiteral("I feel sad about my job.")));
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
        const QRegularExpression format(QStringLiteral("^\\d+ tokens · \\d+\\.\\d\\d s$"));
        for (int col : {0, 1}) {
            const QString status = page.columns()[col]->status();
            QVERIFY2(format.match(status).hasMatch(), qPrintable(status));
        }
        QCOMPARE(brokenColumn->status(), QStringLiteral("Agent C could not start"));
        for (ChatColumn* c : page.columns()) {
            QVERIFY(!c->status().contains(QString::fromStdString(missing)));
            QVERIFY(!c->status().contains(QStringLiteral("secret")));
            QVERIFY(c->toolTip().isEmpty() || !c->toolTip().contains(QStringLiteral("secret")));
        }

        // Rated: the details come back.
        page.finishSession();
        for (int col = 0; col < 3; ++col) {
            RatingPanel* p = page.ratingPanel(col);
            for (int k = 0; k < 3; ++k)
                p->setLikert(k, 3);
            p->setOutcome(1);
        }
        QVERIFY(page.saveRatings());
        QVERIFY2(brokenColumn->status().contains(QStringLiteral("secret-checkpoint")), qPrintable(brokenColumn->status()));
        QVERIFY(brokenColumn->toolTip().contains(QStringLiteral("secret-checkpoint")));
        server.stop();
    }
};

QTEST_MAIN(TestUiChat)
#include "tst_ui_chat.moc"
