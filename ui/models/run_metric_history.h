#pragma once
// Every metric point the runs page has seen, per run and metric name, as (step, value) in step
// order. Fed by MetricsPoller batches; tells the charts which points are new for which series.
#include "core/store/run_store.h"

#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>

#include <map>
#include <vector>

namespace hw::ui {

class RunMetricHistory {
public:
    struct Appended {
        qint64 runId = 0;
        QString metric;
        QVector<QPointF> points; // new points of this series, in step order
        QVector<double> wallTimes; // seconds since the epoch, one per point
    };

    // Adds rows (any runs, id order). A point at or before a series' last step drops the tail
    // from that step on first (the run was resumed from an earlier checkpoint).
    std::vector<Appended> append(const std::vector<hw::MetricPoint>& rows);
    // All points of one run, replacing what it had.
    void replaceRun(qint64 runId, const std::vector<hw::MetricPoint>& rows);
    void removeRun(qint64 runId);
    void clear() { m_data.clear(); }

    QVector<QPointF> points(qint64 runId, const QString& metric) const;
    QVector<double> wallTimes(qint64 runId, const QString& metric) const; // parallel to points()
    QStringList metrics(qint64 runId) const;   // sorted
    qsizetype pointCount() const;

private:
    struct Series {
        QVector<QPointF> points;
        QVector<double> walls;
    };
    static void push(QVector<QPointF>& points, QVector<double>& walls, const QPointF& p, double wall);
    std::map<qint64, std::map<QString, Series>> m_data;
};

} // namespace hw::ui
