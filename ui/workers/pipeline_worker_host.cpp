#include "ui/workers/pipeline_worker_host.h"

#include "core/store/job_store.h"
#include "core/pipeline/stage_registry.h"
#include "core/store/suggestion_store.h"
#include "core/store/dialogue_store.h"
#include "core/util/error.h"
#include "ui/pages/jobs/jobs_prefs.h"
#include "ui/project_session.h"


namespace hw::ui {
namespace {

std::optional<hw::EndpointProfile> defaultProfile(const hw::EndpointProfiles& profiles)
{
    const QString name = prefs::defaultEndpoint;
    if (!name.isEmpty())
        if (auto p = profiles.find(name.toStdString()))
            return p;
    if (profiles.all().size() == 1)
        return profiles.all().front();
    return std::nullopt;
}

} // namespace

PipelineWorkerHost* PipelineWorkerHost::of(ProjectSession* session)
{
    if (auto* host = session->findChild<PipelineWorkerHost*>(QString(), Qt::FindDirectChildrenOnly))
        return host;
    return new PipelineWorkerHost(session);
}

PipelineWorkerHost::PipelineWorkerHost(ProjectSession* session)
    : QObject(session), m_session(session), m_worker(new PipelineWorker)
{
    m_thread.setObjectName(QStringLiteral("pipeline-worker"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &PipelineWorkerHost::runRequested, m_worker, &PipelineWorker::run);
    connect(m_worker, &PipelineWorker::progress, this, &PipelineWorkerHost::onProgress);
    connect(m_worker, &PipelineWorker::failed, this, &PipelineWorkerHost::jobFailed);
    connect(m_worker, &PipelineWorker::finished, this, &PipelineWorkerHost::onFinished);
    // Jobs keep their own connection to the file they were started on; a closed project stops
    // them (they resume later where they stopped).
    connect(session, &ProjectSession::closed, this, &PipelineWorkerHost::cancelAll);
    m_thread.start();
}

PipelineWorkerHost::~PipelineWorkerHost()
{
    cancelAll();
    m_thread.quit();
    m_thread.wait();
}

QString PipelineWorkerHost::profilesPath() const
{
    return m_profilesPath.isEmpty() ? QString::fromStdString(hw::EndpointProfiles::defaultPath()) : m_profilesPath;
}

void PipelineWorkerHost::start(PipelineRequest request)
{
    if (request.projectPath.isEmpty())
        request.projectPath = m_session->path();
    if (request.label.isEmpty())
        request.label = request.kind();
    m_queue.push_back(std::move(request));
    startNext();
}

void PipelineWorkerHost::startNext()
{
    if (m_running || m_queue.empty())
        return;
    m_current = std::move(m_queue.front());
    m_queue.pop_front();
    m_running = true;
    m_runningJobId = m_current->resumeJobId;
    m_runningLabel = m_current->label;
    Q_EMIT busyChanged(true);
    Q_EMIT jobStarted(m_runningLabel);
    Q_EMIT runRequested(*m_current);
}

void PipelineWorkerHost::onProgress(const PipelineProgress& p)
{
    if (!p.kind.isEmpty())
        m_runningKind = p.kind;
    if (p.jobId > 0)
        m_runningJobId = p.jobId;
    Q_EMIT progress(p);
}

void PipelineWorkerHost::onFinished(qint64 jobId, const QString& status, const QString& summaryJson)
{
    const QString kind = m_current ? m_current->kind() : QString();
    const bool severalStages = m_current && m_current->stages.size() > 1;
    // A pipeline that stopped at one of its stages: the stages after it are stored with that job,
    // so that resuming it, in this session or a later one, continues the pipeline.
    if (m_current && jobId > 0 && m_session->isOpen()) {
        nlohmann::json rest = nlohmann::json::array();
        bool after = false;
        for (const auto& d : m_current->stages) {
            if (after)
                rest.push_back(d);
            after = after || d.kind == m_runningKind.toStdString();
        }
        try {
            hw::JobStore jobs(m_session->db());
            auto clear = [&](qint64 id) {
                if (!jobs.pipelineThen(id).empty())
                    jobs.setPipelineThen(id, nlohmann::json::array());
            };
            // The job this run resumed has handed its later stages on (to this job, or done them).
            if (m_current->resumeJobId > 0 && m_current->resumeJobId != jobId)
                clear(m_current->resumeJobId);
            if (status != QLatin1String("done") && !rest.empty())
                jobs.setPipelineThen(jobId, rest);
            else
                clear(jobId);
        } catch (const std::exception& e) {
            Q_EMIT jobFailed(jobId, tr("The pipeline stages after job %1 could not be saved (resuming it will run "
                                       "that job only): %2").arg(jobId).arg(QString::fromUtf8(e.what())));
        }
    }
    m_runningKind.clear();
    const qint64 id = jobId > 0 ? jobId : m_runningJobId;
    m_current.reset();
    m_running = false;
    m_runningJobId = 0;
    m_runningLabel.clear();
    if (m_session->isOpen()) {
        if (kind == QLatin1String("relabel") || severalStages)
            m_session->notifySuggestionsChanged();
        if ((kind != QLatin1String("relabel") && !kind.isEmpty()) || severalStages)
            m_session->notifyDialoguesChanged();
        m_session->showStatus(tr("Job %1 (%2): %3").arg(id).arg(kind, status));
    }
    Q_EMIT jobFinished(id, status, summaryJson);
    Q_EMIT busyChanged(false);
    startNext();
}

void PipelineWorkerHost::cancel(qint64 jobId)
{
    for (auto it = m_queue.begin(); it != m_queue.end();) {
        if (it->resumeJobId == jobId)
            it = m_queue.erase(it);
        else
            ++it;
    }
    if (m_current && (jobId == m_runningJobId || jobId <= 0))
        m_current->stop.requestStop();
}

void PipelineWorkerHost::cancelAll()
{
    m_queue.clear();
    if (m_current)
        m_current->stop.requestStop();
}

std::optional<PipelineRequest> PipelineWorkerHost::requestForJob(qint64 jobId, QString* error) const
{
    auto fail = [&](const QString& why) -> std::optional<PipelineRequest> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (!m_session->isOpen())
        return fail(tr("No project is open."));
    std::optional<hw::JobRecord> job;
    try {
        job = hw::JobStore(m_session->db()).get(jobId);
    } catch (const std::exception& e) {
        return fail(QString::fromUtf8(e.what()));
    }
    if (!job)
        return fail(tr("There is no job %1.").arg(jobId));
    if (!hw::findStageKind(job->kind))
        return fail(tr("Jobs of kind '%1' cannot be resumed from the workbench.").arg(QString::fromStdString(job->kind)));
    PipelineRequest r;
    try {
        // The stored description (or an older record read as one), run as it was: same backends,
        // local ones included, so the job's identity and its cached calls are the same.
        hw::StageDescription d = hw::describeJob(job->kind, job->config);
        std::vector<std::string> missing;
        for (const auto& role : hw::stageNeeds(d))
            if (!d.has(role))
                missing.push_back(role);
        if (!missing.empty()) {
            // A record that does not say where a role ran: the workbench's default endpoint.
            const auto profiles = hw::EndpointProfiles::load(profilesPath().toStdString());
            const auto p = defaultProfile(profiles);
            if (!p)
                return fail(tr("Job %1 does not say which endpoint it used, and no default endpoint is set "
                               "(Jobs → Endpoints…).").arg(jobId));
            for (const auto& role : missing)
                d.backends[role] = hw::StageBackend::llm(*p);
        }
        r.stages.push_back(hw::normalizeStage(d));
        r.profiles = hw::EndpointProfiles::load(profilesPath().toStdString());
    } catch (const std::exception& e) {
        return fail(tr("Job %1 cannot be resumed: %2").arg(jobId).arg(QString::fromUtf8(e.what())));
    }
    // A pipeline stopped at this job continues with its later stages.
    try {
        for (const auto& later : hw::JobStore(m_session->db()).pipelineThen(jobId))
            r.stages.push_back(hw::normalizeStage(later.get<hw::StageDescription>()));
    } catch (const std::exception& e) {
        return fail(tr("Job %1: the pipeline stages after it cannot be read: %2").arg(jobId).arg(QString::fromUtf8(e.what())));
    }
    r.projectPath = m_session->path();
    r.label = tr("%1 #%2").arg(r.kind()).arg(jobId);
    r.resumeJobId = jobId;
    return r;
}

bool PipelineWorkerHost::resume(qint64 jobId, QString* error)
{
    if (isRunningHere(jobId)) {
        if (error)
            *error = tr("Job %1 is already running.").arg(jobId);
        return false;
    }
    auto r = requestForJob(jobId, error);
    if (!r)
        return false;
    start(std::move(*r));
    return true;
}

std::optional<PipelineRequest> PipelineWorkerHost::retryRequest(const hw::Suggestion& s, QString* error) const
{
    auto fail = [&](const QString& why) -> std::optional<PipelineRequest> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (!m_session->isOpen())
        return fail(tr("No project is open."));
    PipelineRequest r;
    hw::StageDescription d;
    d.kind = "relabel";
    // The controller of the suggestion's job, from its record.
    if (s.jobId > 0)
        if (auto job = requestForJob(s.jobId, nullptr); job && job->kind() == QLatin1String("relabel")) {
            d = job->stages.front();
            r.profiles = job->profiles;
        }
    try {
        if (!d.has(hw::role::kController)) {
            const auto profiles = hw::EndpointProfiles::load(profilesPath().toStdString());
            const auto p = defaultProfile(profiles);
            if (!p)
                return fail(tr("No default endpoint is set (Jobs → Endpoints…)."));
            d.backends[hw::role::kController] = hw::StageBackend::llm(*p);
            r.profiles = profiles;
        }
    } catch (const std::exception& e) {
        return fail(QString::fromUtf8(e.what()));
    }
    // Only the suggestion's dialogue; the relabel stage picks it up again because none of its
    // suggestions is usable.
    std::string task;
    try {
        if (const auto dialogue = hw::DialogueStore(m_session->db()).get(s.dialogueId))
            task = dialogue->task;
    } catch (const std::exception& e) {
        return fail(QString::fromUtf8(e.what()));
    }
    if (task.empty())
        return fail(tr("Dialogue %1 no longer exists.").arg(s.dialogueId));
    d.task = task;
    d.dialogueIds = {s.dialogueId};
    d.limit = 0;
    r.stages = {d};
    r.projectPath = m_session->path();
    r.label = tr("retry relabel of dialogue %1").arg(s.dialogueId);
    return r;
}

} // namespace hw::ui
