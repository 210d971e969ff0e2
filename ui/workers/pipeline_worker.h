#pragma once
// Runs pipeline jobs (every stage kind of the registry, core/pipeline/stage_registry.h) off the
// GUI thread. A PipelineWorker lives on its own QThread (PipelineWorkerHost owns both): run()
// opens its own Database on the project file and runs the request's stage descriptions in order
// through hw::runStages, the same code path as the CLI: LLM endpoints, the retrieval controller
// and local checkpoints alike. Each job commits every finished item (so the GUI, reading through
// WAL, sees rows appear). Cancel is the request's StopToken, set from the GUI thread.
#include "core/llm/endpoint_profile.h"
#include "core/pipeline/stage_description.h"
#include "core/util/progress.h"

#include <QMetaType>
#include <QObject>
#include <QString>

#include <optional>
#include <vector>

namespace hw::ui {

struct PipelineRequest {
    QString projectPath;
    // One job per description, in order; the run stops at the first that is not done (the whole
    // offline pipeline is four: relabel, regenerate, label, aggregate).
    std::vector<hw::StageDescription> stages;
    // Saved endpoint profiles for LLM backends recorded with a profile name (key variable,
    // limits); unset = the user's endpoints.json.
    std::optional<hw::EndpointProfiles> profiles;
    hw::StopToken stop;
    QString label;                         // shown in the jobs panel before the job row exists
    qint64 resumeJobId = 0;                // the jobs row this request continues, when known

    QString kind() const;                  // the first stage's kind ("" when empty)
};

// What the jobs panel shows while a job runs here (the jobs table has the same figures, committed
// per item; this only arrives sooner).
struct PipelineProgress {
    qint64 jobId = 0;
    QString kind;
    qint64 total = 0;
    qint64 done = 0;
    qint64 failed = 0;
    qint64 requests = 0;
    qint64 cacheHits = 0;
    qint64 tokens = 0;
    double cost = 0.0;
    double etaS = -1.0;
    QString lastError;
};

class PipelineWorker : public QObject {
    Q_OBJECT
public:
    explicit PipelineWorker(QObject* parent = nullptr);

    // The job run() would execute, as the core API sees it (for tests and the host's resume):
    // throws hw::Error for an unknown kind or a config the stage rejects.
    static void validate(const PipelineRequest& request);

public Q_SLOTS:
    void run(const hw::ui::PipelineRequest& request);

Q_SIGNALS:
    void progress(const hw::ui::PipelineProgress& progress);
    // status: done | cancelled | failed; summary = JobSummary::toJson() (the last stage's).
    void finished(qint64 jobId, const QString& status, const QString& summaryJson);
    // The job could not start or stopped with an error (bad endpoint, missing prompt file, ...).
    void failed(qint64 jobId, const QString& message);
};

} // namespace hw::ui

Q_DECLARE_METATYPE(hw::ui::PipelineRequest)
Q_DECLARE_METATYPE(hw::ui::PipelineProgress)
