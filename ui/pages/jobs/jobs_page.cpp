#include "ui/pages/jobs/jobs_page.h"

#include "ui/dialogs/endpoint_settings_dialog.h"
#include "ui/models/job_table_model.h"
#include "core/pipeline/stage_registry.h"
#include "core/store/dialogue_store.h"
#include "ui/pages/jobs/job_details_view.h"
#include "ui/pages/jobs/job_progress_delegate.h"
#include "ui/pages/jobs/jobs_prefs.h"
#include "ui/pages/dialogues/dialogue_selection.h"
#include "ui/pages/jobs/start_job_dialog.h"
#include "ui/project_session.h"
#include "ui/style/ui_style.h"
#include "ui/widgets/empty_state.h"
#include "ui/workers/pipeline_worker_host.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace hw::ui {

JobsPage::JobsPage(ProjectSession* session, QWidget* parent)
    : Page(session, parent), m_host(PipelineWorkerHost::of(session)), m_model(new JobTableModel(this)),
      m_table(new QTableView), m_details(new JobDetailsView(session)), m_splitter(new QSplitter(Qt::Vertical)),
      m_banner(new QLabel), m_empty(new EmptyState), m_start(new QPushButton(tr("Start job…"))),
      m_resume(new QPushButton(tr("Resume"))), m_cancel(new QPushButton(tr("Cancel"))),
      m_endpoints(new QPushButton(tr("Endpoints…"))), m_poll(new QTimer(this))
{
    m_start->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_resume->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
    m_cancel->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
    m_resume->setToolTip(tr("Run the selected job again with the same configuration: finished items are "
                            "skipped, failed ones are tried again, cached replies are not sent again."));
    m_cancel->setToolTip(tr("Stop the selected job (only jobs started in this window). Nothing finished is lost; "
                            "Resume continues it."));

    auto* tools = new QHBoxLayout;
    tools->addWidget(m_start);
    tools->addWidget(m_resume);
    tools->addWidget(m_cancel);
    tools->addSpacing(12);
    tools->addWidget(m_endpoints);
    tools->addStretch(1);
    auto* pollNote = new QLabel(tr("Jobs run by the command line appear here too."));
    pollNote->setStyleSheet(style::mutedTextCss());
    tools->addWidget(pollNote);

    m_banner->setStyleSheet(style::infoBannerCss());
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long error wraps (and is cut, the details pane has it whole) instead of widening the window.
    m_banner->setWordWrap(true);
    m_banner->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_banner->setMinimumWidth(1);
    m_banner->hide();
    m_empty->hide();
    connect(m_empty, &EmptyState::actionTriggered, this, [this] {
        if (m_emptyNeedsDialogues)
            Q_EMIT importRequested();
        else
            startJob();
    });

    m_table->setModel(m_model);
    m_table->setItemDelegateForColumn(JobTableModel::Progress, new JobProgressDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    QHeaderView* h = m_table->horizontalHeader();
    h->setSectionResizeMode(QHeaderView::ResizeToContents);
    h->setSectionResizeMode(JobTableModel::Name, QHeaderView::Stretch);
    h->setSectionResizeMode(JobTableModel::Progress, QHeaderView::Fixed);
    h->resizeSection(JobTableModel::Progress, 160);

    auto* top = new QWidget;
    auto* tl = new QVBoxLayout(top);
    tl->setContentsMargins(8, 8, 8, 0);
    tl->addLayout(tools);
    tl->addWidget(m_banner);
    tl->addWidget(m_table, 1);
    tl->addWidget(m_empty, 1);
    m_splitter->addWidget(top);
    m_splitter->addWidget(m_details);
    m_splitter->setStretchFactor(0, 2);
    m_splitter->setStretchFactor(1, 3);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 10);
    m_splitter->setSizes({400, 460}); // about ten jobs above the details
    if (!prefs::jobsSplitterState.get().isEmpty())
        m_splitter->restoreState(prefs::jobsSplitterState);
    connect(m_splitter, &QSplitter::splitterMoved, this, [this] { prefs::jobsSplitterState = m_splitter->saveState(); });

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);

    m_poll->setInterval(std::max(200, prefs::jobsPollIntervalMs.get()));
    connect(m_poll, &QTimer::timeout, this, &JobsPage::refresh);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        showCurrent();
        updateButtons();
    });
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex& tl) {
        if (tl.row() == m_table->currentIndex().row())
            updateButtons();
    });
    connect(m_start, &QPushButton::clicked, this, &JobsPage::startJob);
    connect(m_resume, &QPushButton::clicked, this, &JobsPage::resumeSelected);
    connect(m_cancel, &QPushButton::clicked, this, &JobsPage::cancelSelected);
    connect(m_endpoints, &QPushButton::clicked, this, &JobsPage::editEndpoints);

    connect(m_host, &PipelineWorkerHost::progress, this, &JobsPage::onProgress);
    connect(m_host, &PipelineWorkerHost::busyChanged, this, [this] {
        m_model->setRunningHere(m_host->runningJobId());
        refresh();
        updateBanner();
    });
    connect(m_host, &PipelineWorkerHost::jobFailed, this, [this](qint64 jobId, const QString& message) {
        m_lastError = jobId > 0 ? tr("Job %1 failed: %2").arg(jobId).arg(message) : tr("Job failed: %1").arg(message);
        updateBanner();
        if (jobId > 0)
            selectJob(jobId);
    });
    connect(m_host, &PipelineWorkerHost::jobStarted, this, [this] {
        m_lastError.clear();
        m_etaS = -1.0;
        updateBanner();
    });
    connect(session, &ProjectSession::opened, this, &JobsPage::onOpened);
    connect(session, &ProjectSession::closed, this, &JobsPage::onClosed);
    if (session->isOpen())
        onOpened();
    updateButtons();
}

JobsPage::~JobsPage() = default;

QIcon JobsPage::icon() const
{
    return style()->standardIcon(QStyle::SP_BrowserReload);
}

void JobsPage::activated()
{
    refresh();
}

void JobsPage::showEvent(QShowEvent* event)
{
    Page::showEvent(event);
    if (session()->isOpen())
        m_poll->start();
}

void JobsPage::hideEvent(QHideEvent* event)
{
    Page::hideEvent(event);
    // A job running here still reports through the host; the table only needs polling on screen.
    m_poll->stop();
}

void JobsPage::onOpened()
{
    m_lastError.clear();
    refresh();
    if (m_model->rowCount() > 0 && !m_table->currentIndex().isValid())
        m_table->selectRow(0);
    if (isVisible())
        m_poll->start();
}

void JobsPage::onClosed()
{
    m_poll->stop();
    m_model->clear();
    m_details->clear();
    updateButtons();
    updateBanner();
}

qint64 JobsPage::currentJobId() const
{
    const QModelIndex i = m_table->currentIndex();
    return i.isValid() ? i.data(JobTableModel::JobIdRole).toLongLong() : 0;
}

void JobsPage::refresh()
{
    if (!session()->isOpen())
        return;
    try {
        m_model->refresh(session()->db());
    } catch (const std::exception& e) {
        session()->showStatus(tr("Cannot read the jobs: %1").arg(QString::fromUtf8(e.what())));
        return;
    }
    m_model->setRunningHere(m_host->runningJobId());
    const bool none = m_model->rowCount() == 0;
    updateEmptyState(none);
    if (!m_table->currentIndex().isValid() && !none)
        m_table->selectRow(0);
    showCurrent();
    updateButtons();
}

void JobsPage::updateEmptyState(bool noJobs)
{
    bool needsDialogues = false;
    if (noJobs) {
        try {
            needsDialogues = hw::DialogueStore(session()->db()).count() == 0;
        } catch (const std::exception&) {
        }
    }
    // Set only on a change: the poll timer calls this every second.
    if (noJobs && (m_empty->title().isEmpty() || needsDialogues != m_emptyNeedsDialogues)) {
        if (needsDialogues)
            m_empty->setContent(tr("No jobs yet"),
                                tr("Jobs run the hindsight pipeline (relabel, regenerate, label…) on the project's "
                                   "dialogues, and it has none yet: import dialogues first (File ▸ Import "
                                   "Dialogues…)."),
                                tr("Import Dialogues…"));
        else
            m_empty->setContent(tr("No jobs yet"),
                                tr("Start with a relabel job: it asks the hindsight controller for better agent turns "
                                   "(Start job…). A job run in a terminal, e.g. <tt>hindsight relabel project.hwb "
                                   "--endpoint NAME</tt>, shows its progress here too."),
                                tr("Start job…"));
    }
    m_emptyNeedsDialogues = needsDialogues;
    m_table->setVisible(!noJobs);
    m_details->setVisible(!noJobs);
    m_empty->setVisible(noJobs);
}

void JobsPage::showCurrent()
{
    const hw::JobRecord* job = m_model->job(m_table->currentIndex().row());
    if (job)
        m_details->showJob(*job);
    else
        m_details->clear();
}

void JobsPage::selectJob(qint64 jobId)
{
    if (m_model->rowOf(jobId) < 0)
        refresh();
    const int row = m_model->rowOf(jobId);
    if (row >= 0)
        m_table->selectRow(row);
}

void JobsPage::onProgress(const PipelineProgress& p)
{
    m_model->setRunningHere(p.jobId);
    if (m_model->rowOf(p.jobId) < 0)
        refresh(); // the job row was just created
    m_model->setLiveProgress(p);
    m_etaS = p.etaS;
    updateBanner();
    updateButtons();
}

void JobsPage::updateBanner()
{
    QString text;
    if (m_host->isBusy()) {
        text = tr("Running here: <b>%1</b>").arg(m_host->runningLabel().toHtmlEscaped());
        const int row = m_model->rowOf(m_host->runningJobId());
        if (const hw::JobRecord* j = m_model->job(row))
            text += tr(" — job %1, %2 of %3 items").arg(j->id).arg(j->done + j->failed).arg(j->total);
        if (m_etaS >= 0) {
            const int s = qRound(m_etaS);
            text += s >= 60 ? tr(", about %1 min %2 s left").arg(s / 60).arg(s % 60) : tr(", about %1 s left").arg(s);
        }
        if (m_host->queuedCount() > 0)
            text += tr(" · %n more queued", nullptr, m_host->queuedCount());
    }
    if (!m_lastError.isEmpty())
        text += (text.isEmpty() ? QString() : QStringLiteral("<br>"))
                + QStringLiteral("<span style='color:%1'>%2</span>")
                      .arg(style::errorText().name(),
                           (m_lastError.size() > 300 ? m_lastError.left(300) + QChar(0x2026) : m_lastError).toHtmlEscaped());
    m_banner->setToolTip(m_lastError);
    m_banner->setText(text);
    m_banner->setVisible(!text.isEmpty());
}

void JobsPage::updateButtons()
{
    const bool open = session()->isOpen();
    const int row = m_table->currentIndex().row();
    const hw::JobRecord* job = m_model->job(row);
    const bool here = job && m_host->isRunningHere(job->id);
    const bool runnable = job && hw::findStageKind(job->kind) != nullptr;
    const bool stale = job && m_table->currentIndex().data(JobTableModel::StaleRole).toBool();
    const bool elsewhere = job && job->status == "running" && !here && !stale;
    m_start->setEnabled(open);
    m_resume->setEnabled(open && runnable && !here && !elsewhere && job->status != "done");
    if (job && job->status == "done" && job->failed > 0)
        m_resume->setEnabled(open && runnable && !here); // retry the failed items
    m_cancel->setEnabled(open && here);
    m_cancel->setToolTip(elsewhere ? tr("This job runs in another process (e.g. the command line); stop it there.")
                                   : tr("Stop the selected job. Nothing finished is lost; Resume continues it."));
}

void JobsPage::startJob()
{
    if (!session()->isOpen())
        return;
    StartJobDialog dialog(session(), m_host->profilesPath(), this);
    dialog.setDialogueSelection(DialogueSelection::of(session())->ids());
    dialog.execAndStart(m_host);
}

void JobsPage::resumeSelected()
{
    const qint64 id = currentJobId();
    if (id <= 0)
        return;
    QString why;
    if (!m_host->resume(id, &why)) {
        m_lastError = why;
        updateBanner();
    }
    updateButtons();
}

void JobsPage::cancelSelected()
{
    const qint64 id = currentJobId();
    if (id > 0)
        m_host->cancel(id);
    session()->showStatus(tr("Stopping job %1 after the items in flight…").arg(id));
}

void JobsPage::editEndpoints()
{
    EndpointSettingsDialog dialog(m_host->profilesPath(), this);
    dialog.exec();
}

} // namespace hw::ui
