#pragma once
// Grouped bars with interval whiskers: one group per category (overall, then each persona), one
// bar per series (agent) at its mean, the whisker from the interval's low to high end, and a
// dashed zero line when the axis spans zero. Nice tick values (nice_scale.h), a legend row, and
// the exact values in a tooltip on hover. Painted directly: Qt Charts has no error bars.
#include <QString>
#include <QStringList>
#include <QWidget>

#include <vector>

namespace hw::ui {

struct IntervalBar {
    double mean = 0.0;
    double low = 0.0;
    double high = 0.0;
    long long n = 0;
    bool valid = false;   // false: no data (nothing drawn, "n/a" in the tooltip)
};

class IntervalBarChart : public QWidget {
    Q_OBJECT
public:
    explicit IntervalBarChart(QWidget* parent = nullptr);

    // bars[category][series]; every row as long as `series`.
    void setData(const QStringList& categories, const QStringList& series, std::vector<std::vector<IntervalBar>> bars,
                 const QString& valueLabel);
    void clear();

    const QStringList& categories() const { return m_categories; }
    const QStringList& series() const { return m_series; }
    const std::vector<std::vector<IntervalBar>>& bars() const { return m_bars; }
    // The axis range drawn (nice numbers covering every interval and zero).
    double axisMin() const { return m_min; }
    double axisMax() const { return m_max; }
    // The bar under a point: (category, series), or (-1, -1).
    std::pair<int, int> barAt(const QPoint& p) const;

    QSize sizeHint() const override { return {520, 260}; }
    QSize minimumSizeHint() const override { return {260, 180}; }

protected:
    void paintEvent(QPaintEvent*) override;
    bool event(QEvent* e) override;

private:
    QRectF plotRect() const;
    QRectF barRect(int category, int series) const;
    double yOf(double v) const;

    QStringList m_categories, m_series;
    std::vector<std::vector<IntervalBar>> m_bars;
    QString m_valueLabel;
    double m_min = 0.0, m_max = 1.0, m_step = 0.5;
};

} // namespace hw::ui
