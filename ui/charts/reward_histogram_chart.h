#pragma once
// A reward histogram as a bar chart. Qt Charts stays inside ui/charts/ (deprecated from Qt 6.10),
// so pages only see this QWidget and plain bins.
#include "core/store/dialogue_query.h"

#include <QWidget>

#include <vector>

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
QT_END_NAMESPACE

namespace hw::ui {

class RewardHistogramChart : public QWidget {
    Q_OBJECT
public:
    explicit RewardHistogramChart(QWidget* parent = nullptr);
    ~RewardHistogramChart() override;

    // axisTitle names the reward ("donation ($)"); colour is the bars' colour.
    void setHistogram(const std::vector<hw::HistogramBin>& bins, const QString& axisTitle,
                      const QColor& colour);
    int binCount() const { return m_bins; }
    qint64 totalCount() const { return m_total; }
    qint64 regenerationCount() const { return m_regenerations; }

    static QString binLabel(const hw::HistogramBin& bin, bool integral);

private:
    QChartView* m_view;
    int m_bins = 0;
    qint64 m_total = 0;
    qint64 m_regenerations = 0;
};

} // namespace hw::ui
