#pragma once
// One live training chart (a metric group of the runs page): several series, one per
// (run, metric), drawn against the optimizer step. Points are appended as they arrive, never by
// rebuilding the chart; an EMA smoothing weight (TensorBoard's debiased EMA) draws the smoothed
// curve over a faint raw one; a log-scale toggle; hovering shows a crosshair and every series'
// value at that step. Qt Charts stays inside ui/charts/.
#include <QColor>
#include <QPointF>
#include <QString>
#include <QVector>
#include <QWidget>

#include <map>
#include <memory>
#include <vector>

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
class QLineSeries;
class QAbstractAxis;
QT_END_NAMESPACE

namespace hw::ui {

class MetricChart : public QWidget {
    Q_OBJECT
public:
    struct SeriesKey {
        qint64 runId = 0;
        QString metric;
        bool operator<(const SeriesKey& o) const { return runId != o.runId ? runId < o.runId : metric < o.metric; }
        bool operator==(const SeriesKey& o) const { return runId == o.runId && metric == o.metric; }
    };

    explicit MetricChart(const QString& title, QWidget* parent = nullptr);
    ~MetricChart() override;

    QString title() const { return m_title; }

    // Adds a series with its history so far (x = step). runIndex picks the line style (solid,
    // dashed, ...) so overlaid runs stay apart; the metric picks the colour.
    void addSeries(const SeriesKey& key, const QString& label, int runIndex, const QVector<QPointF>& points);
    void removeSeries(const SeriesKey& key);
    void clearSeries();
    bool hasSeries(const SeriesKey& key) const { return m_series.count(key) > 0; }
    std::vector<SeriesKey> seriesKeys() const;

    // New points at the end, in step order. A point at or before the last step first drops the
    // tail from that step on (a resumed run rewrote it), still without rebuilding the series.
    void appendPoints(const SeriesKey& key, const QVector<QPointF>& points);

    // 0 = raw only; up to 0.999. Recomputes the smoothed curves (the raw ones stay).
    void setSmoothing(double weight);
    double smoothing() const { return m_smoothing; }
    // Log y axis; non-positive values are left out while it is on.
    void setLogScale(bool on);
    bool logScale() const { return m_log; }

    // Every series' value at the point nearest to `step` (what hovering shows), one per line.
    QString valuesAt(double step) const;

    // For tests and the page.
    int seriesCount() const { return static_cast<int>(m_series.size()); }
    qsizetype rawPointCount(const SeriesKey& key) const;
    qsizetype shownPointCount(const SeriesKey& key) const;   // points of the drawn (smoothed) line
    int rebuildCount() const { return m_rebuilds; }            // whole-series redraws (smoothing, log)
    QChartView* view() const { return m_view; }
    QChart* chart() const { return m_chart; }

private:
    struct Series;
    void rebuild(Series& s);
    void appendShown(Series& s, const QVector<QPointF>& raw);
    QColor colourFor(const QString& metric);
    void growRange(const QPointF& p);
    void rescanRange();
    void applyRange();
    void installYAxis();
    void updateEmptyText();

    QString m_title;
    QChart* m_chart;
    QChartView* m_view;
    QAbstractAxis* m_x = nullptr;
    QAbstractAxis* m_y = nullptr;
    std::map<SeriesKey, std::unique_ptr<Series>> m_series;
    std::map<QString, QColor> m_colours;
    double m_smoothing = 0.0;
    bool m_log = false;
    int m_rebuilds = 0;
    bool m_hasRange = false;
    double m_xMin = 0, m_xMax = 1, m_yMin = 0, m_yMax = 1;
};

} // namespace hw::ui
