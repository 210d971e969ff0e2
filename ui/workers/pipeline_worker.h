#pragma once
// Runs pipeline jobs (relabel, regenerate, label, aggregate, imagine) off the GUI thread.
// A PipelineWorker lives on its own QThread (PipelineWorkerHost owns both): run() opens its own
// Database on the project file, builds the LLM-backed stages from the endpoint profile, and runs
// the core job, which commits every finished item (so the GUI, reading through WAL, sees rows
// appear). Cancel is the request's StopToken, set from the GUI thread.
#include "core/llm/endpoint_profile.h"
#include "core/util/progress.h"

#include <QMetaType>
#include <QObject>
#include <QString>

#include <nlohmann/json.hpp>
#include <optional>

namespace hw::ui {

struct PipelineRequest {
    QString projectPath;
    QString kind;                          // relabel | regenerate | label | aggregate | imagine
    nlohmann::json config = nlohmann::json::object(); // the stage's config (RelabelConfig, ...) as JSON
    hw::EndpointProfile endpoint;          // unused by aggregate
    std::optional<hw::EndpointProfile> hardEndpoint; // regenerate's hard forward model
    int concurrency = 0;                   // 0 = the config's
    // Few-shot examples per prompt of regenerate (forward model) or label (reward model); unset =
    // the defaults. A resumed CLI job passes what it recorded, so its prompts stay the same.
    std::optional<int> fewShots;
    hw::StopToken stop;
    QString label;                         // shown in the jobs panel before the job row exists
    qint64 resumeJobId = 0;                // the jobs row this request continues, when known

    // The job kinds run() knows.
    static QStringList kinds();
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
