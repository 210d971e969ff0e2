#include "ui/workers/metrics_poller.h"

#include "core/store/database.h"

#include <QTimer>

#include <algorithm>
#include <exception>
#include <limits>

namespace hw::ui {

MetricsPoller::MetricsPoller(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<hw::ui::MetricBatch>();
    qRegisterMetaType<hw::ui::RunList>();
}

MetricsPoller::~MetricsPoller() = default;

void MetricsPoller::start(const QString& projectPath, int intervalMs)
{
    stop();
    try {
        m_db = std::make_unique<hw::Database>(hw::Database::open(projectPath.toStdString(), hw::Database::Mode::ReadOnly));
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromUtf8(e.what()));
        return;
    }
    m_lastId = 0;
    m_haveRuns = false;
    m_lastRuns.clear();
    m_replacedUpTo.clear();
    if (!m_timer) {
        m_timer = new QTimer(this);
        connect(m_timer, &QTimer::timeout, this, &MetricsPoller::pollNow);
    }
    m_timer->start(intervalMs);
    pollNow();
}

void MetricsPoller::stop()
{
    if (m_timer)
        m_timer->stop();
    m_db.reset();
}

void MetricsPoller::pollNow()
{
    if (!m_db)
        return;
    try {
        hw::RunStore store(*m_db);
        // Runs first: a metric row never arrives before the run it belongs to is known.
        RunList runs = store.runs();
        std::vector<qint64> rewound;
        if (!m_haveRuns || runs != m_lastRuns) {
            for (const auto& r : runs)
                for (const auto& old : m_lastRuns)
                    if (old.id == r.id && r.step < old.step)
                        rewound.push_back(r.id);
            m_lastRuns = runs;
            m_haveRuns = true;
            Q_EMIT runsChanged(runs);
        }
        for (qint64 runId : rewound) {
            MetricBatch all = store.metricsSince(0, std::numeric_limits<int64_t>::max(), runId);
            qint64 upTo = 0;
            for (const auto& p : all)
                upTo = std::max<qint64>(upTo, p.id);
            m_replacedUpTo[runId] = upTo;
            Q_EMIT runMetricsReplaced(runId, all);
        }
        for (;;) {
            MetricBatch batch = store.metricsSince(m_lastId, kBatchRows);
            if (batch.empty())
                break;
            m_lastId = batch.back().id;
            const bool more = static_cast<qint64>(batch.size()) == kBatchRows;
            if (!m_replacedUpTo.empty()) {
                // Rows already sent inside a replacement batch.
                batch.erase(std::remove_if(batch.begin(), batch.end(),
                                           [&](const hw::MetricPoint& p) {
                                               auto it = m_replacedUpTo.find(p.runId);
                                               return it != m_replacedUpTo.end() && p.id <= it->second;
                                           }),
                            batch.end());
            }
            if (!batch.empty())
                Q_EMIT metricsAppended(batch);
            if (!more)
                break;
        }
        m_lastError.clear();
    } catch (const std::exception& e) {
        const QString msg = QString::fromUtf8(e.what());
        if (msg != m_lastError)
            Q_EMIT failed(msg);
        m_lastError = msg;
    }
}

} // namespace hw::ui
