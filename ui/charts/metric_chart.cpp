#include "ui/charts/metric_chart.h"

#include <QChart>
#include <QChartView>
#include <QGraphicsLineItem>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMouseEvent>
#include <QToolTip>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace hw::ui {

namespace {

const QColor kPalette[] = {QColor(0x25, 0x63, 0xeb), QColor(0xdc, 0x26, 0x26), QColor(0x16, 0xa3, 0x4a),
                           QColor(0xd9, 0x77, 0x06), QColor(0x93, 0x33, 0xea), QColor(0x08, 0x91, 0xb2),
                           QColor(0xdb, 0x27, 0x77), QColor(0x4b, 0x55, 0x63), QColor(0x65, 0xa3, 0x0d),
                           QColor(0x7c, 0x2d, 0x12)};
const Qt::PenStyle kRunStyles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine, Qt::DashDotDotLine};

// A chart view that draws a vertical crosshair at the hovered step and shows every series'
// value there in a tooltip.
class CrosshairView : public QChartView {
public:
    CrosshairView(QChart* chart, MetricChart* owner) : QChartView(chart), m_owner(owner)
    {
        setMouseTracking(true);
        setRenderHint(QPainter::Antialiasing);
        m_line = new QGraphicsLineItem;
        m_line->setPen(QPen(QColor(0x6b, 0x72, 0x80), 1, Qt::DashLine));
        m_line->setZValue(100);
        m_line->hide();
        chart->scene()->addItem(m_line);
    }

protected:
    void mouseMoveEvent(QMouseEvent* event) override
    {
        QChartView::mouseMoveEvent(event);
        const QPointF scenePos = mapToScene(event->position().toPoint());
        const QRectF area = chart()->plotArea();
        if (!area.contains(scenePos) || chart()->series().isEmpty()) {
            m_line->hide();
            QToolTip::hideText();
            return;
        }
        const QPointF value = chart()->mapToValue(chart()->mapFromScene(scenePos));
        const QString text = m_owner->valuesAt(value.x());
        m_line->setLine(QLineF(scenePos.x(), area.top(), scenePos.x(), area.bottom()));
        m_line->show();
        if (!text.isEmpty())
            QToolTip::showText(event->globalPosition().toPoint(), text, this);
    }
    void leaveEvent(QEvent* event) override
    {
        QChartView::leaveEvent(event);
        m_line->hide();
    }

private:
    MetricChart* m_owner;
    QGraphicsLineItem* m_line;
};

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

} // namespace

struct MetricChart::Series {
    SeriesKey key;
    QString label;
    QVector<QPointF> raw;
    QLineSeries* line = nullptr;  // smoothed (= raw when smoothing is off)
    QLineSeries* faint = nullptr; // raw, shown under the smoothed line when smoothing is on
    Ema ema;
};

MetricChart::MetricChart(const QString& title, QWidget* parent)
    : QWidget(parent), m_title(title), m_chart(new QChart)
{
    m_chart->setTitle(title);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->legend()->setShowToolTips(true);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    QFont tf = m_chart->titleFont();
    tf.setBold(true);
    m_chart->setTitleFont(tf);
    auto* x = new QValueAxis;
    x->setTitleText(tr("step"));
    x->setLabelFormat(QStringLiteral("%.0f"));
    m_chart->addAxis(x, Qt::AlignBottom);
    m_x = x;
    installYAxis();

    m_view = new CrosshairView(m_chart, this);
    m_view->setMinimumSize(260, 190);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    updateEmptyText();
}

MetricChart::~MetricChart() = default;

void MetricChart::installYAxis()
{
    if (m_y) {
        for (auto* s : m_chart->series())
            s->detachAxis(m_y);
        m_chart->removeAxis(m_y);
        delete m_y;
    }
    if (m_log) {
        auto* y = new QLogValueAxis;
        y->setBase(10);
        y->setLabelFormat(QStringLiteral("%.3g"));
        y->setMinorTickCount(-1);
        m_y = y;
    } else {
        auto* y = new QValueAxis;
        y->setLabelFormat(QStringLiteral("%.3g"));
        m_y = y;
    }
    m_chart->addAxis(m_y, Qt::AlignLeft);
    for (auto* s : m_chart->series())
        s->attachAxis(m_y);
}

QColor MetricChart::colourFor(const QString& metric)
{
    auto it = m_colours.find(metric);
    if (it != m_colours.end())
        return it->second;
    const QColor c = kPalette[m_colours.size() % std::size(kPalette)];
    m_colours.emplace(metric, c);
    return c;
}

void MetricChart::addSeries(const SeriesKey& key, const QString& label, int runIndex, const QVector<QPointF>& points)
{
    if (hasSeries(key))
        return;
    auto s = std::make_unique<Series>();
    s->key = key;
    s->label = label;
    const QColor colour = colourFor(key.metric);
    const Qt::PenStyle style = kRunStyles[std::max(0, runIndex) % std::size(kRunStyles)];

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
        ls->attachAxis(m_y);
    }
    for (QLegendMarker* m : m_chart->legend()->markers(s->faint))
        m->setVisible(false);
    Series& ref = *s;
    m_series.emplace(key, std::move(s));
    ref.raw = points;
    rebuild(ref);
    --m_rebuilds; // the first fill is not a redraw
    rescanRange();
    applyRange();
    updateEmptyText();
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
    rescanRange();
    applyRange();
    updateEmptyText();
}

void MetricChart::clearSeries()
{
    std::vector<SeriesKey> keys = seriesKeys();
    for (const auto& k : keys)
        removeSeries(k);
    m_colours.clear();
}

std::vector<MetricChart::SeriesKey> MetricChart::seriesKeys() const
{
    std::vector<SeriesKey> out;
    for (const auto& [k, s] : m_series)
        out.push_back(k);
    return out;
}

namespace {

bool shownOnLog(const QPointF& p) { return p.y() > 0 && std::isfinite(p.y()); }

} // namespace

// Redraws one series from its raw points (smoothing or scale changed).
void MetricChart::rebuild(Series& s)
{
    ++m_rebuilds;
    s.ema = Ema{m_smoothing};
    QList<QPointF> faint, line;
    faint.reserve(s.raw.size());
    line.reserve(s.raw.size());
    for (const QPointF& p : s.raw) {
        if (!std::isfinite(p.y()))
            continue;
        const QPointF sm(p.x(), s.ema.push(p.y()));
        if (!m_log || shownOnLog(p))
            faint.append(p);
        if (!m_log || shownOnLog(sm))
            line.append(sm);
    }
    s.faint->replace(faint);
    s.line->replace(line);
    s.faint->setVisible(m_smoothing > 0);
}

void MetricChart::appendShown(Series& s, const QVector<QPointF>& raw)
{
    QList<QPointF> faint, line;
    for (const QPointF& p : raw) {
        if (!std::isfinite(p.y()))
            continue;
        const QPointF sm(p.x(), s.ema.push(p.y()));
        if (!m_log || shownOnLog(p)) {
            faint.append(p);
            if (m_smoothing > 0)
                growRange(p);
        }
        if (!m_log || shownOnLog(sm)) {
            line.append(sm);
            growRange(sm);
        }
    }
    if (!faint.isEmpty())
        s.faint->append(faint);
    if (!line.isEmpty())
        s.line->append(line);
}

void MetricChart::appendPoints(const SeriesKey& key, const QVector<QPointF>& points)
{
    auto it = m_series.find(key);
    if (it == m_series.end() || points.isEmpty())
        return;
    Series& s = *it->second;
    const double firstStep = points.front().x();
    if (!s.raw.isEmpty() && s.raw.back().x() >= firstStep) {
        // A resumed run rewrote its tail: drop the old points from that step on. The EMA state is
        // recomputed over what stays, then the drawn lines are cut to match.
        const auto cut = std::lower_bound(s.raw.begin(), s.raw.end(), firstStep,
                                          [](const QPointF& p, double x) { return p.x() < x; });
        s.raw.erase(cut, s.raw.end());
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
    }
    s.raw += points;
    appendShown(s, points);
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
    installYAxis();
    for (auto& [k, s] : m_series)
        rebuild(*s);
    rescanRange();
    applyRange();
}

void MetricChart::growRange(const QPointF& p)
{
    if (!m_hasRange) {
        m_xMin = m_xMax = p.x();
        m_yMin = m_yMax = p.y();
        m_hasRange = true;
        return;
    }
    m_xMin = std::min(m_xMin, p.x());
    m_xMax = std::max(m_xMax, p.x());
    m_yMin = std::min(m_yMin, p.y());
    m_yMax = std::max(m_yMax, p.y());
}

void MetricChart::rescanRange()
{
    m_hasRange = false;
    for (const auto& [k, s] : m_series) {
        for (QLineSeries* ls : {s->line, s->faint}) {
            if (!ls->isVisible())
                continue;
            const int n = ls->count();
            for (int i = 0; i < n; ++i)
                growRange(ls->at(i));
        }
    }
}

void MetricChart::applyRange()
{
    double x0 = m_hasRange ? m_xMin : 0, x1 = m_hasRange ? m_xMax : 1;
    if (x1 <= x0)
        x1 = x0 + 1;
    static_cast<QValueAxis*>(m_x)->setRange(x0, x1);
    double y0 = m_hasRange ? m_yMin : (m_log ? 0.1 : 0), y1 = m_hasRange ? m_yMax : 1;
    if (m_log) {
        y0 = std::max(y0, 1e-12);
        y1 = std::max(y1, y0 * 10);
        // Whole decades, so the log axis has labels.
        y0 = std::pow(10.0, std::floor(std::log10(y0)));
        y1 = std::pow(10.0, std::ceil(std::log10(y1)));
        if (y1 <= y0)
            y1 = y0 * 10;
        static_cast<QLogValueAxis*>(m_y)->setRange(y0, y1);
    } else {
        const double span = y1 - y0;
        const double pad = span > 0 ? span * 0.05 : std::max(std::abs(y0) * 0.05, 0.5);
        static_cast<QValueAxis*>(m_y)->setRange(y0 - pad, y1 + pad);
    }
}

void MetricChart::updateEmptyText()
{
    m_chart->setTitle(m_series.empty() ? m_title + tr(" — no data") : m_title);
}

QString MetricChart::valuesAt(double step) const
{
    QStringList lines;
    double shownStep = std::numeric_limits<double>::quiet_NaN();
    for (const auto& [k, s] : m_series) {
        if (s->raw.isEmpty())
            continue;
        auto it = std::lower_bound(s->raw.begin(), s->raw.end(), step,
                                   [](const QPointF& p, double x) { return p.x() < x; });
        if (it == s->raw.end())
            --it;
        else if (it != s->raw.begin() && std::abs((it - 1)->x() - step) < std::abs(it->x() - step))
            --it;
        const qsizetype idx = it - s->raw.begin();
        QString line = QStringLiteral("%1: %2").arg(s->label, QString::number(it->y(), 'g', 5));
        if (m_smoothing > 0) {
            // The smoothed value at that point (the drawn line holds the same x's unless log drops some).
            for (int i = 0; i < s->line->count(); ++i)
                if (s->line->at(i).x() == it->x()) {
                    line += tr("  (smoothed %1)").arg(QString::number(s->line->at(i).y(), 'g', 5));
                    break;
                }
        }
        if (std::isnan(shownStep))
            shownStep = it->x();
        if (it->x() != shownStep)
            line += tr("  @%1").arg(static_cast<qint64>(it->x()));
        Q_UNUSED(idx);
        lines << line;
    }
    if (lines.isEmpty())
        return {};
    return tr("step %1").arg(static_cast<qint64>(shownStep)) + QLatin1Char('\n') + lines.join(QLatin1Char('\n'));
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
