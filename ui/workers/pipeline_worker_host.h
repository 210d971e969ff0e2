#pragma once
// Owns the pipeline worker thread of a session and the queue of jobs to run on it, one at a time.
// Pages start, resume and cancel jobs here; the jobs panel shows them (and, by polling the jobs
// table, jobs that the CLI runs in another process).
//
//   auto* host = PipelineWorkerHost::of(session);
//   host->start(request);                 // queued when a job is running
//   host->resume(jobId, &error);          // same kind and config: the core skips finished items
//   host->cancel(jobId);
#include "ui/workers/pipeline_worker.h"

#include <QObject>
#include <QThread>

#include <deque>
#include <map>
#include <vector>
#include <optional>

namespace hw {
struct Suggestion;
}

namespace hw::ui {

class ProjectSession;

class PipelineWorkerHost : public QObject {
    Q_OBJECT
public:
    // The session's host, created on first use as a child of the session.
    static PipelineWorkerHost* of(ProjectSession* session);

    explicit PipelineWorkerHost(ProjectSession* session);
    ~PipelineWorkerHost() override;   // stops the running job and waits for its thread

    // Queues a job; it runs at once when nothing else runs. The project path is filled in.
    void start(PipelineRequest request);
    // Runs a job of the jobs table again from its stored stage description (any job the CLI or the
    // workbench started, local backends included), with the later stages of its pipeline when it
    // stopped one started here. Returns false with a reason when that is not possible.
    bool resume(qint64 jobId, QString* error = nullptr);
    // What resume() would run (nullopt + error when it cannot).
    std::optional<PipelineRequest> requestForJob(qint64 jobId, QString* error = nullptr) const;
    // A relabel of the suggestion's dialogue with its job's controller, to retry a failed reply.
    std::optional<PipelineRequest> retryRequest(const hw::Suggestion& suggestion, QString* error = nullptr) const;

    bool isBusy() const { return m_running; }
    qint64 runningJobId() const { return m_runningJobId; }
    bool isRunningHere(qint64 jobId) const { return m_running && jobId > 0 && jobId == m_runningJobId; }
    QString runningLabel() const { return m_runningLabel; }
    int queuedCount() const { return static_cast<int>(m_queue.size()); }
    // Stops the running job when it is jobId (items in flight finish or are dropped; nothing
    // finished is lost); a queued resume of jobId is removed.
    void cancel(qint64 jobId);
    void cancelAll();

    // Where endpoint profiles are read from (default: EndpointProfiles::defaultPath()).
    void setProfilesPath(const QString& path) { m_profilesPath = path; }
    QString profilesPath() const;

Q_SIGNALS:
    void jobStarted(const QString& label);
    void progress(const hw::ui::PipelineProgress& progress);
    void jobFinished(qint64 jobId, const QString& status, const QString& summaryJson);
    void jobFailed(qint64 jobId, const QString& message);
    void busyChanged(bool busy);
    void runRequested(const hw::ui::PipelineRequest& request); // to the worker's thread

private:
    void startNext();
    void onProgress(const PipelineProgress& p);
    void onFinished(qint64 jobId, const QString& status, const QString& summaryJson);

    ProjectSession* m_session;
    QThread m_thread;
    PipelineWorker* m_worker;
    std::deque<PipelineRequest> m_queue;
    std::optional<PipelineRequest> m_current;
    bool m_running = false;
    qint64 m_runningJobId = 0;
    qint64 m_resumeJobId = 0;          // the job the current request resumes, when known
    QString m_runningLabel;
    QString m_profilesPath;
    QString m_runningKind;             // the stage of the current request running now
};

} // namespace hw::ui
