#include "ui/pages/chat/study_trial_view.h"

#include "core/chat/chat_agent.h"
#include "core/store/chat_store.h"
#include "core/store/database.h"
#include "ui/models/chat_message_model.h"
#include "ui/pages/chat/rating_panel.h"
#include "ui/project_session.h"
#include "ui/style/ui_style.h"
#include "ui/widgets/chat_column.h"
#include "ui/workers/generation_worker.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QStackedWidget>
#include <QThread>
#include <QVBoxLayout>

namespace hw::ui {

namespace {
enum Step { IntensityStep = 0, ChatStep = 1 };
}

StudyTrialView::StudyTrialView(ProjectSession* session, QWidget* parent) : QWidget(parent), m_session(session)
{
    m_header = new QLabel;
    QFont hf = m_header->font();
    hf.setBold(true);
    m_header->setFont(hf);
    m_abandon = new QPushButton(tr("Abandon trial"));
    m_abandon->setToolTip(tr("Stop this trial without ratings; it is offered again after the participant's other trials"));
    auto* top = new QHBoxLayout;
    top->addWidget(m_header, 1);
    top->addWidget(m_abandon);

    m_steps = new QStackedWidget;
    m_steps->addWidget(buildIntensityStep());
    m_steps->addWidget(buildChatStep());
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("trialStatus"));
    m_status->setWordWrap(true);
    m_status->setStyleSheet(style::mutedTextCss());

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_steps, 1);
    layout->addWidget(m_status);
    connect(m_abandon, &QPushButton::clicked, this, &StudyTrialView::abandon);
    updateControls();
}

StudyTrialView::~StudyTrialView() { stopWorker(); }

QWidget* StudyTrialView::buildIntensityStep()
{
    auto* page = new QWidget;
    auto* question = new QLabel(tr("Before we start: how intense is the emotion you feel about your situation right now?"));
    question->setWordWrap(true);
    auto* row = new QHBoxLayout;
    m_intensity = new QButtonGroup(this);
    const QStringList names = {tr("1 none"), tr("2 mild"), tr("3 moderate"), tr("4 strong"), tr("5 extreme")};
    for (int v = 1; v <= 5; ++v) {
        auto* b = new QRadioButton(names[v - 1]);
        m_intensity->addButton(b, v);
        row->addWidget(b);
    }
    row->addStretch(1);
    m_intensityStart = new QPushButton(tr("Start the conversation"));
    m_intensityStart->setEnabled(false);
    connect(m_intensity, &QButtonGroup::idClicked, this, [this] { m_intensityStart->setEnabled(true); });
    connect(m_intensityStart, &QPushButton::clicked, this, [this] { startWithIntensity(m_intensity->checkedId()); });
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(question);
    layout->addLayout(row);
    layout->addWidget(m_intensityStart, 0, Qt::AlignLeft);
    layout->addStretch(1);
    return page;
}

QWidget* StudyTrialView::buildChatStep()
{
    auto* page = new QWidget;
    m_column = new ChatColumn;
    m_ratingHost = new QWidget;
    auto* ratingLayout = new QVBoxLayout(m_ratingHost);
    ratingLayout->setContentsMargins(0, 0, 0, 0);
    m_column->setFooter(m_ratingHost);
    m_input = new QPlainTextEdit;
    m_input->setPlaceholderText(tr("Your message"));
    m_input->setFixedHeight(m_input->fontMetrics().height() * 3 + 14);
    m_send = new QPushButton(tr("Send"));
    m_send->setDefault(true);
    m_finish = new QPushButton(tr("Finish && rate…"));
    m_save = new QPushButton(tr("Save ratings"));
    auto* buttons = new QVBoxLayout;
    buttons->addWidget(m_send);
    buttons->addWidget(m_finish);
    buttons->addWidget(m_save);
    auto* inputRow = new QHBoxLayout;
    inputRow->addWidget(m_input, 1);
    inputRow->addLayout(buttons);
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_column, 1);
    layout->addLayout(inputRow);
    connect(m_send, &QPushButton::clicked, this, [this] { sendMessage(m_input->toPlainText()); });
    connect(m_finish, &QPushButton::clicked, this, &StudyTrialView::finish);
    connect(m_save, &QPushButton::clicked, this, &StudyTrialView::saveRatings);
    return page;
}

QString StudyTrialView::label() const
{
    return m_study && m_trial ? QString::fromStdString(m_study->labels.at(size_t(m_trial->agentIndex))) : QString();
}

QString StudyTrialView::header() const
{
    if (!m_trial)
        return {};
    return tr("Trial %1 of %2 for participant %3 · %4")
        .arg(m_number)
        .arg(m_total)
        .arg(QString::fromStdString(m_trial->participant), label());
}

bool StudyTrialView::begin(const hw::StudyInfo& study, const hw::StudyTrial& trial, const hw::Task& task, int number,
                           int total)
{
    close();
    m_study = study;
    m_trial = trial;
    m_task = task;
    m_number = number;
    m_total = total;
    m_userTurns = 0;
    m_rateStep = false;
    m_header->setText(header());
    m_column->model()->clear();
    m_column->model()->setNames(label(), tr("You"));
    m_column->model()->setShowValues(false);
    m_column->setTitle(label(), QString());
    m_column->setBetaVisible(false);
    m_column->setLegendVisible(false);
    m_column->setStatus(QString());
    m_column->setToolTip(QString());
    delete m_rating;
    m_rating = new RatingPanel(study.counseling);
    m_rating->setTitle(tr("Your ratings of %1").arg(label()));
    m_ratingHost->layout()->addWidget(m_rating);
    m_rating->hide();
    if (trial.status == hw::trial_status::kRunning && trial.sessionId) {
        // Resume: the messages so far, then go on.
        try {
            hw::ChatStore store(m_session->db());
            for (const auto& m : store.messages(*trial.sessionId, 0)) {
                if (m.role == "user") {
                    m_column->model()->addUserMessage(QString::fromStdString(m.text));
                    ++m_userTurns;
                } else {
                    m_column->model()->addAgentMessage(QString::fromStdString(m.text), {});
                }
            }
        } catch (const std::exception& e) {
            setStatus(QString::fromUtf8(e.what()));
        }
        m_steps->setCurrentIndex(ChatStep);
        startWorker();
        setStatus(tr("Resumed. Turn %1 of %2.").arg(m_userTurns).arg(study.maxTurns));
        agentOpensIfDue();
        updateControls();
        return true;
    }
    if (study.counseling) {
        m_intensity->setExclusive(false);
        for (auto* b : m_intensity->buttons())
            b->setChecked(false);
        m_intensity->setExclusive(true);
        m_intensityStart->setEnabled(false);
        m_steps->setCurrentIndex(IntensityStep);
        setStatus(tr("Ask the participant for their emotional intensity before the conversation."));
        updateControls();
        return true;
    }
    return openChat();
}

bool StudyTrialView::startWithIntensity(int intensity)
{
    if (!m_trial || !m_study || !m_study->counseling || m_trial->status == hw::trial_status::kRunning)
        return false;
    if (intensity < 1 || intensity > 5) {
        setStatus(tr("Choose an intensity from 1 to 5."));
        return false;
    }
    m_trial->initialIntensity = intensity;
    return openChat();
}

bool StudyTrialView::openChat()
{
    try {
        hw::Database& db = m_session->db();
        hw::Transaction tx(db);
        hw::ChatStore chats(db);
        const int64_t sessionId = chats.createSession(m_study->taskId, true, {m_study->agents.at(size_t(m_trial->agentIndex))});
        hw::StudyStore(db).startTrial(m_trial->id, sessionId, m_study->counseling ? m_trial->initialIntensity : std::nullopt);
        tx.commit();
        m_trial = hw::StudyStore(db).trial(m_trial->id);
    } catch (const std::exception& e) {
        setStatus(QString::fromUtf8(e.what()));
        updateControls();
        return false;
    }
    m_steps->setCurrentIndex(ChatStep);
    startWorker();
    setStatus(tr("%1 is ready when you are: up to %2 turns.").arg(label()).arg(m_study->maxTurns));
    agentOpensIfDue();
    updateControls();
    m_input->setFocus();
    return true;
}

void StudyTrialView::agentOpensIfDue()
{
    // The task's order: in persuasion the persuader (the agent) speaks first, as in the paper's study.
    if (!m_task.agentOpens() || m_column->model()->rowCount() > 0 || m_busy)
        return;
    m_busy = true;
    m_streamingRow = m_column->model()->beginAgentMessage();
    if (m_loaded)
        requestReply();
    else if (m_loadFailed)
        onFailed(QString());
    else
        m_pending = true;
    setStatus(tr("%1 opens the conversation…").arg(label()));
}

void StudyTrialView::startWorker()
{
    if (m_thread)
        return;
    m_loaded = m_loadFailed = m_pending = m_busy = false;
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("study-agent"));
    m_worker = new GenerationWorker;
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &GenerationWorker::loaded, this, [this](bool) {
        m_loaded = true;
        m_column->setStatus(tr("ready"));
        Q_EMIT agentLoaded(true);
        if (m_pending) {
            m_pending = false;
            requestReply();
        }
    });
    connect(m_worker, &GenerationWorker::loadFailed, this, [this](const QString& msg) {
        m_loadFailed = true;
        Q_EMIT agentLoaded(false);
        if (m_pending) {
            m_pending = false;
            onFailed(msg);
        } else {
            m_column->setStatus(tr("%1 could not start").arg(label()));
        }
    });
    connect(m_worker, &GenerationWorker::token, this, &StudyTrialView::onToken);
    connect(m_worker, &GenerationWorker::finished, this, &StudyTrialView::onReply);
    connect(m_worker, &GenerationWorker::failed, this, &StudyTrialView::onFailed);
    m_thread->start();
    m_column->setStatus(tr("loading…"));
    GenerationWorker* worker = m_worker;
    const hw::ChatAgentSpec spec = m_study->agents.at(size_t(m_trial->agentIndex));
    QMetaObject::invokeMethod(worker, [worker, spec] { worker->load(spec, hw::ChatAgentEnv{}); }, Qt::QueuedConnection);
}

void StudyTrialView::stopWorker()
{
    if (m_worker)
        m_worker->cancel();
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
        delete m_thread;
    }
    m_thread = nullptr;
    m_worker = nullptr;
    m_busy = false;
    m_pending = false;
    m_streamingRow = -1;
}

bool StudyTrialView::atTurnCap() const { return m_study && m_userTurns >= m_study->maxTurns; }

bool StudyTrialView::sendMessage(const QString& rawText)
{
    const QString text = rawText.trimmed();
    if (!m_trial || m_trial->status != hw::trial_status::kRunning || m_rateStep || m_busy || text.isEmpty())
        return false;
    if (atTurnCap()) {
        setStatus(tr("The turn cap is reached (%1 of %1 turns): finish and rate the conversation.").arg(m_study->maxTurns));
        updateControls();
        return false;
    }
    try {
        hw::ChatStore(m_session->db()).addUserMessage(*m_trial->sessionId, text.toStdString());
    } catch (const std::exception& e) {
        setStatus(QString::fromUtf8(e.what()));
        return false;
    }
    ++m_userTurns;
    m_input->clear();
    m_column->model()->addUserMessage(text);
    m_busy = true;
    m_streamingRow = m_column->model()->beginAgentMessage();
    m_column->scrollToBottom();
    if (!m_thread)
        startWorker();
    if (m_loaded)
        requestReply();
    else if (m_loadFailed)
        onFailed(QString());
    else
        m_pending = true;
    setStatus(tr("Turn %1 of %2 · %3 is replying…").arg(m_userTurns).arg(m_study->maxTurns).arg(label()));
    updateControls();
    return true;
}

void StudyTrialView::requestReply()
{
    hw::ChatReplyRequest request;
    request.task = m_task;
    request.context = m_study->agents.at(size_t(m_trial->agentIndex)).context;
    const ChatMessageModel* m = m_column->model();
    for (int r = 0; r < m->rowCount(); ++r) {
        hw::Turn t;
        t.index = static_cast<int>(request.history.size());
        t.role = m->isAgent(r) ? hw::Role::Agent : hw::Role::User;
        t.text = m->text(r).toStdString();
        if (t.role == hw::Role::Agent && t.text.empty())
            continue;
        request.history.push_back(std::move(t));
    }
    m_column->setStatus(tr("typing…"));
    m_worker->submit(request);
}

void StudyTrialView::onToken(const hw::TokenValue& token)
{
    if (m_streamingRow < 0)
        return;
    m_column->model()->appendToken(m_streamingRow, token);
    m_column->scrollToBottom();
}

void StudyTrialView::onReply(const hw::ChatReply& reply)
{
    if (m_streamingRow < 0 || !m_trial)
        return;
    const bool local = m_study->agents.at(size_t(m_trial->agentIndex)).isLocal();
    // No timing tags: a reply's speed would tell a checkpoint from an endpoint.
    m_column->model()->finishAgentMessage(m_streamingRow, local ? QString() : QString::fromStdString(reply.text), {});
    try {
        hw::ChatStore(m_session->db())
            .addAgentMessage(*m_trial->sessionId, 0, m_column->model()->text(m_streamingRow).toStdString(),
                             local ? reply.tokens : std::vector<hw::TokenValue>{});
    } catch (const std::exception& e) {
        setStatus(QString::fromUtf8(e.what()));
    }
    m_streamingRow = -1;
    m_busy = false;
    m_column->setStatus(QString());
    setStatus(atTurnCap() ? tr("That was the last turn (%1 of %1): finish and rate the conversation.").arg(m_study->maxTurns)
                          : tr("Turn %1 of %2 · your turn.").arg(m_userTurns).arg(m_study->maxTurns));
    updateControls();
    Q_EMIT replyFinished();
}

void StudyTrialView::onFailed(const QString&)
{
    // Details would name the agent (paths, hosts): the participant sees only that it failed.
    if (m_streamingRow >= 0)
        m_column->model()->finishAgentMessage(m_streamingRow, m_column->model()->text(m_streamingRow), {tr("error")});
    m_streamingRow = -1;
    m_busy = false;
    m_column->setStatus(tr("%1 could not reply").arg(label()));
    setStatus(tr("%1 could not reply. Try again, or abandon the trial.").arg(label()));
    updateControls();
    Q_EMIT replyFinished();
}

void StudyTrialView::finish()
{
    if (!m_trial || m_trial->status != hw::trial_status::kRunning || m_busy)
        return;
    m_rateStep = true;
    m_rating->show();
    setStatus(tr("Rate %1, then Save ratings.").arg(label()));
    updateControls();
}

bool StudyTrialView::saveRatings()
{
    if (!m_trial || !m_rateStep)
        return false;
    if (!m_rating->isComplete()) {
        setStatus(tr("Answer every scale and the %1 before saving.")
                      .arg(m_study->counseling ? tr("final intensity") : tr("donation")));
        return false;
    }
    const qint64 id = m_trial->id;
    try {
        hw::Database& db = m_session->db();
        hw::Transaction tx(db);
        hw::StudyStore(db).finishTrial(id, m_rating->rating());
        hw::ChatStore(db).setStatus(*m_trial->sessionId, "finished");
        tx.commit();
    } catch (const std::exception& e) {
        setStatus(QString::fromUtf8(e.what()));
        return false;
    }
    stopWorker();
    m_trial.reset();
    m_rateStep = false;
    updateControls();
    Q_EMIT trialSaved(id);
    return true;
}

void StudyTrialView::abandon()
{
    if (!m_trial)
        return;
    stopWorker();
    try {
        if (m_trial->status == hw::trial_status::kRunning)
            hw::StudyStore(m_session->db()).abandonTrial(m_trial->id);
    } catch (const std::exception& e) {
        setStatus(QString::fromUtf8(e.what()));
    }
    m_trial.reset();
    m_rateStep = false;
    updateControls();
    Q_EMIT trialClosed();
}

void StudyTrialView::close()
{
    stopWorker();
    m_trial.reset();
    m_rateStep = false;
    updateControls();
}

void StudyTrialView::updateControls()
{
    const bool running = m_trial && m_trial->status == hw::trial_status::kRunning;
    m_send->setEnabled(running && !m_rateStep && !m_busy && !atTurnCap());
    m_input->setEnabled(running && !m_rateStep && !atTurnCap());
    m_finish->setVisible(!m_rateStep);
    m_finish->setEnabled(running && !m_busy && m_userTurns > 0);
    m_save->setVisible(m_rateStep);
    m_abandon->setEnabled(m_trial.has_value());
}

void StudyTrialView::setStatus(const QString& text) { m_status->setText(text); }

QString StudyTrialView::statusText() const { return m_status->text(); }

} // namespace hw::ui
