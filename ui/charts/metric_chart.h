#pragma once
// One live training chart (a metric group of the runs page), modelled on TensorBoard's scalars
// dashboard: several series, one per (run, metric), drawn against the optimizer step, the time
// since the run started, or the wall clock. Points are appended as they arrive, never by
// rebuilding the chart; an EMA smoothing weight (TensorBoard's debiased EMA) draws the smoothed
// curve over a faint raw one; a log-scale toggle; metrics of another magnitude (the learning rate
// beside the gradient norm) go on a right-hand axis; ticks are nice numbers. Hovering draws a
// crosshair and a box with every series' value there. Drag a rectangle to zoom (double-click or
// "Reset" to go back); the Metrics menu picks which metrics are drawn; Export writes the
// chart's raw points as CSV or the chart as PNG. The legend is a wrapping label under the chart,
// so names are never cut. Qt Charts stays inside ui/charts/.
#include <QColor>
#include <QPointF>
#include <QRectF>
#include <QSet>
#include <QString>
#include <QVector>
#include <QWidget>

#include <functional>
#include <map>
#include <memory>
#include <vector>

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
class QLabel;
class QLineSeries;
class QAbstractAxis;
class QGraphicsSimpleTextItem;
class QImage;
class QToolButton;
QT_END_NAMESPACE

namespace hw::ui {

class ChartHoverBox;

class MetricChart : public QWidget {
    Q_OBJECT
public:
    struct SeriesKey {
        qint64 runId = 0;
        QString metric;
        bool operator<(const SeriesKey& o) const { return runId != o.runId ? runId < o.runId : metric < o.metric; }
        bool operator==(const SeriesKey& o) const { return runId == o.runId && metric == o.metric; }
    };
    // What the x axis measures.
    enum class XAxis { Step, RelativeTime, WallClock };

    explicit MetricChart(const QString& title, QWidget* parent = nullptr);
    ~MetricChart() override;

    QString title() const { return m_title; }

    // Adds a series with its history so far (x = step; wallTimes, seconds since the epoch, one per
    // point, feed the time axes and may be empty). runIndex picks the line style (solid, dashed,
    // ...) so overlaid runs stay apart; the metric picks the colour.
    void addSeries(const SeriesKey& key, const QString& label, int runIndex, const QVector<QPointF>& points,
                   const QVector<double>& wallTimes = {});
    void removeSeries(const SeriesKey& key);
    void clearSeries();
    bool hasSeries(const SeriesKey& key) const { return m_series.count(key) > 0; }
    std::vector<SeriesKey> seriesKeys() const;

    // New points at the end, in step order. A point at or before the last step first drops the
    // tail from that step on (a resumed run rewrote it), still without rebuilding the series.
    void appendPoints(const SeriesKey& key, const QVector<QPointF>& points, const QVector<double>& wallTimes = {});

    // 0 = raw only; up to 0.999. Recomputes the smoothed curves (the raw ones stay).
    void setSmoothing(double weight);
    double smoothing() const { return m_smoothing; }
    // Log y axes; non-positive values are left out while it is on.
    void setLogScale(bool on);
    bool logScale() const { return m_log; }
    void setXAxis(XAxis mode);
    XAxis xAxis() const { return m_xMode; }

    // Metrics for which this returns true are drawn against a second y axis on the right
    // (e.g. the learning rate, orders of magnitude below the gradient norm).
    void setRightAxisRule(std::function<bool(const QString& metric)> rule);
    bool onRightAxis(const SeriesKey& key) const;

    // Which metrics are drawn (the Metrics menu); hidden ones stay loaded, out of range and legend.
    void setMetricVisible(const QString& metric, bool visible);
    bool isMetricVisible(const QString& metric) const { return !m_hidden.contains(metric); }
    QStringList metrics() const; // sorted, every metric with a series

    // Zoom to a rectangle in axis values (x in the current x unit, y on the left axis); new points
    // no longer move the view until resetZoom().
    void zoomTo(const QRectF& values);
    void resetZoom();
    bool isZoomed() const { return m_zoomed; }
    // The view zoomed itself (a dragged rectangle): keep the range until reset.
    void markZoomed();

    // Raw points of the drawn series: run,metric,step,wall_time,value (one row per point).
    QString toCsv() const;
    bool exportCsv(const QString& path, QString* error = nullptr) const;
    QImage toImage() const; // the chart and its legend
    bool exportPng(const QString& path, QString* error = nullptr) const;

    // What an empty chart says (e.g. "Select a run above").
    void setEmptyHint(const QString& text);
    bool isEmpty() const { return visibleSeriesCount() == 0; }

    // Every series' value at the point nearest to x (current x unit), one per line; what hovering
    // shows.
    QString valuesAt(double x) const;
    // The hover box's text after the last mouse move ("" when hidden).
    QString hoverText() const;
    QString legendText() const; // plain text of the legend

    // For tests and the page.
    int seriesCount() const { return static_cast<int>(m_series.size()); }
    int visibleSeriesCount() const;
    qsizetype rawPointCount(const SeriesKey& key) const;
    qsizetype shownPointCount(const SeriesKey& key) const;   // points of the drawn (smoothed) line
    int rebuildCount() const { return m_rebuilds; }            // whole-series redraws (smoothing, log)
    QChartView* view() const { return m_view; }
    QChart* chart() const { return m_chart; }
    QAbstractAxis* xAxisObject() const { return m_x; }
    QAbstractAxis* yAxisObject(bool right = false) const { return right ? m_y2 : m_y; }

    // Hover at a position of the chart view's viewport (the mouse handler calls it).
    void hoverAt(const QPointF& viewportPos);
    void hideHover();

Q_SIGNALS:
    void zoomChanged(bool zoomed);

private:
    struct Series;
    struct Range {
        bool has = false;
        double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
        void grow(double x, double y);
    };
    void rebuild(Series& s);
    void appendShown(Series& s, qsizetype from);
    bool xOf(const Series& s, qsizetype i, double* x) const;
    QColor colourFor(const QString& metric);
    void rescanRange();
    void applyRange();
    void installYAxes();
    void installXAxis();
    void updateEmpty();
    void updateLegend();
    void updateRightAxisVisible();
    void recomputeRunStart(qint64 runId);
    QString xLabel(double x) const;
    struct HoverLine {
        QString label;
        double value = 0;
        double smoothed = 0;
        bool hasSmoothed = false;
        QColor colour;
        QString elsewhere; // "@step" when this series' nearest point is not the header's
    };
    std::vector<HoverLine> hoverLines(double x, double* shownX) const;
    int visibleSeriesOn(bool right) const;
    void exportDialog(bool png);
    void rebuildMetricsMenu();

    QString m_title;
    QString m_emptyHint;
    QChart* m_chart;
    QChartView* m_view;
    QLabel* m_legend;
    QToolButton* m_metricsButton;
    QToolButton* m_resetButton;
    QToolButton* m_exportButton;
    QGraphicsSimpleTextItem* m_emptyItem = nullptr;
    std::unique_ptr<ChartHoverBox> m_hover;
    QAbstractAxis* m_x = nullptr;
    QAbstractAxis* m_y = nullptr;
    QAbstractAxis* m_y2 = nullptr;
    std::map<SeriesKey, std::unique_ptr<Series>> m_series;
    std::map<QString, QColor> m_colours;
    std::map<qint64, double> m_runStart; // earliest wall time per run (relative-time axis)
    QSet<QString> m_hidden;
    std::function<bool(const QString&)> m_rightRule;
    double m_smoothing = 0.0;
    bool m_log = false;
    XAxis m_xMode = XAxis::Step;
    bool m_zoomed = false;
    int m_rebuilds = 0;
    Range m_range[2]; // left, right axis
};

} // namespace hw::ui
