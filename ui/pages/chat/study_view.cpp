#include "ui/pages/chat/study_view.h"

#include "core/eval/human_study.h"
#include "core/store/dialogue_store.h"
#include "core/util/error.h"
#include "ui/models/study_results_model.h"
#include "ui/pages/chat/study_setup_view.h"
#include "ui/pages/chat/study_trial_view.h"
#include "ui/project_session.h"
#include "ui/style/ui_style.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace hw::ui {

namespace {
enum Page { SetupPage = 0, OverviewPage = 1, TrialPage = 2 };
}

StudyView::StudyView(ProjectSession* session, QWidget* parent)
    : QWidget(parent), m_session(session), m_results(new StudyResultsModel(this))
{
    m_studies = new QListWidget;
    m_studies->setMinimumWidth(200);
    m_studies->setMaximumWidth(280);
    auto* newStudy = new QPushButton(tr("New study"));
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    auto* studiesLabel = new QLabel(tr("Studies"));
    QFont bf = studiesLabel->font();
    bf.setBold(true);
    studiesLabel->setFont(bf);
    leftLayout->addWidget(studiesLabel);
    leftLayout->addWidget(m_studies, 1);
    leftLayout->addWidget(newStudy);

    m_setup = new StudySetupView(session);
    m_trial = new StudyTrialView(session);
    m_stack = new QStackedWidget;
    m_stack->addWidget(m_setup);
    m_stack->addWidget(buildOverview());
    m_stack->addWidget(m_trial);

    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(left);
    splitter->addWidget(m_stack);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connect(newStudy, &QPushButton::clicked, this, &StudyView::showSetup);
    connect(m_setup, &StudySetupView::createRequested, this, [this] { createStudy(m_setup->spec()); });
    connect(m_studies, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
        // During a trial the participant is at the screen: the list does not switch studies.
        if (m_stack->currentIndex() != TrialPage)
            openStudy(item->data(Qt::UserRole).toLongLong());
    });
    connect(m_trial, &StudyTrialView::trialSaved, this, [this] { backToOverview(tr("Ratings saved.")); });
    connect(m_trial, &StudyTrialView::trialClosed, this, [this] {
        backToOverview(tr("Trial abandoned: it is offered again after the participant's other trials."));
    });
    connect(session, &ProjectSession::opened, this, [this] {
        m_trial->close();
        m_study.reset();
        refresh();
    });
    connect(session, &ProjectSession::closed, this, [this] {
        m_trial->close();
        m_study.reset();
        m_studies->clear();
        m_participants->clear();
        m_results->setResults({});
        m_stack->setCurrentIndex(SetupPage);
    });
    if (session->isOpen())
        refresh();
}

QWidget* StudyView::buildOverview()
{
    auto* page = new QWidget;
    m_header = new QLabel;
    QFont hf = m_header->font();
    hf.setBold(true);
    m_header->setFont(hf);
    m_header->setWordWrap(true);
    m_participants = new QListWidget;
    m_participants->setMaximumHeight(160);
    m_participantId = new QLineEdit;
    m_participantId->setPlaceholderText(tr("participant id, e.g. P01"));
    auto* add = new QPushButton(tr("Add participant"));
    m_startTrial = new QPushButton(tr("Start next trial"));
    m_startTrial->setObjectName(QStringLiteral("startTrial"));
    m_startTrial->setDefault(true);
    auto* addRow = new QHBoxLayout;
    addRow->addWidget(m_participantId, 1);
    addRow->addWidget(add);
    addRow->addWidget(m_startTrial);
    m_progress = new QLabel;
    m_progress->setObjectName(QStringLiteral("studyProgress"));
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_status->setStyleSheet(style::mutedTextCss());
    m_table = new QTableView;
    m_table->setModel(m_results);
    m_table->verticalHeader()->hide();
    m_table->setAlternatingRowColors(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto* resultsLabel = new QLabel(tr("Results per agent (names revealed)"));
    resultsLabel->setFont(hf);
    auto* note = new QLabel(tr("Mean of the participants' means ± std over trials [bootstrap 95% interval over "
                               "participants]: a participant's trials are not independent. Likert scales 1–5."));
    note->setWordWrap(true);
    note->setStyleSheet(style::mutedTextCss());

    auto* layout = new QVBoxLayout(page);
    layout->addWidget(m_header);
    layout->addWidget(new QLabel(tr("Participants")));
    layout->addWidget(m_participants);
    layout->addLayout(addRow);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addSpacing(8);
    layout->addWidget(resultsLabel);
    layout->addWidget(m_table, 1);
    layout->addWidget(note);

    connect(add, &QPushButton::clicked, this, [this] {
        if (addParticipant(m_participantId->text()))
            m_participantId->clear();
    });
    connect(m_participantId, &QLineEdit::returnPressed, add, &QPushButton::click);
    connect(m_startTrial, &QPushButton::clicked, this, &StudyView::startNextTrial);
    connect(m_participants, &QListWidget::currentRowChanged, this, [this] { updateProgress(); });
    return page;
}

void StudyView::refresh()
{
    if (!m_session->isOpen())
        return;
    refreshStudies();
    if (m_stack->currentIndex() == TrialPage && m_trial->isActive())
        return;
    if (m_study)
        openStudy(m_study->id);
    else if (m_studies->count() > 0)
        openStudy(m_studies->item(0)->data(Qt::UserRole).toLongLong());
    else
        showSetup();
}

void StudyView::refreshStudies()
{
    m_studies->clear();
    try {
        hw::StudyStore store(m_session->db());
        for (const auto& s : store.studies()) {
            int done = 0, total = 0;
            const auto people = store.participants(s.id);
            for (const auto& p : people) {
                done += p.done;
                total += p.total;
            }
            auto* item = new QListWidgetItem(tr("#%1 · %2 · %3\n%n participant(s) · %4/%5 trials", nullptr,
                                                int(people.size()))
                                                 .arg(s.id)
                                                 .arg(QString::fromStdString(s.name), QString::fromStdString(s.task))
                                                 .arg(done)
                                                 .arg(total),
                                             m_studies);
            item->setData(Qt::UserRole, QVariant::fromValue<qint64>(s.id));
            if (m_study && m_study->id == s.id)
                m_studies->setCurrentItem(item);
        }
    } catch (const std::exception& e) {
        setStatus(QString::fromUtf8(e.what()));
    }
}

void StudyView::showSetup()
{
    if (m_stack->currentIndex() == TrialPage && m_trial->isActive())
        return;
    m_setup->refresh();
    m_stack->setCurrentIndex(SetupPage);
}

qint64 StudyView::createStudy(const hw::StudySpec& spec)
{
    if (!m_session->isOpen())
        return 0;
    qint64 id = 0;
    try {
        id = hw::StudyStore(m_session->db()).createStudy(spec);
    } catch (const std::exception& e) {
        m_setup->setNote(QString::fromUtf8(e.what()));
        return 0;
    }
    refreshStudies();
    openStudy(id);
    setStatus(tr("Study created. Add a participant, then start their first trial."));
    return id;
}

bool StudyView::openStudy(qint64 id)
{
    try {
        m_study = hw::StudyStore(m_session->db()).study(id);
    } catch (const std::exception& e) {
        setStatus(QString::fromUtf8(e.what()));
        m_study.reset();
    }
    if (!m_study)
        return false;
    for (int i = 0; i < m_studies->count(); ++i)
        if (m_studies->item(i)->data(Qt::UserRole).toLongLong() == id)
            m_studies->setCurrentRow(i);
    refreshStudy();
    m_stack->setCurrentIndex(OverviewPage);
    return true;
}

void StudyView::refreshStudy()
{
    if (!m_study)
        return;
    const QString current = participant();
    m_header->setText(tr("%1 · %2 · %n agent(s) × %3 trial(s) · up to %4 turns", nullptr, int(m_study->agents.size()))
                          .arg(QString::fromStdString(m_study->name), QString::fromStdString(m_study->task))
                          .arg(m_study->trialsPerAgent)
                          .arg(m_study->maxTurns));
    m_participants->clear();
    try {
        hw::StudyStore store(m_session->db());
        for (const auto& p : store.participants(m_study->id)) {
            auto* item = new QListWidgetItem(tr("%1 · %2 of %3 trials done")
                                                 .arg(QString::fromStdString(p.participant))
                                                 .arg(p.done)
                                                 .arg(p.total),
                                             m_participants);
            item->setData(Qt::UserRole, QString::fromStdString(p.participant));
            if (QString::fromStdString(p.participant) == current)
                m_participants->setCurrentItem(item);
        }
        m_results->setResults(hw::humanStudyResults(*m_study, store.trials(m_study->id)));
    } catch (const std::exception& e) {
        setStatus(QString::fromUtf8(e.what()));
    }
    if (!m_participants->currentItem() && m_participants->count() > 0)
        m_participants->setCurrentRow(m_participants->count() - 1);
    updateProgress();
}

QString StudyView::participant() const
{
    const auto* item = m_participants->currentItem();
    return item ? item->data(Qt::UserRole).toString() : QString();
}

bool StudyView::addParticipant(const QString& id)
{
    if (!m_study)
        return false;
    try {
        hw::StudyStore(m_session->db()).addParticipant(m_study->id, id.toStdString());
    } catch (const std::exception& e) {
        setStatus(QString::fromUtf8(e.what()));
        return false;
    }
    refreshStudy();
    refreshStudies();
    selectParticipant(id);
    setStatus(tr("Added %1: %n trial(s) in their own order.", nullptr, m_study->trialsPerParticipant()).arg(id));
    return true;
}

bool StudyView::selectParticipant(const QString& id)
{
    for (int i = 0; i < m_participants->count(); ++i)
        if (m_participants->item(i)->data(Qt::UserRole).toString() == id) {
            m_participants->setCurrentRow(i);
            return true;
        }
    return false;
}

hw::ParticipantProgress StudyView::progressOf(const QString& id) const
{
    hw::ParticipantProgress out;
    if (!m_study || id.isEmpty())
        return out;
    try {
        for (const auto& p : hw::StudyStore(m_session->db()).participants(m_study->id))
            if (QString::fromStdString(p.participant) == id)
                out = p;
    } catch (const std::exception&) {
    }
    return out;
}

QString StudyView::progressText() const
{
    const auto p = progressOf(participant());
    if (p.participant.empty())
        return {};
    if (p.done >= p.total)
        return tr("%1 has done all %2 trials").arg(participant()).arg(p.total);
    return tr("Trial %1 of %2 for participant %3").arg(p.done + 1).arg(p.total).arg(participant());
}

void StudyView::updateProgress()
{
    const auto p = progressOf(participant());
    m_progress->setText(p.participant.empty() ? tr("Add a participant to start.") : tr("Next: %1").arg(progressText()));
    m_startTrial->setEnabled(!p.participant.empty() && p.done < p.total);
}

std::optional<hw::Task> StudyView::taskOf(const std::string& name)
{
    if (auto t = hw::DialogueStore(m_session->db()).task(name))
        return t;
    return hw::Task::builtinNamed(name);
}

bool StudyView::startNextTrial()
{
    if (!m_study || participant().isEmpty())
        return false;
    try {
        hw::StudyStore store(m_session->db());
        const auto next = store.nextTrial(m_study->id, participant().toStdString());
        if (!next) {
            setStatus(tr("%1 has done every trial.").arg(participant()));
            return false;
        }
        const auto task = taskOf(m_study->task);
        if (!task)
            throw hw::Error("no task named '" + m_study->task + "'");
        const auto progress = progressOf(participant());
        m_stack->setCurrentIndex(TrialPage);
        if (!m_trial->begin(*m_study, *next, *task, progress.done + 1, progress.total)) {
            backToOverview(m_trial->statusText());
            return false;
        }
    } catch (const std::exception& e) {
        setStatus(QString::fromUtf8(e.what()));
        m_stack->setCurrentIndex(OverviewPage);
        return false;
    }
    return true;
}

void StudyView::backToOverview(const QString& status)
{
    refreshStudies();
    refreshStudy();
    m_stack->setCurrentIndex(OverviewPage);
    setStatus(status + QStringLiteral(" ") + progressText() + QStringLiteral("."));
}

void StudyView::setStatus(const QString& text) { m_status->setText(text); }

QString StudyView::statusText() const { return m_status->text(); }

} // namespace hw::ui
