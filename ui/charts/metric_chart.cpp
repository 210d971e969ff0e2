#include "ui/charts/metric_chart.h"

#include "ui/charts/chart_hover_box.h"
#include "ui/charts/metric_chart_view.h"
#include "ui/charts/nice_scale.h"
#include "ui/style/ui_style.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QFile>
#include <QFileDialog>
#include <QGraphicsLayout>
#include <QGraphicsSimpleTextItem>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QRegularExpression>
#include <QSaveFile>
#include <QToolButton>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace hw::ui {

namespace {

const Qt::PenStyle kRunStyles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine, Qt::DashDotDotLine};
const char* const kRunStyleGlyphs[] = {"——", "– –", "···", "–·–", "–··"};

// TensorBoard's smoothing: an EMA whose start-up bias is divided out.
struct Ema {
    double weight = 0.0;
    double last = 0.0;
    double debias = 1.0; // weight^n
    double push(double y)
    {
        if (!std::isfinite(y))
            return y;
        last = last * weight + (1.0 - weight) * y;
        debias *= weight;
        return weight > 0 ? last / (1.0 - debias) : y;
    }
};

bool shownOnLog(double y) { return y > 0 && std::isfinite(y); }

// printf format for tick labels: fixed decimals while they stay short, else 3 significant digits.
QString labelFormat(const NiceScale& s)
{
    const double mag = std::max(std::abs(s.min), std::abs(s.max));
    if (s.decimals > 5 || mag >= 1e6)
        return QStringLiteral("%.3g");
    return QStringLiteral("%.") + QString::number(s.decimals) + QLatin1Char('f');
}

QString number(double v) { return QString::number(v, 'g', 5); }

} // namespace

struct MetricChart::Series {
    SeriesKey key;
    QString label;
    int runIndex = 0;
    QVector<QPointF> raw;  // (step, value)
    QVector<double> wall;  // seconds since the epoch per raw point, 0 = unknown
    QLineSeries* line = nullptr;  // smoothed (= raw when smoothing is off)
    QLineSeries* faint = nullptr; // raw, shown under the smoothed line when smoothing is on
    Ema ema;
    bool right = false;
};

void MetricChart::Range::grow(double x, double y)
{
    if (!has) {
        x0 = x1 = x;
        y0 = y1 = y;
        has = true;
        return;
    }
    x0 = std::min(x0, x);
    x1 = std::max(x1, x);
    y0 = std::min(y0, y);
    y1 = std::max(y1, y);
}

MetricChart::MetricChart(const QString& title, QWidget* parent)
    : QWidget(parent), m_title(title), m_chart(new QChart)
{
    m_chart->setTitle(title);
    m_chart->legend()->hide(); // the label under the chart wraps instead of eliding names
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    QFont tf = m_chart->titleFont();
    tf.setBold(true);
    m_chart->setTitleFont(tf);
    installXAxis();
    installYAxes();

    m_view = new MetricChartView(m_chart, this);
    m_view->setMinimumSize(260, 130);

    m_hover = std::make_unique<ChartHoverBox>(m_chart->scene());
    m_emptyItem = new QGraphicsSimpleTextItem;
    m_emptyItem->setBrush(style::mutedText());
    m_emptyItem->setZValue(50);
    m_chart->scene()->addItem(m_emptyItem);
    connect(m_chart, &QChart::plotAreaChanged, this, [this] { updateEmpty(); });

    m_legend = new QLabel;
    m_legend->setWordWrap(true);
    m_legend->setTextFormat(Qt::RichText);
    m_legend->setObjectName(QStringLiteral("chartLegend"));
    QFont small = m_legend->font();
    small.setPointSizeF(small.pointSizeF() * 0.88); // ten losses fit in two lines of a half-width chart
    m_legend->setFont(small);
    m_legend->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Minimum);

    m_metricsButton = new QToolButton;
    m_metricsButton->setText(tr("Metrics"));
    m_metricsButton->setToolTip(tr("Choose which metrics this chart draws"));
    m_metricsButton->setPopupMode(QToolButton::InstantPopup);
    auto* metricsMenu = new QMenu(m_metricsButton);
    m_metricsButton->setMenu(metricsMenu);
    connect(metricsMenu, &QMenu::aboutToShow, this, &MetricChart::rebuildMetricsMenu);
    m_resetButton = new QToolButton;
    m_resetButton->setText(tr("Reset zoom"));
    m_resetButton->setToolTip(tr("Drag a rectangle on the chart to zoom; this (or a double-click) shows "
                                 "everything again"));
    m_resetButton->setEnabled(false);
    connect(m_resetButton, &QToolButton::clicked, this, &MetricChart::resetZoom);
    m_exportButton = new QToolButton;
    m_exportButton->setText(tr("Export"));
    m_exportButton->setToolTip(tr("Save this chart's raw points as CSV, or the chart as a PNG image"));
    m_exportButton->setPopupMode(QToolButton::InstantPopup);
    auto* exportMenu = new QMenu(m_exportButton);
    exportMenu->addAction(tr("CSV (raw points)…"), this, [this] { exportDialog(false); });
    exportMenu->addAction(tr("PNG image…"), this, [this] { exportDialog(true); });
    m_exportButton->setMenu(exportMenu);
    for (auto* b : {m_metricsButton, m_resetButton, m_exportButton})
        b->setAutoRaise(true);

    auto* bottom = new QHBoxLayout;
    bottom->setContentsMargins(4, 0, 0, 0);
    bottom->addWidget(m_legend, 1);
    bottom->addWidget(m_metricsButton, 0, Qt::AlignTop);
    bottom->addWidget(m_resetButton, 0, Qt::AlignTop);
    bottom->addWidget(m_exportButton, 0, Qt::AlignTop);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_view, 1);
    layout->addLayout(bottom);
    m_emptyHint = tr("No data yet");
    updateEmpty();
    updateLegend();
}

MetricChart::~MetricChart()
{
    // The chart view (a child) dies after our members: no plotAreaChanged into a half-destroyed this.
    disconnect(m_chart, nullptr, this, nullptr);
}

void MetricChart::installXAxis()
{
    if (m_x) {
        for (auto* s : m_chart->series())
            s->detachAxis(m_x);
        m_chart->removeAxis(m_x);
        delete m_x;
    }
    if (m_xMode == XAxis::WallClock) {
        auto* x = new QDateTimeAxis;
        x->setTitleText(tr("wall clock"));
        x->setFormat(QStringLiteral("HH:mm:ss"));
        x->setTickCount(5);
        m_x = x;
    } else {
        auto* x = new QValueAxis;
        x->setTitleText(m_xMode == XAxis::Step ? tr("step") : tr("minutes since the run started"));
        x->setLabelFormat(QStringLiteral("%.0f"));
        m_x = x;
    }
    m_chart->addAxis(m_x, Qt::AlignBottom);
    for (auto* s : m_chart->series())
        s->attachAxis(m_x);
}

void MetricChart::installYAxes()
{
    for (QAbstractAxis** axis : {&m_y, &m_y2}) {
        if (!*axis)
            continue;
        for (auto* s : m_chart->series())
            s->detachAxis(*axis);
        m_chart->removeAxis(*axis);
        delete *axis;
        *axis = nullptr;
    }
    auto make = [this]() -> QAbstractAxis* {
        if (m_log) {
            auto* y = new QLogValueAxis;
            y->setBase(10);
            y->setLabelFormat(QStringLiteral("%.0e"));
            y->setMinorTickCount(-1);
            return y;
        }
        auto* y = new QValueAxis;
        y->setLabelFormat(QStringLiteral("%.1f"));
        return y;
    };
    m_y = make();
    m_y2 = make();
    m_chart->addAxis(m_y, Qt::AlignLeft);
    m_chart->addAxis(m_y2, Qt::AlignRight);
    m_y2->setGridLineVisible(false);
    for (const auto& [k, s] : m_series)
        for (QLineSeries* ls : {s->faint, s->line})
            ls->attachAxis(s->right ? m_y2 : m_y);
    updateRightAxisVisible();
}

void MetricChart::updateRightAxisVisible()
{
    const int right = visibleSeriesOn(true);
    const bool empty = visibleSeriesCount() == 0;
    m_x->setVisible(!empty);
    m_y->setVisible(!empty && visibleSeriesOn(false) > 0);
    m_y2->setVisible(!empty && right > 0);
    // Name the right axis after its metrics, so "which line is on which axis" needs no legend.
    QStringList names;
    for (const auto& [k, s] : m_series)
        if (s->right && isMetricVisible(k.metric) && !names.contains(k.metric))
            names << k.metric;
    m_y2->setTitleText(names.join(QStringLiteral(", ")));
}

int MetricChart::visibleSeriesOn(bool right) const
{
    int n = 0;
    for (const auto& [k, s] : m_series)
        if (s->right == right && isMetricVisible(k.metric))
            ++n;
    return n;
}

int MetricChart::visibleSeriesCount() const { return visibleSeriesOn(false) + visibleSeriesOn(true); }

QColor MetricChart::colourFor(const QString& metric)
{
    auto it = m_colours.find(metric);
    if (it != m_colours.end())
        return it->second;
    const QColor c = style::seriesColour(static_cast<int>(m_colours.size()));
    m_colours.emplace(metric, c);
    return c;
}

void MetricChart::setRightAxisRule(std::function<bool(const QString&)> rule)
{
    m_rightRule = std::move(rule);
    for (auto& [k, s] : m_series) {
        const bool right = m_rightRule && m_rightRule(k.metric);
        if (right == s->right)
            continue;
        for (QLineSeries* ls : {s->faint, s->line}) {
            ls->detachAxis(s->right ? m_y2 : m_y);
            ls->attachAxis(right ? m_y2 : m_y);
        }
        s->right = right;
    }
    updateRightAxisVisible();
    updateLegend();
    rescanRange();
    applyRange();
}

bool MetricChart::onRightAxis(const SeriesKey& key) const
{
    auto it = m_series.find(key);
    return it != m_series.end() && it->second->right;
}

void MetricChart::addSeries(const SeriesKey& key, const QString& label, int runIndex, const QVector<QPointF>& points,
                            const QVector<double>& wallTimes)
{
    if (hasSeries(key))
        return;
    auto s = std::make_unique<Series>();
    s->key = key;
    s->label = label;
    s->runIndex = std::max(0, runIndex);
    s->right = m_rightRule && m_rightRule(key.metric);
    const QColor colour = colourFor(key.metric);
    const Qt::PenStyle style = kRunStyles[s->runIndex % std::size(kRunStyles)];

    s->faint = new QLineSeries;
    QColor faint = colour;
    faint.setAlphaF(0.25);
    s->faint->setPen(QPen(faint, 1.0, style));
    s->faint->setName(label + tr(" (raw)"));
    s->line = new QLineSeries;
    s->line->setPen(QPen(colour, 1.8, style));
    s->line->setName(label);
    for (QLineSeries* ls : {s->faint, s->line}) {
        m_chart->addSeries(ls);
        ls->attachAxis(m_x);
        ls->attachAxis(s->right ? m_y2 : m_y);
    }
    Series& ref = *s;
    m_series.emplace(key, std::move(s));
    ref.raw = points;
    ref.wall = wallTimes.size() == points.size() ? wallTimes : QVector<double>(points.size(), 0.0);
    const auto before = m_runStart.find(key.runId);
    const double oldStart = before == m_runStart.end() ? 0 : before->second;
    recomputeRunStart(key.runId);
    if (m_xMode == XAxis::RelativeTime && oldStart != 0 && m_runStart[key.runId] != oldStart) {
        for (auto& [k, other] : m_series)
            if (k.runId == key.runId && other.get() != &ref)
                rebuild(*other);
    }
    rebuild(ref);
    --m_rebuilds; // the first fill is not a redraw
    updateRightAxisVisible();
    rescanRange();
    applyRange();
    updateEmpty();
    updateLegend();
}

void MetricChart::recomputeRunStart(qint64 runId)
{
    double start = 0;
    for (const auto& [k, s] : m_series) {
        if (k.runId != runId)
            continue;
        for (double w : s->wall)
            if (w > 0 && (start == 0 || w < start))
                start = w;
    }
    if (start > 0)
        m_runStart[runId] = start;
    else
        m_runStart.erase(runId);
}

void MetricChart::removeSeries(const SeriesKey& key)
{
    auto it = m_series.find(key);
    if (it == m_series.end())
        return;
    m_chart->removeSeries(it->second->line);
    m_chart->removeSeries(it->second->faint);
    delete it->second->line;
    delete it->second->faint;
    m_series.erase(it);
    recomputeRunStart(key.runId);
    updateRightAxisVisible();
    rescanRange();
    applyRange();
    updateEmpty();
    updateLegend();
    hideHover();
}

void MetricChart::clearSeries()
{
    std::vector<SeriesKey> keys = seriesKeys();
    for (const auto& k : keys)
        removeSeries(k);
    m_colours.clear();
    m_runStart.clear();
    if (m_zoomed)
        resetZoom();
}

std::vector<MetricChart::SeriesKey> MetricChart::seriesKeys() const
{
    std::vector<SeriesKey> out;
    for (const auto& [k, s] : m_series)
        out.push_back(k);
    return out;
}

QStringList MetricChart::metrics() const
{
    QStringList out;
    for (const auto& [k, s] : m_series)
        if (!out.contains(k.metric))
            out << k.metric;
    out.sort();
    return out;
}

// x of raw point i on the current x axis; false when that axis cannot place it (no wall time).
bool MetricChart::xOf(const Series& s, qsizetype i, double* x) const
{
    switch (m_xMode) {
    case XAxis::Step:
        *x = s.raw[i].x();
        return true;
    case XAxis::RelativeTime: {
        const double w = s.wall[i];
        auto start = m_runStart.find(s.key.runId);
        if (w <= 0 || start == m_runStart.end())
            return false;
        *x = (w - start->second) / 60.0;
        return true;
    }
    case XAxis::WallClock:
        if (s.wall[i] <= 0)
            return false;
        *x = s.wall[i] * 1000.0;
        return true;
    }
    return false;
}

// Redraws one series from its raw points (smoothing, scale or x axis changed).
void MetricChart::rebuild(Series& s)
{
    ++m_rebuilds;
    s.ema = Ema{m_smoothing};
    QList<QPointF> faint, line;
    faint.reserve(s.raw.size());
    line.reserve(s.raw.size());
    for (qsizetype i = 0; i < s.raw.size(); ++i) {
        const double y = s.raw[i].y();
        if (!std::isfinite(y))
            continue;
        const double sm = s.ema.push(y);
        double x = 0;
        if (!xOf(s, i, &x))
            continue;
        if (!m_log || shownOnLog(y))
            faint.append({x, y});
        if (!m_log || shownOnLog(sm))
            line.append({x, sm});
    }
    s.faint->replace(faint);
    s.line->replace(line);
    const bool visible = isMetricVisible(s.key.metric);
    s.faint->setVisible(visible && m_smoothing > 0);
    s.line->setVisible(visible);
}

void MetricChart::appendShown(Series& s, qsizetype from)
{
    const bool visible = isMetricVisible(s.key.metric);
    Range& range = m_range[s.right ? 1 : 0];
    QList<QPointF> faint, line;
    for (qsizetype i = from; i < s.raw.size(); ++i) {
        const double y = s.raw[i].y();
        if (!std::isfinite(y))
            continue;
        const double sm = s.ema.push(y);
        double x = 0;
        if (!xOf(s, i, &x))
            continue;
        if (!m_log || shownOnLog(y)) {
            faint.append({x, y});
            if (visible && m_smoothing > 0)
                range.grow(x, y);
        }
        if (!m_log || shownOnLog(sm)) {
            line.append({x, sm});
            if (visible)
                range.grow(x, sm);
        }
    }
    if (!faint.isEmpty())
        s.faint->append(faint);
    if (!line.isEmpty())
        s.line->append(line);
}

void MetricChart::appendPoints(const SeriesKey& key, const QVector<QPointF>& points, const QVector<double>& wallTimes)
{
    auto it = m_series.find(key);
    if (it == m_series.end() || points.isEmpty())
        return;
    Series& s = *it->second;
    const QVector<double> walls = wallTimes.size() == points.size() ? wallTimes : QVector<double>(points.size(), 0.0);
    const double firstStep = points.front().x();
    if (!s.raw.isEmpty() && s.raw.back().x() >= firstStep) {
        // A resumed run rewrote its tail: drop the old points from that step on.
        const auto cut = std::lower_bound(s.raw.begin(), s.raw.end(), firstStep,
                                          [](const QPointF& p, double x) { return p.x() < x; });
        const qsizetype keepRaw = cut - s.raw.begin();
        s.raw.resize(keepRaw);
        s.wall.resize(keepRaw);
        if (m_xMode == XAxis::Step) {
            // The EMA state is recomputed over what stays, then the drawn lines are cut to match.
            auto keepPoints = [&](QLineSeries* ls) {
                int n = ls->count();
                int keep = n;
                while (keep > 0 && ls->at(keep - 1).x() >= firstStep)
                    --keep;
                if (keep < n)
                    ls->removePoints(keep, n - keep);
            };
            keepPoints(s.line);
            keepPoints(s.faint);
            s.ema = Ema{m_smoothing};
            for (const QPointF& p : s.raw)
                if (std::isfinite(p.y()))
                    s.ema.push(p.y());
        } else {
            rebuild(s); // time axes: the drawn points do not carry the step to cut at
        }
    }
    const qsizetype from = s.raw.size();
    s.raw += points;
    s.wall += walls;
    if (m_xMode == XAxis::RelativeTime && !m_runStart.count(key.runId)) {
        recomputeRunStart(key.runId);
        for (auto& [k, other] : m_series)
            if (k.runId == key.runId && other.get() != &s)
                rebuild(*other);
        rebuild(s);
        rescanRange();
    } else {
        appendShown(s, from);
    }
    applyRange();
}

void MetricChart::setSmoothing(double weight)
{
    weight = std::clamp(weight, 0.0, 0.999);
    if (weight == m_smoothing)
        return;
    m_smoothing = weight;
    for (auto& [k, s] : m_series)
        rebuild(*s);
    rescanRange();
    applyRange();
}

void MetricChart::setLogScale(bool on)
{
    if (on == m_log)
        return;
    m_log = on;
    installYAxes();
    for (auto& [k, s] : m_series)
        rebuild(*s);
    m_zoomed = false;
    rescanRange();
    applyRange();
    Q_EMIT zoomChanged(false);
    m_resetButton->setEnabled(false);
}

void MetricChart::setXAxis(XAxis mode)
{
    if (mode == m_xMode)
        return;
    m_xMode = mode;
    installXAxis();
    for (auto& [k, s] : m_series)
        rebuild(*s);
    m_zoomed = false;
    m_resetButton->setEnabled(false);
    rescanRange();
    applyRange();
    hideHover();
}

void MetricChart::setMetricVisible(const QString& metric, bool visible)
{
    if (visible == isMetricVisible(metric))
        return;
    if (visible)
        m_hidden.remove(metric);
    else
        m_hidden.insert(metric);
    for (auto& [k, s] : m_series) {
        if (k.metric != metric)
            continue;
        s->line->setVisible(visible);
        s->faint->setVisible(visible && m_smoothing > 0);
    }
    updateRightAxisVisible();
    rescanRange();
    applyRange();
    updateEmpty();
    updateLegend();
}

void MetricChart::rebuildMetricsMenu()
{
    QMenu* menu = m_metricsButton->menu();
    menu->clear();
    const QStringList names = metrics();
    if (names.isEmpty()) {
        menu->addAction(tr("(no metrics yet)"))->setEnabled(false);
        return;
    }
    for (const QString& m : names) {
        QAction* a = menu->addAction(m);
        a->setCheckable(true);
        a->setChecked(isMetricVisible(m));
        connect(a, &QAction::toggled, this, [this, m](bool on) { setMetricVisible(m, on); });
    }
    menu->addSeparator();
    menu->addAction(tr("Show all"), this, [this, names] {
        for (const QString& m : names)
            setMetricVisible(m, true);
    });
}

void MetricChart::rescanRange()
{
    m_range[0] = Range{};
    m_range[1] = Range{};
    for (const auto& [k, s] : m_series) {
        if (!isMetricVisible(k.metric))
            continue;
        Range& range = m_range[s->right ? 1 : 0];
        for (QLineSeries* ls : {s->line, s->faint}) {
            if (ls == s->faint && m_smoothing <= 0)
                continue;
            const int n = ls->count();
            for (int i = 0; i < n; ++i) {
                const QPointF p = ls->at(i);
                range.grow(p.x(), p.y());
            }
        }
    }
}

void MetricChart::applyRange()
{
    if (m_zoomed)
        return;
    double x0 = 0, x1 = 1;
    bool hasX = false;
    for (const Range& r : m_range) {
        if (!r.has)
            continue;
        x0 = hasX ? std::min(x0, r.x0) : r.x0;
        x1 = hasX ? std::max(x1, r.x1) : r.x1;
        hasX = true;
    }
    if (m_xMode == XAxis::WallClock) {
        if (x1 <= x0)
            x1 = x0 + 1000;
        auto* axis = static_cast<QDateTimeAxis*>(m_x);
        axis->setFormat(x1 - x0 > 86400e3 ? QStringLiteral("MM-dd HH:mm") : QStringLiteral("HH:mm:ss"));
        axis->setRange(QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(x0)),
                       QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(std::ceil(x1))));
    } else {
        const NiceScale ns = niceScale(x0, x1, 7, m_xMode == XAxis::Step);
        auto* axis = static_cast<QValueAxis*>(m_x);
        axis->setRange(ns.min, ns.max);
        axis->setTickCount(ns.ticks);
        axis->setLabelFormat(labelFormat(ns));
    }
    for (int side = 0; side < 2; ++side) {
        const Range& r = m_range[side];
        QAbstractAxis* yAxis = side == 0 ? m_y : m_y2;
        double y0 = r.has ? r.y0 : (m_log ? 0.1 : 0), y1 = r.has ? r.y1 : 1;
        if (m_log) {
            y0 = std::max(y0, 1e-12);
            y1 = std::max(y1, y0);
            // Whole decades, so the log axis has labels.
            y0 = std::pow(10.0, std::floor(std::log10(y0)));
            y1 = std::pow(10.0, std::ceil(std::log10(y1)));
            if (y1 <= y0)
                y1 = y0 * 10;
            static_cast<QLogValueAxis*>(yAxis)->setRange(y0, y1);
        } else {
            const NiceScale ns = niceScale(y0, y1, 6);
            auto* axis = static_cast<QValueAxis*>(yAxis);
            axis->setRange(ns.min, ns.max);
            axis->setTickCount(ns.ticks);
            axis->setLabelFormat(labelFormat(ns));
        }
    }
}

void MetricChart::zoomTo(const QRectF& values)
{
    const QRectF v = values.normalized();
    if (v.width() <= 0 || v.height() <= 0)
        return;
    if (m_xMode == XAxis::WallClock)
        static_cast<QDateTimeAxis*>(m_x)->setRange(QDateTime::fromMSecsSinceEpoch(qint64(v.left())),
                                                    QDateTime::fromMSecsSinceEpoch(qint64(v.right())));
    else
        static_cast<QValueAxis*>(m_x)->setRange(v.left(), v.right());
    if (m_log)
        static_cast<QLogValueAxis*>(m_y)->setRange(std::max(v.top(), 1e-12), v.bottom());
    else
        static_cast<QValueAxis*>(m_y)->setRange(v.top(), v.bottom());
    markZoomed();
}

void MetricChart::markZoomed()
{
    m_zoomed = true;
    m_resetButton->setEnabled(true);
    Q_EMIT zoomChanged(true);
}

void MetricChart::resetZoom()
{
    const bool was = m_zoomed;
    m_zoomed = false;
    m_resetButton->setEnabled(false);
    rescanRange();
    applyRange();
    if (was)
        Q_EMIT zoomChanged(false);
}

void MetricChart::setEmptyHint(const QString& text)
{
    if (text == m_emptyHint)
        return; // the runs page sets it on every poll
    m_emptyHint = text;
    updateEmpty();
}

void MetricChart::updateEmpty()
{
    // An empty chart shows what to do, not "0 0 1 1 1" on bare axes.
    const bool empty = visibleSeriesCount() == 0;
    m_emptyItem->setText(m_series.empty() ? m_emptyHint : tr("Every metric of this chart is hidden (Metrics menu)"));
    m_emptyItem->setVisible(empty);
    updateRightAxisVisible();
    const QRectF area = m_chart->plotArea();
    const QRectF text = m_emptyItem->boundingRect();
    m_emptyItem->setPos(area.center() - QPointF(text.width() / 2, text.height() / 2));
}

void MetricChart::updateLegend()
{
    QStringList parts;
    for (const auto& [k, s] : m_series) {
        if (!isMetricVisible(k.metric))
            continue;
        const QColor c = s->line->pen().color();
        QString entry = QStringLiteral("<span style=\"color:%1\"><b>%2</b></span>&nbsp;%3")
                            .arg(c.name(), QString::fromUtf8(kRunStyleGlyphs[s->runIndex % std::size(kRunStyleGlyphs)]),
                                 s->label.toHtmlEscaped());
        if (s->right && visibleSeriesOn(false) > 0)
            entry += tr("&nbsp;(right axis)");
        parts << QStringLiteral("<span style=\"white-space:nowrap\">%1</span>").arg(entry);
    }
    m_legend->setText(parts.join(QStringLiteral("&nbsp; ")));
    m_legend->setVisible(!parts.isEmpty());
}

QString MetricChart::legendText() const
{
    QStringList parts;
    for (const auto& [k, s] : m_series)
        if (isMetricVisible(k.metric))
            parts << s->label + (s->right && visibleSeriesOn(false) > 0 ? tr(" (right axis)") : QString());
    return parts.join(QStringLiteral("  "));
}

QString MetricChart::xLabel(double x) const
{
    switch (m_xMode) {
    case XAxis::Step: return tr("step %1").arg(static_cast<qint64>(std::llround(x)));
    case XAxis::RelativeTime: return tr("%1 min since start").arg(QString::number(x, 'f', x < 10 ? 2 : 1));
    case XAxis::WallClock:
        return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(x)).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    }
    return {};
}

std::vector<MetricChart::HoverLine> MetricChart::hoverLines(double x, double* shownX) const
{
    std::vector<HoverLine> out;
    *shownX = std::numeric_limits<double>::quiet_NaN();
    for (const auto& [k, s] : m_series) {
        if (!isMetricVisible(k.metric) || s->raw.isEmpty())
            continue;
        // Nearest raw point on the current x axis (and the smoothed value drawn there).
        qsizetype best = -1;
        double bestX = 0;
        if (m_xMode == XAxis::Step) {
            auto it = std::lower_bound(s->raw.begin(), s->raw.end(), x,
                                       [](const QPointF& p, double v) { return p.x() < v; });
            if (it == s->raw.end())
                --it;
            else if (it != s->raw.begin() && std::abs((it - 1)->x() - x) < std::abs(it->x() - x))
                --it;
            best = it - s->raw.begin();
            bestX = it->x();
        } else {
            for (qsizetype i = 0; i < s->raw.size(); ++i) {
                double xi = 0;
                if (!xOf(*s, i, &xi))
                    continue;
                if (best < 0 || std::abs(xi - x) < std::abs(bestX - x)) {
                    best = i;
                    bestX = xi;
                }
            }
        }
        if (best < 0)
            continue;
        HoverLine line;
        line.label = s->label + (s->right && visibleSeriesOn(false) > 0 ? tr(" (right)") : QString());
        line.value = s->raw[best].y();
        line.colour = s->line->pen().color();
        if (m_smoothing > 0) {
            // The drawn line holds the same x's unless the log axis dropped some.
            const int n = s->line->count();
            for (int i = 0; i < n; ++i)
                if (s->line->at(i).x() == bestX) {
                    line.smoothed = s->line->at(i).y();
                    line.hasSmoothed = true;
                    break;
                }
        }
        if (std::isnan(*shownX))
            *shownX = bestX;
        if (bestX != *shownX)
            line.elsewhere = m_xMode == XAxis::Step ? tr("@%1").arg(static_cast<qint64>(bestX)) : QStringLiteral("@") + xLabel(bestX);
        out.push_back(line);
    }
    return out;
}

QString MetricChart::valuesAt(double x) const
{
    double shownX = 0;
    const auto lines = hoverLines(x, &shownX);
    if (lines.empty())
        return {};
    QStringList text;
    text << xLabel(shownX);
    for (const auto& l : lines) {
        QString t = QStringLiteral("%1: %2").arg(l.label, number(l.value));
        if (l.hasSmoothed)
            t += tr("  (smoothed %1)").arg(number(l.smoothed));
        if (!l.elsewhere.isEmpty())
            t += QStringLiteral("  ") + l.elsewhere;
        text << t;
    }
    return text.join(QLatin1Char('\n'));
}

void MetricChart::hoverAt(const QPointF& viewportPos)
{
    const QPointF scenePos = m_view->mapToScene(viewportPos.toPoint());
    const QRectF area = m_chart->plotArea();
    if (!area.contains(scenePos) || visibleSeriesCount() == 0) {
        hideHover();
        return;
    }
    // Any series maps x (they share the x axis); a left-axis one keeps y meaningful.
    QLineSeries* ref = nullptr;
    for (const auto& [k, s] : m_series)
        if (isMetricVisible(k.metric) && (!ref || !s->right))
            ref = s->line;
    const QPointF value = m_chart->mapToValue(m_chart->mapFromScene(scenePos), ref);
    double shownX = 0;
    const auto lines = hoverLines(value.x(), &shownX);
    if (lines.empty()) {
        hideHover();
        return;
    }
    QString html = QStringLiteral("<b>%1</b>").arg(xLabel(shownX).toHtmlEscaped());
    for (const auto& l : lines) {
        html += QStringLiteral("<br><span style=\"color:%1\">&#9632;</span> %2: <b>%3</b>")
                    .arg(l.colour.name(), l.label.toHtmlEscaped(), number(l.hasSmoothed ? l.smoothed : l.value));
        if (l.hasSmoothed)
            html += tr(" (raw %1)").arg(number(l.value));
        if (!l.elsewhere.isEmpty())
            html += QStringLiteral(" <i>%1</i>").arg(l.elsewhere.toHtmlEscaped());
    }
    // Snap the line to the nearest point's x when it is in view.
    const QPointF snapped = m_chart->mapToPosition(QPointF(shownX, 0), ref);
    const double lineX = area.left() <= snapped.x() && snapped.x() <= area.right() ? snapped.x() : scenePos.x();
    m_hover->show(html, lineX, area);
}

void MetricChart::hideHover()
{
    if (m_hover)
        m_hover->hide();
}

QString MetricChart::hoverText() const { return m_hover->text(); }

QString MetricChart::toCsv() const
{
    QString out = QStringLiteral("run,metric,step,wall_time,value\n");
    for (const auto& [k, s] : m_series) {
        if (!isMetricVisible(k.metric))
            continue;
        QString metric = k.metric;
        if (metric.contains(QLatin1Char(',')) || metric.contains(QLatin1Char('"')))
            metric = QLatin1Char('"') + metric.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
        for (qsizetype i = 0; i < s->raw.size(); ++i) {
            const double w = s->wall[i];
            out += QStringLiteral("%1,%2,%3,%4,%5\n")
                       .arg(k.runId)
                       .arg(metric)
                       .arg(static_cast<qint64>(s->raw[i].x()))
                       .arg(w > 0 ? QString::number(w, 'f', 3) : QString())
                       .arg(QString::number(s->raw[i].y(), 'g', 17));
        }
    }
    return out;
}

bool MetricChart::exportCsv(const QString& path, QString* error) const
{
    // QSaveFile: a failed write leaves no half-written file behind.
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Text)) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    f.write(toCsv().toUtf8());
    if (!f.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

QImage MetricChart::toImage() const
{
    const QImage chart = m_view->grab().toImage();
    const QImage legend = m_legend->isVisible() ? m_legend->grab().toImage() : QImage();
    QImage out(chart.width(), chart.height() + legend.height(), QImage::Format_ARGB32);
    out.fill(Qt::white);
    QPainter p(&out);
    p.drawImage(0, 0, chart);
    if (!legend.isNull())
        p.drawImage(0, chart.height(), legend);
    return out;
}

bool MetricChart::exportPng(const QString& path, QString* error) const
{
    if (!toImage().save(path, "PNG")) {
        if (error)
            *error = tr("Cannot write %1").arg(path);
        return false;
    }
    return true;
}

void MetricChart::exportDialog(bool png)
{
    QString base = m_title;
    base.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9]+")), QStringLiteral("-"));
    const QString path = QFileDialog::getSaveFileName(
        this, png ? tr("Export chart as PNG") : tr("Export chart as CSV"),
        base.toLower() + (png ? QStringLiteral(".png") : QStringLiteral(".csv")),
        png ? tr("PNG image (*.png)") : tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!(png ? exportPng(path, &error) : exportCsv(path, &error)))
        QMessageBox::warning(this, tr("Export chart"), error);
}

qsizetype MetricChart::rawPointCount(const SeriesKey& key) const
{
    auto it = m_series.find(key);
    return it == m_series.end() ? 0 : it->second->raw.size();
}

qsizetype MetricChart::shownPointCount(const SeriesKey& key) const
{
    auto it = m_series.find(key);
    return it == m_series.end() ? 0 : it->second->line->count();
}

} // namespace hw::ui
