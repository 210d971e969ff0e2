#include "ui/charts/interval_bar_chart.h"

#include "ui/charts/nice_scale.h"
#include "ui/style/ui_style.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace hw::ui {
namespace {

constexpr double kLeft = 52, kRight = 12, kTop = 12, kBottom = 52; // axis labels and legend
constexpr double kGroupGap = 0.28;                                  // of a group's width

} // namespace

IntervalBarChart::IntervalBarChart(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent, false);
}

void IntervalBarChart::setData(const QStringList& categories, const QStringList& series,
                               std::vector<std::vector<IntervalBar>> bars, const QString& valueLabel)
{
    m_categories = categories;
    m_series = series;
    m_bars = std::move(bars);
    m_valueLabel = valueLabel;
    double lo = 0.0, hi = 0.0; // zero always on the axis: bars start there
    for (const auto& row : m_bars)
        for (const auto& b : row)
            if (b.valid) {
                lo = std::min({lo, b.low, b.mean});
                hi = std::max({hi, b.high, b.mean});
            }
    if (hi - lo < 1e-9)
        hi = lo + 1.0;
    const NiceScale s = niceScale(lo, hi, 6);
    m_min = s.min;
    m_max = s.max;
    m_step = s.step;
    update();
}

void IntervalBarChart::clear() { setData({}, {}, {}, {}); }

QRectF IntervalBarChart::plotRect() const
{
    return QRectF(kLeft, kTop, std::max(10.0, width() - kLeft - kRight), std::max(10.0, height() - kTop - kBottom));
}

double IntervalBarChart::yOf(double v) const
{
    const QRectF r = plotRect();
    return r.bottom() - (v - m_min) / (m_max - m_min) * r.height();
}

QRectF IntervalBarChart::barRect(int category, int series) const
{
    const QRectF r = plotRect();
    const double group = r.width() / std::max<qsizetype>(1, m_categories.size());
    const double inner = group * (1.0 - kGroupGap);
    const double w = inner / std::max<qsizetype>(1, m_series.size());
    const double x = r.left() + group * category + group * kGroupGap / 2 + w * series;
    const IntervalBar& b = m_bars[static_cast<size_t>(category)][static_cast<size_t>(series)];
    const double y0 = yOf(0.0), y1 = yOf(b.mean);
    return QRectF(x + 1, std::min(y0, y1), std::max(1.0, w - 2), std::abs(y1 - y0));
}

std::pair<int, int> IntervalBarChart::barAt(const QPoint& p) const
{
    const QRectF r = plotRect();
    if (!r.contains(p) || m_categories.isEmpty() || m_series.isEmpty())
        return {-1, -1};
    for (int c = 0; c < m_categories.size(); ++c)
        for (int s = 0; s < m_series.size(); ++s) {
            const QRectF b = barRect(c, s);
            if (p.x() >= b.left() && p.x() <= b.right())
                return {c, s};
        }
    return {-1, -1};
}

void IntervalBarChart::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), style::chatBackground());
    const QRectF r = plotRect();
    if (m_categories.isEmpty() || m_series.isEmpty()) {
        p.setPen(style::mutedText());
        p.drawText(rect(), Qt::AlignCenter, tr("No results yet"));
        return;
    }
    // Grid and tick labels.
    const NiceScale s = niceScale(m_min, m_max, 6);
    p.setFont(font());
    for (double v = m_min; v <= m_max + m_step / 2; v += m_step) {
        const double y = yOf(v);
        p.setPen(QPen(style::cardBorder(), 1));
        p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y));
        p.setPen(style::mutedText());
        p.drawText(QRectF(0, y - 8, kLeft - 6, 16), Qt::AlignRight | Qt::AlignVCenter,
                   QString::number(std::abs(v) < m_step / 1e6 ? 0.0 : v, 'f', s.decimals));
    }
    if (m_min < 0 && m_max > 0) {
        p.setPen(QPen(style::secondaryText(), 1, Qt::DashLine));
        p.drawLine(QPointF(r.left(), yOf(0)), QPointF(r.right(), yOf(0)));
    }
    // Bars and whiskers.
    for (int c = 0; c < m_categories.size(); ++c) {
        for (int si = 0; si < m_series.size(); ++si) {
            const IntervalBar& b = m_bars[static_cast<size_t>(c)][static_cast<size_t>(si)];
            if (!b.valid)
                continue;
            const QColor colour = style::seriesColour(si);
            const QRectF bar = barRect(c, si);
            QColor fill = colour;
            fill.setAlpha(150);
            p.setPen(Qt::NoPen);
            p.setBrush(fill);
            p.drawRect(bar);
            const double cx = bar.center().x();
            const double cap = std::min(8.0, bar.width() / 3);
            p.setPen(QPen(colour.darker(140), 1.6));
            p.drawLine(QPointF(cx, yOf(b.low)), QPointF(cx, yOf(b.high)));
            p.drawLine(QPointF(cx - cap, yOf(b.low)), QPointF(cx + cap, yOf(b.low)));
            p.drawLine(QPointF(cx - cap, yOf(b.high)), QPointF(cx + cap, yOf(b.high)));
        }
        const double group = r.width() / m_categories.size();
        p.setPen(style::bodyText());
        const QRectF label(r.left() + group * c, r.bottom() + 4, group, 16);
        p.drawText(label, Qt::AlignCenter, fontMetrics().elidedText(m_categories[c], Qt::ElideRight, int(group) - 4));
    }
    // Axis title and legend.
    p.save();
    p.setPen(style::mutedText());
    p.translate(12, r.center().y());
    p.rotate(-90);
    p.drawText(QRectF(-r.height() / 2, -10, r.height(), 20), Qt::AlignCenter, m_valueLabel);
    p.restore();
    double x = r.left();
    const double y = height() - 22;
    for (int si = 0; si < m_series.size(); ++si) {
        p.setPen(Qt::NoPen);
        p.setBrush(style::seriesColour(si));
        p.drawRect(QRectF(x, y + 4, 12, 10));
        p.setPen(style::bodyText());
        const int w = fontMetrics().horizontalAdvance(m_series[si]);
        p.drawText(QRectF(x + 16, y, w + 4, 18), Qt::AlignLeft | Qt::AlignVCenter, m_series[si]);
        x += 16 + w + 18;
    }
}

bool IntervalBarChart::event(QEvent* e)
{
    if (e->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(e);
        const auto [c, s] = barAt(help->pos());
        if (c < 0) {
            QToolTip::hideText();
            e->ignore();
            return true;
        }
        const IntervalBar& b = m_bars[static_cast<size_t>(c)][static_cast<size_t>(s)];
        const QString text = b.valid ? tr("%1 · %2\nmean %3, 95% CI [%4, %5], n = %6")
                                           .arg(m_series[s], m_categories[c])
                                           .arg(b.mean, 0, 'f', 3)
                                           .arg(b.low, 0, 'f', 3)
                                           .arg(b.high, 0, 'f', 3)
                                           .arg(b.n)
                                     : tr("%1 · %2\nno finished episodes").arg(m_series[s], m_categories[c]);
        QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(e);
}

} // namespace hw::ui
