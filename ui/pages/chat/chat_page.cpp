#include "ui/pages/chat/chat_page.h"

#include "core/chat/chat_agent.h"
#include "core/store/dialogue_store.h"
#include "core/store/study_store.h"
#include "core/util/error.h"
#include "ui/models/chat_message_model.h"
#include "ui/pages/chat/chat_results_view.h"
#include "ui/pages/chat/chat_setup_view.h"
#include "ui/pages/chat/rating_panel.h"
#include "ui/pages/chat/study_view.h"
#include "ui/project_session.h"
#include "ui/style/ui_style.h"
#include "ui/widgets/chat_column.h"
#include "ui/widgets/empty_state.h"
#include "ui/workers/generation_worker.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <functional>
#include <numeric>
#include <random>

namespace hw::ui {

namespace {

constexpr int kMaxAgents = ChatSetupView::kMaxAgents;

QString kindText(const hw::ChatAgentSpec& s)
{
    if (s.kind == hw::agent_kind::kEndpoint)
        return QObject::tr("endpoint %1 · %2 prompt")
            .arg(QString::fromStdString(s.endpoint), QString::fromStdString(s.prompting));
    QString where = QString::fromStdString(s.checkpoint);
    if (where.size() > 60)
        where = QStringLiteral("…") + where.right(58);
    return (s.kind == hw::agent_kind::kIlql ? QObject::tr("ILQL decoding") : QObject::tr("behaviour policy π_β"))
        + QStringLiteral(" · ") + where;
}

// Enter sends, Shift+Enter breaks the line.
class MessageEdit : public QPlainTextEdit {
public:
    std::function<void()> onSend;

protected:
    void keyPressEvent(QKeyEvent* e) override
    {
        if ((e->key() == Qt::Key_Return || e->key() == Qt::Key_Enter) && !(e->modifiers() & Qt::ShiftModifier)) {
            if (onSend)
                onSend();
            return;
        }
        QPlainTextEdit::keyPressEvent(e);
    }
};

} // namespace

ChatPage::ChatPage(ProjectSession* session, QWidget* parent) : Page(session, parent)
{
    m_sessions = new QListWidget;
    m_sessions->setObjectName(QStringLiteral("chatSessions"));
    m_sessions->setMinimumWidth(200);
    m_sessions->setMaximumWidth(280);
    auto* newSession = new QPushButton(tr("New session"));
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    auto* sessionsLabel = new QLabel(tr("Sessions"));
    QFont bf = sessionsLabel->font();
    bf.setBold(true);
    sessionsLabel->setFont(bf);
    leftLayout->addWidget(sessionsLabel);
    leftLayout->addWidget(m_sessions, 1);
    leftLayout->addWidget(newSession);

    m_stack = new QStackedWidget;
    m_setup = new ChatSetupView(session);
    connect(m_setup, &ChatSetupView::startRequested, this, [this] {
        startSession(m_setup->task(), m_setup->blind(), m_setup->agents(), m_setup->context());
    });
    m_stack->addWidget(m_setup);
    m_stack->addWidget(buildConversation());

    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(left);
    splitter->addWidget(m_stack);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);

    m_results = new ChatResultsView(session);
    m_tabs = new QTabWidget;
    m_tabs->addTab(splitter, tr("Conversation"));
    m_tabs->addTab(m_results, tr("Results"));
    m_study = new StudyView(session);
    m_tabs->addTab(m_study, tr("Human study"));
    m_empty = new EmptyState;
    m_empty->setContent(tr("Nothing to chat with yet"),
                        tr("Chat compares agents side by side, and this project has no trained checkpoint and no "
                           "endpoint profile yet. Train one on the Runs page (Start…, or <tt>hindsight train "
                           "project.hwb --set NAME --agent sft</tt>), or add an endpoint (Jobs ▸ Endpoints…, or "
                           "<tt>hindsight endpoint add NAME --url URL --model MODEL</tt>)."),
                        tr("Go to Runs"));
    m_empty->hide();
    connect(m_empty, &EmptyState::actionTriggered, this, [this] { Q_EMIT showPageRequested(tr("Runs")); });
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_empty, 1);

    connect(newSession, &QPushButton::clicked, this, &ChatPage::showSetup);
    connect(m_sessions, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        openSession(item->data(Qt::UserRole).toLongLong());
    });
    connect(m_sessions, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
        if (item->data(Qt::UserRole).toLongLong() != sessionId())
            openSession(item->data(Qt::UserRole).toLongLong());
    });
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int i) {
        if (m_tabs->widget(i) == m_results)
            m_results->refresh();
        else if (m_tabs->widget(i) == m_study)
            m_study->refresh();
    });
    connect(session, &ProjectSession::opened, this, [this] {
        closeSession();
        showSetup();
        refreshSessions();
    });
    connect(session, &ProjectSession::closed, this, [this] {
        closeSession();
        m_sessions->clear();
        updateEmptyState();
    });
    connect(session, &ProjectSession::runsChanged, this, [this] {
        if (m_stack->currentIndex() == 0)
            m_setup->refresh();
        updateEmptyState();
    });
    if (session->isOpen()) {
        refreshSessions();
        m_setup->refresh();
    }
    updateEmptyState();
    updateControls();
}

ChatPage::~ChatPage() { stopWorkers(); }

QIcon ChatPage::icon() const { return QIcon(QStringLiteral(":/icons/chat.png")); }

void ChatPage::activated()
{
    refreshSessions();
    if (m_stack->currentIndex() == 0)
        m_setup->refresh();
    updateEmptyState();
}

void ChatPage::updateEmptyState()
{
    // A saved session stays reachable even when its checkpoints are gone.
    const bool empty = session()->isOpen() && m_sessions->count() == 0 && !m_info && !m_setup->hasAgentChoices();
    m_tabs->setVisible(!empty);
    m_empty->setVisible(empty);
}

// ---------------------------------------------------------------- setup

void ChatPage::showSetup()
{
    closeSession();
    m_setup->refresh();
    m_stack->setCurrentIndex(0);
    m_tabs->setCurrentIndex(0);
    m_sessions->clearSelection();
}

std::optional<hw::Task> ChatPage::taskOf(const QString& name)
{
    hw::DialogueStore ds(session()->db());
    if (auto t = ds.task(name.toStdString()))
        return t;
    if (name == QLatin1String("counseling"))
        return hw::Task::counseling();
    if (name == QLatin1String("persuasion"))
        return hw::Task::persuasion();
    return std::nullopt;
}

qint64 ChatPage::startSession(const QString& taskName, bool blind, std::vector<hw::ChatAgentSpec> agents,
                              const QString& context, std::vector<int> columnOrder)
{
    if (!session()->isOpen())
        return 0;
    if (int(agents.size()) < ChatSetupView::kMinAgents || int(agents.size()) > kMaxAgents) {
        m_setup->setNote(tr("A session has %1 to %2 agents side by side, not %3.")
                             .arg(ChatSetupView::kMinAgents).arg(kMaxAgents).arg(agents.size()));
        return 0;
    }
    closeSession();
    try {
        auto task = taskOf(taskName);
        if (!task)
            throw hw::Error("no task named '" + taskName.toStdString() + "'");
        hw::DialogueStore ds(session()->db());
        const int64_t taskId = ds.ensureTask(*task);
        for (auto& a : agents)
            a.context = context.toStdString();
        if (columnOrder.empty()) {
            columnOrder.resize(agents.size());
            std::iota(columnOrder.begin(), columnOrder.end(), 0);
            if (blind) {
                std::random_device rd;
                std::mt19937 rng(rd());
                std::shuffle(columnOrder.begin(), columnOrder.end(), rng);
            }
        }
        hw::ChatStore store(session()->db());
        const int64_t id = store.createSession(taskId, blind, agents, columnOrder);
        m_taskObj = *task;
        m_info = store.session(id);
    } catch (const std::exception& e) {
        m_setup->setNote(QString::fromUtf8(e.what()));
        return 0;
    }
    m_rating = false;
    buildColumns();
    for (size_t c = 0; c < m_columns.size(); ++c)
        startWorker(static_cast<int>(c));
    m_stack->setCurrentIndex(1);
    refreshSessions();
    updateControls();
    m_input->setFocus();
    return m_info->id;
}

// ---------------------------------------------------------------- conversation

QWidget* ChatPage::buildConversation()
{
    auto* page = new QWidget;
    m_header = new QLabel;
    QFont hf = m_header->font();
    hf.setBold(true);
    m_header->setFont(hf);
    m_finish = new QPushButton(tr("Finish && rate…"));
    m_finish->setToolTip(tr("End the conversation and rate each agent"));
    m_saveRatings = new QPushButton(tr("Save ratings"));
    m_saveRatings->hide();
    auto* top = new QHBoxLayout;
    top->addWidget(m_header, 1);
    top->addWidget(m_finish);
    top->addWidget(m_saveRatings);

    auto* columnsHost = new QWidget;
    m_columnsLayout = new QHBoxLayout(columnsHost);
    m_columnsLayout->setContentsMargins(0, 0, 0, 0);
    m_columnsLayout->setSpacing(8);

    auto* edit = new MessageEdit;
    edit->onSend = [this] {
        if (m_send->isEnabled())
            sendMessage(m_input->toPlainText());
    };
    m_input = edit;
    m_input->setPlaceholderText(tr("Your message to every agent (Enter sends, Shift+Enter for a new line)"));
    m_input->setFixedHeight(m_input->fontMetrics().height() * 3 + 14);
    m_send = new QPushButton(tr("Send"));
    m_send->setDefault(true);
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setToolTip(tr("Stop every reply being generated (what was written so far is kept)"));
    auto* inputRow = new QHBoxLayout;
    inputRow->addWidget(m_input, 1);
    auto* buttons = new QVBoxLayout;
    buttons->addWidget(m_send);
    buttons->addWidget(m_stop);
    inputRow->addLayout(buttons);

    m_status = new QLabel;
    m_status->setStyleSheet(style::mutedTextCss());
    m_status->setWordWrap(true);

    auto* layout = new QVBoxLayout(page);
    layout->addLayout(top);
    layout->addWidget(columnsHost, 1);
    layout->addLayout(inputRow);
    layout->addWidget(m_status);

    connect(m_send, &QPushButton::clicked, this, [this] { sendMessage(m_input->toPlainText()); });
    connect(m_stop, &QPushButton::clicked, this, &ChatPage::stopGeneration);
    connect(m_finish, &QPushButton::clicked, this, &ChatPage::finishSession);
    connect(m_saveRatings, &QPushButton::clicked, this, [this] {
        if (!saveRatings())
            setStatus(tr("Rate every agent on every scale and enter the outcome before saving."));
    });
    return page;
}

void ChatPage::buildColumns()
{
    for (auto& c : m_columns)
        if (c.widget)
            c.widget->deleteLater();
    m_columns.clear();
    if (!m_info)
        return;
    const bool counseling = m_taskObj.kind == hw::TaskKind::Counseling;
    const QString userName = QString::fromStdString(m_taskObj.userRole.empty() ? "you" : m_taskObj.userRole);
    for (size_t col = 0; col < m_info->columnOrder.size(); ++col) {
        Column c;
        c.slot = m_info->columnOrder[col];
        const auto& spec = m_info->agents.at(size_t(c.slot));
        c.widget = new ChatColumn;
        c.widget->model()->setNames(QString::fromStdString(m_info->columnLabel(int(col))), tr("You (%1)").arg(userName));
        c.widget->setBeta(spec.beta);
        const int column = static_cast<int>(col);
        connect(c.widget, &ChatColumn::betaChanged, this, [this, column](double beta) {
            if (column < int(m_columns.size()) && m_columns[size_t(column)].worker)
                m_columns[size_t(column)].worker->setBeta(beta);
        });
        c.rating = new RatingPanel(counseling);
        c.rating->hide();
        c.widget->setFooter(c.rating);
        m_columnsLayout->addWidget(c.widget, 1);
        m_columns.push_back(c);
    }
    // Messages and ratings of a saved session.
    try {
        hw::ChatStore store(session()->db());
        for (auto& c : m_columns) {
            for (const auto& m : store.messages(m_info->id, c.slot)) {
                if (m.role == "user")
                    c.widget->model()->addUserMessage(QString::fromStdString(m.text));
                else
                    c.widget->model()->addAgentMessage(QString::fromStdString(m.text), m.tokens);
            }
            c.widget->scrollToBottom();
        }
        for (const auto& r : store.ratings(m_info->id))
            for (auto& c : m_columns)
                if (c.slot == r.slot)
                    c.rating->setRating(r);
    } catch (const std::exception& e) {
        setStatus(QString::fromUtf8(e.what()));
    }
    applyBlindState();
}

void ChatPage::applyBlindState()
{
    if (!m_info)
        return;
    const bool finished = m_info->status == "finished";
    const bool hide = m_info->blind && !finished;
    QString header = tr("Session #%1 · %2").arg(m_info->id).arg(QString::fromStdString(m_info->taskName));
    if (m_info->blind)
        header += finished ? tr(" · blind (revealed)") : tr(" · blind");
    if (finished)
        header += tr(" · finished");
    m_header->setText(header);
    for (size_t col = 0; col < m_columns.size(); ++col) {
        Column& c = m_columns[col];
        const auto& spec = m_info->agents.at(size_t(c.slot));
        QString title = QString::fromStdString(m_info->columnLabel(int(col)));
        if (m_info->blind && finished)
            title += QStringLiteral(" = ") + QString::fromStdString(spec.displayName());
        c.widget->setTitle(title, hide ? QString() : kindText(spec));
        c.widget->setBetaVisible(!hide && !finished && spec.kind == hw::agent_kind::kIlql);
        c.widget->model()->setShowValues(!hide);
        c.widget->setLegendVisible(!hide && (c.hasValues || [&] {
            const auto* m = c.widget->model();
            for (int r = 0; r < m->rowCount(); ++r)
                if (m->index(r).data(ChatMessageModel::HasValuesRole).toBool())
                    return true;
            return false;
        }()));
        c.rating->setVisible(m_rating || finished);
        c.rating->setReadOnly(finished);
        if (!c.busy)
            showError(int(col));
    }
}

bool ChatPage::openSession(qint64 id)
{
    if (!session()->isOpen())
        return false;
    closeSession();
    try {
        hw::ChatStore store(session()->db());
        m_info = store.session(id);
        if (!m_info)
            return false;
        const auto task = taskOf(QString::fromStdString(m_info->taskName));
        m_taskObj = task ? *task : hw::Task::counseling();
    } catch (const std::exception& e) {
        setStatus(QString::fromUtf8(e.what()));
        m_info.reset();
        return false;
    }
    m_rating = false;
    buildColumns();
    m_stack->setCurrentIndex(1);
    // Agents load when the first new message is sent (a finished session only shows).
    for (int i = 0; i < m_sessions->count(); ++i)
        if (m_sessions->item(i)->data(Qt::UserRole).toLongLong() == id)
            m_sessions->setCurrentRow(i);
    updateControls();
    return true;
}

void ChatPage::closeSession()
{
    stopWorkers();
    for (auto& c : m_columns)
        if (c.widget)
            c.widget->deleteLater();
    m_columns.clear();
    m_info.reset();
    m_rating = false;
    if (m_status)
        m_status->clear();
    updateControls();
}

void ChatPage::startWorker(int column)
{
    Column& c = m_columns[size_t(column)];
    if (c.thread)
        return;
    c.thread = new QThread(this);
    c.thread->setObjectName(QStringLiteral("chat-agent-%1").arg(column));
    c.worker = new GenerationWorker;
    c.worker->moveToThread(c.thread);
    connect(c.thread, &QThread::finished, c.worker, &QObject::deleteLater);
    connect(c.worker, &GenerationWorker::loaded, this, [this, column](bool hasValues) {
        if (column >= int(m_columns.size()))
            return;
        Column& col = m_columns[size_t(column)];
        col.loaded = true;
        col.hasValues = hasValues;
        col.widget->setStatus(tr("ready"));
        applyBlindState();
        Q_EMIT agentLoaded(column, true);
        if (col.pending) {
            col.pending = false;
            requestReply(column);
        }
        updateControls();
    });
    connect(c.worker, &GenerationWorker::loadFailed, this, [this, column](const QString& msg) {
        if (column >= int(m_columns.size()))
            return;
        Column& col = m_columns[size_t(column)];
        col.loadFailed = true;
        col.error = msg;
        col.errorOnLoad = true;
        showError(column);
        if (col.pending) {
            col.pending = false;
            onReplyFailed(column, msg);
        }
        Q_EMIT agentLoaded(column, false);
        updateControls();
    });
    connect(c.worker, &GenerationWorker::token, this, [this, column](const hw::TokenValue& t) { onToken(column, t); });
    connect(c.worker, &GenerationWorker::finished, this, [this, column](const hw::ChatReply& r) { onReply(column, r); });
    connect(c.worker, &GenerationWorker::failed, this, [this, column](const QString& msg) { onReplyFailed(column, msg); });
    c.thread->start();
    c.widget->setStatus(tr("loading…"));
    GenerationWorker* worker = c.worker;
    hw::ChatAgentSpec spec = m_info->agents.at(size_t(c.slot));
    spec.beta = c.widget->beta();
    QMetaObject::invokeMethod(worker, [worker, spec] { worker->load(spec, hw::ChatAgentEnv{}); }, Qt::QueuedConnection);
}

void ChatPage::stopWorkers()
{
    for (auto& c : m_columns)
        if (c.worker)
            c.worker->cancel();
    for (auto& c : m_columns) {
        if (!c.thread)
            continue;
        c.thread->quit();
        c.thread->wait();
        delete c.thread;
        c.thread = nullptr;
        c.worker = nullptr;
    }
}

std::vector<hw::Turn> ChatPage::historyOf(int column) const
{
    std::vector<hw::Turn> turns;
    const ChatMessageModel* m = m_columns[size_t(column)].widget->model();
    for (int r = 0; r < m->rowCount(); ++r) {
        hw::Turn t;
        t.index = static_cast<int>(turns.size());
        t.role = m->isAgent(r) ? hw::Role::Agent : hw::Role::User;
        t.text = m->text(r).toStdString();
        if (t.role == hw::Role::Agent && t.text.empty())
            continue;
        turns.push_back(std::move(t));
    }
    return turns;
}

bool ChatPage::sendMessage(const QString& rawText)
{
    const QString text = rawText.trimmed();
    if (!m_info || text.isEmpty() || isGenerating() || m_info->status == "finished")
        return false;
    try {
        hw::ChatStore store(session()->db());
        store.addUserMessage(m_info->id, text.toStdString());
    } catch (const std::exception& e) {
        setStatus(QString::fromUtf8(e.what()));
        return false;
    }
    m_input->clear();
    ++m_info->userMessages;
    updateSessionItem(*m_info); // the list counts this message now, not when the session ends
    for (size_t col = 0; col < m_columns.size(); ++col) {
        Column& c = m_columns[col];
        c.widget->model()->addUserMessage(text);
        if (!c.thread)
            startWorker(int(col));
        c.busy = true;
        c.tokens = 0;
        c.streamingRow = c.widget->model()->beginAgentMessage();
        c.widget->scrollToBottom();
        if (c.loaded)
            requestReply(int(col));
        else if (c.loadFailed)
            onReplyFailed(int(col), c.error);
        else
            c.pending = true;
    }
    setStatus(tr("Agents are replying…"));
    updateControls();
    return true;
}

void ChatPage::requestReply(int column)
{
    Column& c = m_columns[size_t(column)];
    hw::ChatReplyRequest request;
    request.task = m_taskObj;
    request.context = m_info->agents.at(size_t(c.slot)).context;
    request.history = historyOf(column);
    c.widget->setStatus(tr("typing…"));
    c.widget->setToolTip(QString());
    c.error.clear();
    c.worker->submit(request);
}

void ChatPage::onToken(int column, const hw::TokenValue& token)
{
    if (column >= int(m_columns.size()))
        return;
    Column& c = m_columns[size_t(column)];
    if (c.streamingRow < 0)
        return;
    c.widget->model()->appendToken(c.streamingRow, token);
    ++c.tokens;
    // Blind: endpoints do not stream, so a running token count would tell local agents apart.
    c.widget->setStatus(namesHidden() ? tr("typing…") : tr("typing… %n token(s)", nullptr, c.tokens));
    c.widget->scrollToBottom();
}

void ChatPage::onReply(int column, const hw::ChatReply& reply)
{
    if (column >= int(m_columns.size()) || !m_info)
        return;
    Column& c = m_columns[size_t(column)];
    const bool local = m_info->agents.at(size_t(c.slot)).isLocal();
    QStringList tags;
    if (reply.cancelled)
        tags << tr("stopped");
    tags << tr("%1 s").arg(reply.seconds, 0, 'f', 1);
    // Local replies keep the streamed pieces (their shading); endpoints show the parsed reply.
    c.widget->model()->finishAgentMessage(c.streamingRow,
                                          local ? QString() : QString::fromStdString(reply.text), tags);
    c.widget->setStatus(replyStatus(reply, local));
    try {
        hw::ChatStore store(session()->db());
        const QString shown = c.widget->model()->text(c.streamingRow);
        store.addAgentMessage(m_info->id, c.slot, shown.toStdString(), local ? reply.tokens : std::vector<hw::TokenValue>{});
    } catch (const std::exception& e) {
        setStatus(QString::fromUtf8(e.what()));
    }
    c.streamingRow = -1;
    c.busy = false;
    applyBlindState();
    Q_EMIT replyFinished(column);
    if (!isGenerating()) {
        setStatus(tr("Your turn."));
        Q_EMIT allRepliesFinished();
    }
    updateControls();
}

void ChatPage::onReplyFailed(int column, const QString& message)
{
    if (column >= int(m_columns.size()))
        return;
    Column& c = m_columns[size_t(column)];
    if (!c.errorOnLoad || c.error.isEmpty()) {
        c.error = message;
        c.errorOnLoad = false;
    }
    endReply(column, tr("error"), errorStatus(column));
    showError(column);
}

bool ChatPage::namesHidden() const { return m_info && m_info->blind && m_info->status != "finished"; }

// One format for every agent kind: in blind mode the status line must not tell a checkpoint from
// an endpoint. The local-only figures (first token, decoding rate) appear once names are shown.
QString ChatPage::replyStatus(const hw::ChatReply& reply, bool local) const
{
    QString text = tr("%1 tokens · %2 s").arg(reply.tokenCount).arg(reply.seconds, 0, 'f', 2);
    if (reply.cancelled)
        text += tr(" · stopped");
    if (local && !namesHidden()) {
        const double tps = reply.seconds > reply.firstTokenSeconds && reply.tokenCount > 1
            ? (reply.tokenCount - 1) / (reply.seconds - reply.firstTokenSeconds)
            : 0.0;
        text += tr(" · first token %1 ms · %2 tokens/s")
                    .arg(reply.firstTokenSeconds * 1000, 0, 'f', 0)
                    .arg(tps, 0, 'f', 0);
    }
    return text;
}

// Errors name checkpoint paths, hosts and HTTP details: in blind mode only "Agent B could not
// start/reply" until the ratings are saved, then the details.
QString ChatPage::errorStatus(int column) const
{
    const Column& c = m_columns[size_t(column)];
    if (namesHidden())
        return c.errorOnLoad ? tr("%1 could not start").arg(QString::fromStdString(m_info->columnLabel(column)))
                             : tr("%1 could not reply").arg(QString::fromStdString(m_info->columnLabel(column)));
    return c.errorOnLoad ? tr("cannot load: %1").arg(c.error) : tr("error: %1").arg(c.error);
}

void ChatPage::showError(int column)
{
    Column& c = m_columns[size_t(column)];
    if (c.error.isEmpty())
        return;
    c.widget->setStatus(errorStatus(column));
    c.widget->setToolTip(namesHidden() ? QString() : c.error);
}

void ChatPage::endReply(int column, const QString& tag, const QString& status)
{
    if (column >= int(m_columns.size()))
        return;
    Column& c = m_columns[size_t(column)];
    if (c.streamingRow >= 0)
        c.widget->model()->finishAgentMessage(c.streamingRow, c.widget->model()->text(c.streamingRow), {tag});
    c.widget->setStatus(status);
    c.streamingRow = -1;
    c.busy = false;
    Q_EMIT replyFinished(column);
    if (!isGenerating())
        Q_EMIT allRepliesFinished();
    updateControls();
}

void ChatPage::stopGeneration()
{
    for (auto& c : m_columns) {
        if (!c.busy)
            continue;
        if (c.pending) {
            // Never started: end the empty reply here.
            c.pending = false;
            endReply(int(&c - &m_columns[0]), tr("stopped"), tr("stopped before the agent was loaded"));
        } else if (c.worker) {
            c.worker->cancel();
        }
    }
    setStatus(tr("Stopping…"));
}

bool ChatPage::isGenerating() const
{
    return std::any_of(m_columns.begin(), m_columns.end(), [](const Column& c) { return c.busy; });
}

bool ChatPage::agentsReady() const
{
    return !m_columns.empty()
        && std::all_of(m_columns.begin(), m_columns.end(), [](const Column& c) { return c.loaded || c.loadFailed; });
}

QList<ChatColumn*> ChatPage::columns() const
{
    QList<ChatColumn*> out;
    for (const auto& c : m_columns)
        out << c.widget;
    return out;
}

RatingPanel* ChatPage::ratingPanel(int column) const
{
    return column >= 0 && column < int(m_columns.size()) ? m_columns[size_t(column)].rating : nullptr;
}

void ChatPage::finishSession()
{
    if (!m_info || isGenerating())
        return;
    m_rating = true;
    applyBlindState();
    setStatus(tr("Rate each agent, then Save ratings.%1")
                  .arg(m_info->blind ? tr(" Names are revealed after saving.") : QString()));
    updateControls();
}

bool ChatPage::saveRatings()
{
    if (!m_info)
        return false;
    for (const auto& c : m_columns)
        if (!c.rating->isComplete())
            return false;
    try {
        hw::ChatStore store(session()->db());
        hw::Transaction tx(session()->db());
        for (const auto& c : m_columns) {
            hw::ChatRating r = c.rating->rating();
            r.slot = c.slot;
            r.agentLabel = m_info->agents.at(size_t(c.slot)).displayName();
            store.saveRating(m_info->id, r);
        }
        store.setStatus(m_info->id, "finished");
        tx.commit();
        m_info = store.session(m_info->id);
    } catch (const std::exception& e) {
        setStatus(QString::fromUtf8(e.what()));
        return false;
    }
    m_rating = false;
    stopWorkers();
    for (auto& c : m_columns)
        c.loaded = false;
    applyBlindState();
    refreshSessions();
    setStatus(tr("Ratings saved. The Results tab shows every agent's mean ± std."));
    updateControls();
    Q_EMIT sessionSaved(m_info->id);
    return true;
}

QString ChatPage::sessionText(const hw::ChatSessionInfo& s) const
{
    QString text = tr("#%1 · %2 · %n agent(s)", nullptr, int(s.agents.size())).arg(s.id).arg(QString::fromStdString(s.taskName));
    if (s.blind)
        text += tr(" · blind");
    text += QStringLiteral("\n") + tr("%n message(s)", nullptr, int(s.userMessages))
        + (s.status == "finished" ? tr(" · rated") : QString());
    return text;
}

void ChatPage::updateSessionItem(const hw::ChatSessionInfo& s)
{
    for (int i = 0; i < m_sessions->count(); ++i)
        if (QListWidgetItem* item = m_sessions->item(i); item->data(Qt::UserRole).toLongLong() == s.id)
            item->setText(sessionText(s));
}

void ChatPage::refreshSessions()
{
    m_sessions->clear();
    if (!session()->isOpen())
        return;
    try {
        hw::ChatStore store(session()->db());
        hw::StudyStore studies(session()->db());
        for (const auto& s : store.sessions()) {
            if (studies.isStudySession(s.id))
                continue; // a human study's trial: shown on the Human study tab only
            auto* item = new QListWidgetItem(sessionText(s), m_sessions);
            item->setData(Qt::UserRole, QVariant::fromValue<qint64>(s.id));
            if (m_info && s.id == m_info->id)
                m_sessions->setCurrentItem(item);
        }
    } catch (const std::exception& e) {
        setStatus(QString::fromUtf8(e.what()));
    }
    updateEmptyState();
}

void ChatPage::updateControls()
{
    if (!m_send)
        return;
    const bool open = m_info.has_value();
    const bool finished = open && m_info->status == "finished";
    const bool busy = isGenerating();
    m_send->setEnabled(open && !finished && !busy && !m_rating);
    m_input->setEnabled(open && !finished && !m_rating);
    m_stop->setEnabled(busy);
    m_finish->setVisible(!finished && !m_rating);
    m_finish->setEnabled(open && !busy);
    m_saveRatings->setVisible(m_rating && !finished);
}

void ChatPage::setStatus(const QString& text)
{
    if (m_status)
        m_status->setText(text);
}

QString ChatPage::statusText() const { return m_status ? m_status->text() : QString(); }

} // namespace hw::ui
