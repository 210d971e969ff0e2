#include "ui/charts/reward_histogram_chart.h"

#include "ui/style/ui_style.h"

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
    setHistogram({}, QString(), style::seriesColour(0));
}

RewardHistogramChart::~RewardHistogramChart() = default;

namespace {

// A typographic minus, so "-4 to -3" never reads as "-4--3".
QString signedNumber(double v)
{
    QString t = QString::number(v, 'g', 3);
    if (t.startsWith(QLatin1Char('-')))
        t.replace(0, 1, QChar(0x2212));
    return t;
}

} // namespace

QString RewardHistogramChart::binLabel(const hw::HistogramBin& bin, bool integral)
{
    if (integral)
        return signedNumber(static_cast<double>(std::lround((bin.lo + bin.hi) / 2)));
    return tr("%1 to %2").arg(signedNumber(bin.lo), signedNumber(bin.hi));
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

    // Originals beside hindsight regenerations: what the pipeline added, bin by bin.
    auto* originals = new QBarSet(tr("originals"));
    originals->setColor(colour);
    originals->setBorderColor(colour.darker(120));
    auto* regenerated = new QBarSet(tr("regenerations"));
    const QColor regenColour = style::regenerationColour();
    regenerated->setColor(regenColour);
    regenerated->setBorderColor(regenColour.darker(120));
    QStringList categories;
    qint64 maxCount = 0;
    m_regenerations = 0;
    for (const auto& b : bins) {
        *originals << static_cast<qreal>(b.count - b.regenerations);
        *regenerated << static_cast<qreal>(b.regenerations);
        categories << binLabel(b, integral);
        m_total += b.count;
        m_regenerations += b.regenerations;
        maxCount = std::max<qint64>(maxCount, std::max(b.count - b.regenerations, b.regenerations));
    }
    auto* series = new QBarSeries;
    series->append(originals);
    if (m_regenerations > 0)
        series->append(regenerated);
    else
        delete regenerated;
    series->setBarWidth(0.9);

    auto* chart = new QChart;
    chart->addSeries(series);
    chart->legend()->setVisible(m_regenerations > 0);
    chart->legend()->setAlignment(Qt::AlignTop);
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
