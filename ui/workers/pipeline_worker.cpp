#include "ui/workers/pipeline_worker.h"

#include "core/pipeline/aggregate_job.h"
#include "core/pipeline/imagine_job.h"
#include "core/pipeline/label_job.h"
#include "core/pipeline/llm_backend.h"
#include "core/pipeline/personas.h"
#include "core/pipeline/regenerate_job.h"
#include "core/pipeline/relabel_job.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/util/error.h"

#include <QStringList>

#include <atomic>
#include <mutex>
#include <type_traits>
#include <chrono>

namespace hw::ui {
namespace {

using Clock = std::chrono::steady_clock;

// A progress signal at most this often; the last one always follows through finished().
constexpr auto kProgressInterval = std::chrono::milliseconds(100);

std::string taskOf(const nlohmann::json& config)
{
    const std::string task = config.value("task", std::string());
    if (task.empty())
        throw hw::Error("the job's configuration names no task");
    return task;
}

template <typename Config>
Config parseConfig(const nlohmann::json& json, int concurrency)
{
    Config c = json.get<Config>();
    if constexpr (!std::is_same_v<Config, hw::AggregateConfig>) {
        if (concurrency > 0)
            c.concurrency = concurrency;
    }
    return c;
}

hw::JobSummary dispatch(hw::SharedProject& project, const PipelineRequest& r, const hw::JobHooks& hooks)
{
    const std::string kind = r.kind.toStdString();
    if (kind == "aggregate")
        return hw::runAggregate(project, parseConfig<hw::AggregateConfig>(r.config, 0), hooks).summary;

    const std::string task = taskOf(r.config);
    r.endpoint.validate();
    hw::LlmBackend::Options options;
    if (r.fewShots && kind == "regenerate")
        options.forwardFewShots = *r.fewShots;
    if (r.fewShots && kind == "label")
        options.rewardFewShots = *r.fewShots;
    hw::LlmBackend llm(project, r.endpoint, task, r.hardEndpoint, options);
    auto withStage = [&](auto config) {
        // The stage description is part of the job's identity: a resumed job passes the stored one.
        if (config.stage.is_null() || config.stage.empty())
            config.stage = llm.describe();
        llm.setConcurrency(config.concurrency);
        return config;
    };
    if (kind == "relabel") {
        const auto c = withStage(parseConfig<hw::RelabelConfig>(r.config, r.concurrency));
        return hw::runRelabel(project, c, llm.controller(), hooks);
    }
    if (kind == "regenerate") {
        const auto c = withStage(parseConfig<hw::RegenerateConfig>(r.config, r.concurrency));
        return hw::runRegenerate(project, c, llm.forward(), c.hardShare > 0 ? &llm.forwardHard() : nullptr, hooks);
    }
    if (kind == "label") {
        const auto c = withStage(parseConfig<hw::LabelConfig>(r.config, r.concurrency));
        return hw::runLabel(project, c, llm.labeler(), hooks);
    }
    if (kind == "imagine") {
        const auto c = withStage(parseConfig<hw::ImagineConfig>(r.config, r.concurrency));
        const auto t = project.with([&](hw::Database& db) { return hw::DialogueStore(db).task(task); });
        if (!t)
            throw hw::Error("no task named '" + task + "' in this project");
        return hw::runImagine(project, c, hw::loadPersonas(llm.prompts(), *t), llm.generator(), hooks);
    }
    throw hw::Error("unknown job kind '" + kind + "'");
}

} // namespace

QStringList PipelineRequest::kinds()
{
    return {QStringLiteral("relabel"), QStringLiteral("regenerate"), QStringLiteral("label"),
            QStringLiteral("aggregate"), QStringLiteral("imagine")};
}

PipelineWorker::PipelineWorker(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<hw::ui::PipelineRequest>();
    qRegisterMetaType<hw::ui::PipelineProgress>();
}

void PipelineWorker::validate(const PipelineRequest& request)
{
    if (!PipelineRequest::kinds().contains(request.kind))
        throw hw::Error("unknown job kind '" + request.kind.toStdString() + "'");
    if (request.kind != QLatin1String("aggregate")) {
        taskOf(request.config);
        request.endpoint.validate();
    }
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
        const hw::JobSummary s = dispatch(project, request, hooks);
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
