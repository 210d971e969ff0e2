#include "ui/charts/reward_histogram_chart.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace hw::ui {

RewardHistogramChart::RewardHistogramChart(QWidget* parent)
    : QWidget(parent), m_view(new QChartView(this))
{
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(200);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    setHistogram({}, QString(), QColor(0x25, 0x63, 0xeb));
}

RewardHistogramChart::~RewardHistogramChart() = default;

QString RewardHistogramChart::binLabel(const hw::HistogramBin& bin, bool integral)
{
    if (integral)
        return QString::number(std::lround((bin.lo + bin.hi) / 2));
    return QStringLiteral("%1–%2").arg(QString::number(bin.lo, 'g', 3), QString::number(bin.hi, 'g', 3));
}

void RewardHistogramChart::setHistogram(const std::vector<hw::HistogramBin>& bins,
                                        const QString& axisTitle, const QColor& colour)
{
    m_bins = static_cast<int>(bins.size());
    m_total = 0;
    // Integer-centred bins (width 1, centre on an integer) are labeled by their value.
    const bool integral = !bins.empty() && std::all_of(bins.begin(), bins.end(), [](const auto& b) {
        const double c = (b.lo + b.hi) / 2;
        return std::abs(b.hi - b.lo - 1.0) < 1e-9 && std::abs(c - std::round(c)) < 1e-9;
    });

    auto* set = new QBarSet(tr("dialogues"));
    set->setColor(colour);
    set->setBorderColor(colour.darker(120));
    QStringList categories;
    qint64 maxCount = 0;
    for (const auto& b : bins) {
        *set << static_cast<qreal>(b.count);
        categories << binLabel(b, integral);
        m_total += b.count;
        maxCount = std::max<qint64>(maxCount, b.count);
    }
    auto* series = new QBarSeries;
    series->append(set);
    series->setBarWidth(0.9);

    auto* chart = new QChart;
    chart->addSeries(series);
    chart->legend()->hide();
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setBackgroundRoundness(0);
    chart->setAnimationOptions(QChart::NoAnimation);

    auto* x = new QBarCategoryAxis;
    x->append(categories);
    x->setTitleText(axisTitle.isEmpty() ? tr("reward") : axisTitle);
    auto* y = new QValueAxis;
    y->setLabelFormat(QStringLiteral("%d"));
    y->setRange(0, std::max<qint64>(1, maxCount + maxCount / 10 + 1));
    y->setTickCount(5);
    y->applyNiceNumbers();
    y->setTitleText(tr("dialogues"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);

    QChart* old = m_view->chart();
    m_view->setChart(chart); // the view owns the new chart; the old one is ours to delete
    delete old;
}

} // namespace hw::ui
