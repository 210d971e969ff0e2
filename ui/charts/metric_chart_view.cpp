#include "ui/charts/metric_chart_view.h"

#include "ui/charts/metric_chart.h"

#include <QMouseEvent>

namespace hw::ui {

MetricChartView::MetricChartView(QChart* chart, MetricChart* owner) : QChartView(chart), m_owner(owner)
{
    setMouseTracking(true);
    viewport()->setMouseTracking(true); // hover values without a button held
    setRenderHint(QPainter::Antialiasing);
    setRubberBand(QChartView::RectangleRubberBand);
}

void MetricChartView::mousePressEvent(QMouseEvent* event)
{
    m_pressPos = event->position();
    if (event->button() == Qt::RightButton)
        return; // the release resets the zoom
    QChartView::mousePressEvent(event);
}

void MetricChartView::mouseMoveEvent(QMouseEvent* event)
{
    QChartView::mouseMoveEvent(event);
    m_owner->hoverAt(event->position());
}

void MetricChartView::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() == Qt::RightButton) {
        m_owner->resetZoom();
        return;
    }
    const bool dragged = (event->position() - m_pressPos).manhattanLength() > 6;
    QChartView::mouseReleaseEvent(event); // zooms to the rubber band
    if (event->button() == Qt::LeftButton && dragged)
        m_owner->markZoomed();
}

void MetricChartView::mouseDoubleClickEvent(QMouseEvent* event)
{
    QChartView::mouseDoubleClickEvent(event);
    m_owner->resetZoom();
}

void MetricChartView::leaveEvent(QEvent* event)
{
    QChartView::leaveEvent(event);
    m_owner->hideHover();
}

} // namespace hw::ui
