#include "ui/models/run_metric_history.h"

#include <algorithm>

namespace hw::ui {

void RunMetricHistory::push(QVector<QPointF>& series, const QPointF& p)
{
    if (!series.isEmpty() && series.back().x() >= p.x()) {
        const auto cut = std::lower_bound(series.begin(), series.end(), p.x(),
                                          [](const QPointF& a, double x) { return a.x() < x; });
        series.erase(cut, series.end());
    }
    series.append(p);
}

std::vector<RunMetricHistory::Appended> RunMetricHistory::append(const std::vector<hw::MetricPoint>& rows)
{
    std::vector<Appended> out;
    std::map<std::pair<qint64, QString>, size_t> index;
    for (const auto& r : rows) {
        const QString name = QString::fromStdString(r.name);
        const QPointF p(static_cast<double>(r.step), r.value);
        push(m_data[r.runId][name], p);
        auto key = std::make_pair(static_cast<qint64>(r.runId), name);
        auto it = index.find(key);
        if (it == index.end()) {
            index.emplace(key, out.size());
            out.push_back({r.runId, name, {p}});
        } else {
            push(out[it->second].points, p);
        }
    }
    return out;
}

void RunMetricHistory::replaceRun(qint64 runId, const std::vector<hw::MetricPoint>& rows)
{
    m_data.erase(runId);
    auto& run = m_data[runId];
    for (const auto& r : rows)
        push(run[QString::fromStdString(r.name)], QPointF(static_cast<double>(r.step), r.value));
}

void RunMetricHistory::removeRun(qint64 runId) { m_data.erase(runId); }

QVector<QPointF> RunMetricHistory::points(qint64 runId, const QString& metric) const
{
    auto r = m_data.find(runId);
    if (r == m_data.end())
        return {};
    auto m = r->second.find(metric);
    return m == r->second.end() ? QVector<QPointF>() : m->second;
}

QStringList RunMetricHistory::metrics(qint64 runId) const
{
    QStringList out;
    auto r = m_data.find(runId);
    if (r != m_data.end())
        for (const auto& [name, pts] : r->second)
            out << name;
    return out;
}

qsizetype RunMetricHistory::pointCount() const
{
    qsizetype n = 0;
    for (const auto& [id, run] : m_data)
        for (const auto& [name, pts] : run)
            n += pts.size();
    return n;
}

} // namespace hw::ui
