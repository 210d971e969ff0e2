#include "ui/workers/pipeline_worker.h"

#include "core/pipeline/stage_registry.h"
#include "core/store/database.h"
#include "core/util/error.h"

#include <QStringList>

#include <atomic>
#include <chrono>
#include <mutex>

namespace hw::ui {
namespace {

using Clock = std::chrono::steady_clock;

// A progress signal at most this often; the last one always follows through finished().
constexpr auto kProgressInterval = std::chrono::milliseconds(100);

} // namespace

QString PipelineRequest::kind() const
{
    return stages.empty() ? QString() : QString::fromStdString(stages.front().kind);
}

PipelineWorker::PipelineWorker(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<hw::ui::PipelineRequest>();
    qRegisterMetaType<hw::ui::PipelineProgress>();
}

void PipelineWorker::validate(const PipelineRequest& request)
{
    if (request.stages.empty())
        throw hw::Error("the request has no stage to run");
    for (const auto& d : request.stages)
        hw::normalizeStage(d);
}

void PipelineWorker::run(const PipelineRequest& request)
{
    std::atomic<qint64> jobId{0};
    try {
        hw::Database db = hw::Database::open(request.projectPath.toStdString());
        hw::SharedProject project(db);
        hw::JobHooks hooks;
        hooks.stop = request.stop;
        std::mutex throttleMutex;
        Clock::time_point last{};
        hooks.onProgress = [&](const hw::JobProgress& p) {
            jobId = p.jobId;
            {
                std::lock_guard<std::mutex> lock(throttleMutex);
                const auto now = Clock::now();
                const bool edge = p.done + p.failed == 0 || p.done + p.failed >= p.total;
                if (!edge && now - last < kProgressInterval)
                    return;
                last = now;
            }
            PipelineProgress out;
            out.jobId = p.jobId;
            out.kind = QString::fromStdString(p.kind);
            out.total = p.total;
            out.done = p.done;
            out.failed = p.failed;
            out.requests = p.usage.requests;
            out.cacheHits = p.usage.cacheHits;
            out.tokens = p.usage.promptTokens + p.usage.completionTokens;
            out.cost = p.usage.cost;
            out.etaS = p.etaS;
            out.lastError = QString::fromStdString(p.lastError);
            Q_EMIT progress(out);
        };
        const std::vector<hw::JobSummary> all = hw::runStages(project, request.stages, hooks, request.profiles);
        if (all.empty())
            throw hw::Error("the request has no stage to run");
        const hw::JobSummary& s = all.back();
        if (s.status == "failed")
            Q_EMIT failed(s.jobId, QString::fromStdString(s.error));
        Q_EMIT finished(s.jobId, QString::fromStdString(s.status), QString::fromStdString(s.toJson().dump()));
    } catch (const hw::Cancelled&) {
        Q_EMIT finished(jobId.load(), QStringLiteral("cancelled"), QStringLiteral("{}"));
    } catch (const std::exception& e) {
        Q_EMIT failed(jobId.load(), QString::fromUtf8(e.what()));
        Q_EMIT finished(jobId.load(), QStringLiteral("failed"), QStringLiteral("{}"));
    }
}

} // namespace hw::ui
