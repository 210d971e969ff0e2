#include "ui/models/run_metric_history.h"

#include <algorithm>

namespace hw::ui {

void RunMetricHistory::push(QVector<QPointF>& points, QVector<double>& walls, const QPointF& p, double wall)
{
    if (!points.isEmpty() && points.back().x() >= p.x()) {
        const auto cut = std::lower_bound(points.begin(), points.end(), p.x(),
                                          [](const QPointF& a, double x) { return a.x() < x; });
        const qsizetype keep = cut - points.begin();
        points.resize(keep);
        walls.resize(keep);
    }
    points.append(p);
    walls.append(wall);
}

std::vector<RunMetricHistory::Appended> RunMetricHistory::append(const std::vector<hw::MetricPoint>& rows)
{
    std::vector<Appended> out;
    std::map<std::pair<qint64, QString>, size_t> index;
    for (const auto& r : rows) {
        const QString name = QString::fromStdString(r.name);
        const QPointF p(static_cast<double>(r.step), r.value);
        Series& series = m_data[r.runId][name];
        push(series.points, series.walls, p, r.wallTime);
        auto key = std::make_pair(static_cast<qint64>(r.runId), name);
        auto it = index.find(key);
        if (it == index.end()) {
            index.emplace(key, out.size());
            out.push_back({r.runId, name, {p}, {r.wallTime}});
        } else {
            push(out[it->second].points, out[it->second].wallTimes, p, r.wallTime);
        }
    }
    return out;
}

void RunMetricHistory::replaceRun(qint64 runId, const std::vector<hw::MetricPoint>& rows)
{
    m_data.erase(runId);
    auto& run = m_data[runId];
    for (const auto& r : rows) {
        Series& series = run[QString::fromStdString(r.name)];
        push(series.points, series.walls, QPointF(static_cast<double>(r.step), r.value), r.wallTime);
    }
}

void RunMetricHistory::removeRun(qint64 runId) { m_data.erase(runId); }

QVector<QPointF> RunMetricHistory::points(qint64 runId, const QString& metric) const
{
    auto r = m_data.find(runId);
    if (r == m_data.end())
        return {};
    auto m = r->second.find(metric);
    return m == r->second.end() ? QVector<QPointF>() : m->second.points;
}

QVector<double> RunMetricHistory::wallTimes(qint64 runId, const QString& metric) const
{
    auto r = m_data.find(runId);
    if (r == m_data.end())
        return {};
    auto m = r->second.find(metric);
    return m == r->second.end() ? QVector<double>() : m->second.walls;
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
            n += pts.points.size();
    return n;
}

} // namespace hw::ui
