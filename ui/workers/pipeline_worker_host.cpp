#include "ui/workers/pipeline_worker_host.h"

#include "core/pipeline/job_store.h"
#include "core/pipeline/suggestion_store.h"
#include "core/store/dialogue_store.h"
#include "core/util/error.h"
#include "ui/pages/jobs/jobs_prefs.h"
#include "ui/project_session.h"


namespace hw::ui {
namespace {

// The endpoint a job used, from the stage description it stored ({"endpoint","model","profile",
// "temperature","max_tokens","api_key_env"}): the saved profile of that name when there is one (its
// API key variable), with the recorded model and sampling so that cached calls replay.
std::optional<hw::EndpointProfile> profileFromStage(const nlohmann::json& stage, const hw::EndpointProfiles& profiles)
{
    if (!stage.is_object())
        return std::nullopt;
    std::optional<hw::EndpointProfile> p;
    const std::string name = stage.value("profile", std::string());
    if (!name.empty())
        p = profiles.find(name);
    const std::string url = stage.value("endpoint", std::string());
    if (!p) {
        if (url.empty())
            return std::nullopt;
        hw::EndpointProfile adHoc;
        adHoc.name = name;
        adHoc.baseUrl = url;
        // A saved profile with the same URL lends its key variable and limits.
        for (const auto& known : profiles.all())
            if (known.chatCompletionsUrl() == url) {
                adHoc = known;
                break;
            }
        p = adHoc;
    } else if (!url.empty()) {
        p->baseUrl = url;
    }
    if (stage.contains("model") && stage["model"].is_string())
        p->model = stage["model"].get<std::string>();
    if (stage.contains("temperature") && stage["temperature"].is_number())
        p->temperature = stage["temperature"].get<double>();
    if (stage.contains("max_tokens") && stage["max_tokens"].is_number_integer())
        p->maxTokens = stage["max_tokens"].get<int>();
    // The variable the run read its key from (an ad-hoc `--endpoint URL --api-key-env VAR`).
    if (stage.contains("api_key_env") && stage["api_key_env"].is_string() && !stage["api_key_env"].get<std::string>().empty())
        p->apiKeyEnv = stage["api_key_env"].get<std::string>();
    return p;
}

// Where a job's stage description keeps its endpoint. The workbench stores it flat
// ({"endpoint",...,"hard"}); the CLI nests it under the stage's role ({"controller":{...}},
// {"forward":{...,"hard":{...}},"few_shots":3}, ...: app/cli/stage_backends.cpp describe()), and
// a role may be a local one ({"kind":"retrieval"}, {"kind":"local","checkpoint":DIR}). The core
// alone records just a name ({"controller":"llm:MODEL"}).
struct StageEndpoints {
    nlohmann::json main;                  // null: the job does not say
    nlohmann::json hard;                  // null: none recorded
    std::optional<int> fewShots;
    QString local;                        // non-empty: the role ran locally (what, for the message)
    QString cliOption;                    // the CLI option that runs it that way
};

const char* roleOf(const QString& kind)
{
    if (kind == QLatin1String("relabel"))
        return "controller";
    if (kind == QLatin1String("regenerate"))
        return "forward";
    if (kind == QLatin1String("label"))
        return "labeler";
    if (kind == QLatin1String("imagine"))
        return "generator";
    return "";
}

StageEndpoints stageEndpoints(const QString& kind, const nlohmann::json& stage)
{
    StageEndpoints out;
    if (!stage.is_object())
        return out;
    if (stage.contains("few_shots") && stage["few_shots"].is_number_integer())
        out.fewShots = stage["few_shots"].get<int>();
    const std::string role = roleOf(kind);
    auto localName = [&](const std::string& what, const std::string& checkpoint) {
        out.local = QString::fromStdString(checkpoint.empty() ? what : what + " " + checkpoint);
    };
    if (!role.empty() && stage.contains(role)) {
        const nlohmann::json& d = stage[role];
        if (d.is_string()) {
            // A core-recorded name: "llm:MODEL" says nothing of the endpoint; anything else is local.
            const std::string name = d.get<std::string>();
            if (name.rfind("llm", 0) != 0)
                localName(name, "");
        } else if (d.is_object()) {
            const std::string k = d.value("kind", std::string("llm"));
            const std::string checkpoint = d.value("checkpoint", std::string());
            if (k != "llm")
                localName(k == "retrieval" ? std::string("retrieval controller") : k, checkpoint);
            else if (d.contains("hard_checkpoint"))
                localName("hard forward model", d.value("hard_checkpoint", std::string()));
            else {
                out.main = d;
                if (d.contains("hard") && d["hard"].is_object())
                    out.hard = d["hard"];
            }
        }
        if (!out.local.isEmpty())
            out.cliOption = role == "controller" ? QStringLiteral("--controller retrieval")
                            : role == "labeler"  ? QStringLiteral("--reward-checkpoint DIR")
                                                 : QStringLiteral("--forward-checkpoint DIR / --hard-checkpoint DIR");
        if (out.local.isEmpty() && stage.contains("forward_hard") && stage["forward_hard"].is_string()
            && stage["forward_hard"].get<std::string>().rfind("llm", 0) != 0) {
            localName(stage["forward_hard"].get<std::string>(), "");
            out.cliOption = QStringLiteral("--hard-checkpoint DIR");
        }
        return out;
    }
    if (stage.contains("endpoint") || stage.contains("profile")) {
        out.main = stage;
        if (stage.contains("hard") && stage["hard"].is_object())
            out.hard = stage["hard"];
    }
    return out;
}

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
        request.label = request.kind;
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
    if (p.jobId > 0)
        m_runningJobId = p.jobId;
    Q_EMIT progress(p);
}

void PipelineWorkerHost::onFinished(qint64 jobId, const QString& status, const QString& summaryJson)
{
    const QString kind = m_current ? m_current->kind : QString();
    const qint64 id = jobId > 0 ? jobId : m_runningJobId;
    m_current.reset();
    m_running = false;
    m_runningJobId = 0;
    m_runningLabel.clear();
    if (m_session->isOpen()) {
        if (kind == QLatin1String("relabel"))
            m_session->notifySuggestionsChanged();
        else if (!kind.isEmpty())
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
    PipelineRequest r;
    r.kind = QString::fromStdString(job->kind);
    if (!PipelineRequest::kinds().contains(r.kind))
        return fail(tr("Jobs of kind '%1' cannot be resumed from the workbench.").arg(r.kind));
    r.config = job->config;
    r.config.erase("config_hash");
    r.projectPath = m_session->path();
    r.label = tr("%1 #%2").arg(r.kind).arg(jobId);
    if (r.kind != QLatin1String("aggregate")) {
        hw::EndpointProfiles profiles;
        try {
            profiles = hw::EndpointProfiles::load(profilesPath().toStdString());
        } catch (const std::exception& e) {
            return fail(QString::fromUtf8(e.what()));
        }
        const StageEndpoints stage = stageEndpoints(r.kind, r.config.value("stage", nlohmann::json::object()));
        if (!stage.local.isEmpty()) {
            const QString role = r.kind == QLatin1String("relabel")      ? tr("controller")
                                 : r.kind == QLatin1String("label")      ? tr("reward model")
                                 : r.kind == QLatin1String("regenerate") ? tr("forward model")
                                                                         : tr("generator");
            return fail(tr("Job %1 ran its %2 locally (%3), which the workbench cannot run. Resume it from the "
                           "command line with the same options (hindsight %4 PROJECT … %5): it continues where "
                           "it stopped.")
                            .arg(jobId)
                            .arg(role, stage.local, r.kind, stage.cliOption));
        }
        auto main = profileFromStage(stage.main, profiles);
        if (!main)
            main = defaultProfile(profiles);
        if (!main)
            return fail(tr("Job %1 does not say which endpoint it used, and no default endpoint is set "
                           "(Jobs → Endpoints…).").arg(jobId));
        r.endpoint = *main;
        if (!stage.hard.is_null())
            r.hardEndpoint = profileFromStage(stage.hard, profiles);
        r.fewShots = stage.fewShots;
    }
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
    r.kind = QStringLiteral("relabel");
    r.projectPath = m_session->path();
    nlohmann::json base = nlohmann::json::object();
    if (s.jobId > 0) {
        if (auto job = requestForJob(s.jobId, nullptr); job && job->kind == r.kind) {
            r.endpoint = job->endpoint;
            base = job->config;
        }
    }
    if (base.empty()) {
        try {
            const auto profiles = hw::EndpointProfiles::load(profilesPath().toStdString());
            const auto p = defaultProfile(profiles);
            if (!p)
                return fail(tr("No default endpoint is set (Jobs → Endpoints…)."));
            r.endpoint = *p;
        } catch (const std::exception& e) {
            return fail(QString::fromUtf8(e.what()));
        }
    }
    // Only the suggestion's dialogue; the relabel stage picks it up again because none of its
    // suggestions is usable.
    std::string task;
    try {
        if (const auto d = hw::DialogueStore(m_session->db()).get(s.dialogueId))
            task = d->task;
    } catch (const std::exception& e) {
        return fail(QString::fromUtf8(e.what()));
    }
    if (task.empty())
        return fail(tr("Dialogue %1 no longer exists.").arg(s.dialogueId));
    base["task"] = task;
    base["dialogueIds"] = {s.dialogueId};
    base["limit"] = 0;
    r.config = base;
    r.label = tr("retry relabel of dialogue %1").arg(s.dialogueId);
    return r;
}

} // namespace hw::ui
