#pragma once
// The chart view of a MetricChart: reports hovering to it, zooms to a dragged rectangle, and goes
// back to everything on double-click or right-click (QChartView would zoom out one step).
#include <QChartView>
#include <QPointF>

namespace hw::ui {

class MetricChart;

class MetricChartView : public QChartView {
public:
    MetricChartView(QChart* chart, MetricChart* owner);

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    MetricChart* m_owner;
    QPointF m_pressPos;
};

} // namespace hw::ui
