// The training charts as a researcher uses them every day (TensorBoard's scalars dashboard is the
// bar): nice tick numbers, an empty chart that says what to do, the learning rate on its own axis,
// hover values, full legends, zoom and reset, choosing metrics, time x axes, CSV and PNG export.
#include "ui/charts/metric_chart.h"
#include "ui/charts/metric_groups.h"
#include "ui/charts/nice_scale.h"
#include "ui/models/run_metric_history.h"
#include "ui/settings/settings.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineSeries>
#include <QMouseEvent>
#include <QTemporaryDir>
#include <QValueAxis>
#include <QtTest>

#include <cmath>

using namespace hw::ui;

namespace {

QVector<QPointF> ramp(int from, int to, double scale = 1.0)
{
    QVector<QPointF> p;
    for (int s = from; s <= to; ++s)
        p << QPointF(s, scale / (1 + s));
    return p;
}

QLineSeries* lineOf(MetricChart* chart, const QString& name)
{
    for (auto* s : chart->chart()->series())
        if (auto* l = qobject_cast<QLineSeries*>(s); l && l->name() == name)
            return l;
    return nullptr;
}

bool isNice(double v, double step)
{
    const double k = v / step;
    return std::abs(k - std::round(k)) < 1e-9;
}

bool isOneTwoFive(double step)
{
    const double f = step / std::pow(10.0, std::floor(std::log10(step)));
    return std::abs(f - 1) < 1e-9 || std::abs(f - 2) < 1e-9 || std::abs(f - 5) < 1e-9;
}

} // namespace

class TestUiCharts : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() { Settings::instance().setFile(m_dir.filePath(QStringLiteral("settings.ini"))); }

    void niceScale_data()
    {
        QTest::addColumn<double>("lo");
        QTest::addColumn<double>("hi");
        QTest::newRow("loss") << -0.693 << 14.9;
        QTest::newRow("small") << 0.000012 << 0.000107;
        QTest::newRow("one value") << 7.08 << 7.08;
        QTest::newRow("zero") << 0.0 << 0.0;
        QTest::newRow("negative") << -3.7 << -1.2;
        QTest::newRow("big") << 1234.0 << 98765.0;
    }
    void niceScale()
    {
        QFETCH(double, lo);
        QFETCH(double, hi);
        const NiceScale s = hw::ui::niceScale(lo, hi, 6);
        QVERIFY2(s.min <= lo && s.max >= hi, qPrintable(QStringLiteral("%1..%2").arg(s.min).arg(s.max)));
        QVERIFY(s.max > s.min);
        QVERIFY2(isOneTwoFive(s.step), qPrintable(QString::number(s.step)));
        QVERIFY(isNice(s.min, s.step) && isNice(s.max, s.step));
        QCOMPARE(s.ticks, int(std::lround((s.max - s.min) / s.step)) + 1);
        QVERIFY(s.ticks >= 2 && s.ticks <= 11);
        // Enough decimals to tell neighbouring ticks apart.
        QVERIFY(QString::number(s.min, 'f', s.decimals) != QString::number(s.min + s.step, 'f', s.decimals));
    }

    void niceScaleExamples()
    {
        const NiceScale loss = hw::ui::niceScale(-0.693, 14.9, 6);
        QCOMPARE(loss.min, -5.0);
        QCOMPARE(loss.max, 15.0);
        QCOMPARE(loss.step, 5.0);
        QCOMPARE(loss.decimals, 0);
        const NiceScale steps = hw::ui::niceScale(0, 3, 7, true); // an optimizer-step axis
        QVERIFY(steps.step >= 1.0);
    }

    void emptyChartSaysWhatToDo()
    {
        MetricChart chart(QStringLiteral("Losses"));
        chart.resize(500, 320);
        chart.setEmptyHint(QStringLiteral("Select a run in the table above"));
        QVERIFY(chart.isEmpty());
        QVERIFY(!chart.xAxisObject()->isVisible());   // no "0 0 1 1 1" on bare axes
        QVERIFY(!chart.yAxisObject()->isVisible());
        bool hintShown = false;
        for (auto* item : chart.chart()->scene()->items())
            if (auto* t = dynamic_cast<QGraphicsSimpleTextItem*>(item); t && t->isVisible())
                hintShown = hintShown || t->text() == QStringLiteral("Select a run in the table above");
        QVERIFY(hintShown);

        chart.addSeries({1, QStringLiteral("loss")}, QStringLiteral("loss"), 0, ramp(0, 9));
        QVERIFY(!chart.isEmpty());
        QVERIFY(chart.xAxisObject()->isVisible() && chart.yAxisObject()->isVisible());
        QVERIFY(!chart.yAxisObject(true)->isVisible()); // no right-axis metric
    }

    void ticksAreNiceNumbers()
    {
        MetricChart chart(QStringLiteral("Losses"));
        QVector<QPointF> pts;
        for (int s = 1; s <= 50; ++s)
            pts << QPointF(s, -0.693 + 15.593 * s / 50.0);
        chart.addSeries({1, QStringLiteral("loss")}, QStringLiteral("loss"), 0, pts);
        auto* y = qobject_cast<QValueAxis*>(chart.yAxisObject());
        auto* x = qobject_cast<QValueAxis*>(chart.xAxisObject());
        QVERIFY(x && y);
        QCOMPARE(y->min(), -5.0);
        QCOMPARE(y->max(), 15.0);
        QCOMPARE(y->tickCount(), 5);
        QVERIFY(x->min() <= 1 && x->max() >= 50);
        QVERIFY(isNice(x->max(), (x->max() - x->min()) / (x->tickCount() - 1)));
    }

    // lr is 1e-4 beside a gradient norm of ~5: on one axis it is a flat line at 0.
    void learningRateOnItsOwnAxis()
    {
        MetricChart chart(QStringLiteral("Learning rate / gradient norm"));
        chart.setRightAxisRule(&isLearningRateMetric);
        QVector<QPointF> lr, grad;
        for (int s = 0; s < 20; ++s) {
            lr << QPointF(s, 1e-4 * (s + 1) / 20.0);
            grad << QPointF(s, 3.0 + std::sin(s));
        }
        chart.addSeries({1, QStringLiteral("grad_norm")}, QStringLiteral("grad_norm"), 0, grad);
        chart.addSeries({1, QStringLiteral("lr")}, QStringLiteral("lr"), 0, lr);
        QVERIFY(chart.onRightAxis({1, QStringLiteral("lr")}));
        QVERIFY(!chart.onRightAxis({1, QStringLiteral("grad_norm")}));
        auto* left = qobject_cast<QValueAxis*>(chart.yAxisObject(false));
        auto* right = qobject_cast<QValueAxis*>(chart.yAxisObject(true));
        QVERIFY(right->isVisible());
        QVERIFY2(right->max() >= 0.99e-4 && right->max() <= 2e-4, qPrintable(QString::number(right->max())));
        QVERIFY(left->max() >= 4.0 && left->min() <= 2.0 && left->min() >= 0);
        QVERIFY(chart.legendText().contains(QStringLiteral("lr (right axis)")));
        QVERIFY(lineOf(&chart, QStringLiteral("lr"))->attachedAxes().contains(right));
        QVERIFY(isLearningRateMetric(QStringLiteral("learning_rate")) && !isLearningRateMetric(QStringLiteral("grad_norm")));
    }

    // The legend is a wrapping label: long names are whole, overlaid runs keep their labels.
    void legendIsNotTruncated()
    {
        MetricChart chart(QStringLiteral("Other"));
        chart.resize(300, 300);
        const QString a = QStringLiteral("#12 ilql on counseling-hindsight-k5 · eval_return_mean");
        const QString b = QStringLiteral("#13 sft on counseling-top25 · eval_return_mean");
        chart.addSeries({12, QStringLiteral("eval_return_mean")}, a, 0, ramp(0, 5));
        chart.addSeries({13, QStringLiteral("eval_return_mean")}, b, 1, ramp(0, 5));
        QVERIFY(chart.legendText().contains(a) && chart.legendText().contains(b));
        auto* legend = chart.findChild<QLabel*>(QStringLiteral("chartLegend"));
        QVERIFY(legend && legend->wordWrap());
        QVERIFY(legend->text().contains(a.toHtmlEscaped()) && legend->text().contains(b.toHtmlEscaped()));
        QVERIFY(!chart.chart()->legend()->isVisible()); // Qt's legend elides; ours does not
    }

    void hoverShowsValues()
    {
        MetricChart chart(QStringLiteral("Losses"));
        chart.resize(600, 400);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.addSeries({1, QStringLiteral("loss")}, QStringLiteral("loss"), 0, ramp(0, 20, 10.0));
        chart.addSeries({1, QStringLiteral("eval_loss")}, QStringLiteral("eval_loss"), 0, ramp(0, 20, 20.0));
        QTRY_VERIFY_WITH_TIMEOUT(chart.chart()->plotArea().width() > 50, 60000);
        QCOMPARE(chart.hoverText(), QString());
        const QRectF area = chart.chart()->plotArea();
        const QPoint at = chart.view()->mapFromScene(area.center());
        QMouseEvent move(QEvent::MouseMove, QPointF(at), chart.view()->viewport()->mapToGlobal(QPointF(at)),
                         Qt::NoButton, Qt::NoButton, Qt::NoModifier);
        QApplication::sendEvent(chart.view()->viewport(), &move);
        const QString text = chart.hoverText();
        QVERIFY2(text.contains(QStringLiteral("step ")) && text.contains(QStringLiteral("loss: "))
                     && text.contains(QStringLiteral("eval_loss: ")),
                 qPrintable(text));
        // Leaving the plot hides it.
        QMouseEvent out(QEvent::MouseMove, QPointF(1, 1), chart.view()->viewport()->mapToGlobal(QPointF(1, 1)),
                        Qt::NoButton, Qt::NoButton, Qt::NoModifier);
        QApplication::sendEvent(chart.view()->viewport(), &out);
        QCOMPARE(chart.hoverText(), QString());
    }

    void zoomHoldsUntilReset()
    {
        MetricChart chart(QStringLiteral("Losses"));
        const MetricChart::SeriesKey key{1, QStringLiteral("loss")};
        chart.addSeries(key, QStringLiteral("loss"), 0, ramp(0, 99));
        QSignalSpy zoomed(&chart, &MetricChart::zoomChanged);
        chart.zoomTo(QRectF(QPointF(10, 0.01), QPointF(20, 0.1)));
        QVERIFY(chart.isZoomed());
        QCOMPARE(zoomed.count(), 1);
        auto* x = qobject_cast<QValueAxis*>(chart.xAxisObject());
        QCOMPARE(x->min(), 10.0);
        QCOMPARE(x->max(), 20.0);
        chart.appendPoints(key, ramp(100, 150)); // live points do not move a zoomed view
        QCOMPARE(x->max(), 20.0);
        chart.resetZoom();
        QVERIFY(!chart.isZoomed());
        QVERIFY(x->min() <= 0 && x->max() >= 150);
    }

    void chooseMetrics()
    {
        MetricChart chart(QStringLiteral("Losses"));
        chart.addSeries({1, QStringLiteral("loss")}, QStringLiteral("loss"), 0, ramp(0, 9, 100.0));
        chart.addSeries({1, QStringLiteral("q_loss")}, QStringLiteral("q_loss"), 0, ramp(0, 9, 1.0));
        QCOMPARE(chart.metrics(), (QStringList{QStringLiteral("loss"), QStringLiteral("q_loss")}));
        auto* y = qobject_cast<QValueAxis*>(chart.yAxisObject());
        QVERIFY(y->max() >= 100);
        chart.setMetricVisible(QStringLiteral("loss"), false);
        QCOMPARE(chart.visibleSeriesCount(), 1);
        QVERIFY(!lineOf(&chart, QStringLiteral("loss"))->isVisible());
        QVERIFY2(y->max() <= 2, qPrintable(QString::number(y->max()))); // the range follows what is drawn
        QVERIFY(!chart.legendText().contains(QStringLiteral("loss  ")) && chart.legendText() == QStringLiteral("q_loss"));
        QVERIFY(!chart.toCsv().contains(QStringLiteral(",loss,")));
        chart.setMetricVisible(QStringLiteral("q_loss"), false);
        QVERIFY(chart.isEmpty());
        chart.setMetricVisible(QStringLiteral("loss"), true);
        QVERIFY(lineOf(&chart, QStringLiteral("loss"))->isVisible());
    }

    void timeAxes()
    {
        MetricChart chart(QStringLiteral("Losses"));
        const MetricChart::SeriesKey key{1, QStringLiteral("loss")};
        const double t0 = 1.7e9;
        QVector<double> walls;
        for (int s = 0; s <= 9; ++s)
            walls << t0 + 30.0 * s; // a point every 30 s
        chart.addSeries(key, QStringLiteral("loss"), 0, ramp(0, 9), walls);
        QLineSeries* line = lineOf(&chart, QStringLiteral("loss"));
        QCOMPARE(line->at(9).x(), 9.0);

        chart.setXAxis(MetricChart::XAxis::RelativeTime);
        QCOMPARE(line->count(), 10);
        QCOMPARE(line->at(0).x(), 0.0);
        QCOMPARE(line->at(9).x(), 4.5); // minutes since the run's first point
        chart.appendPoints(key, {QPointF(10, 0.05)}, {t0 + 330});
        QCOMPARE(line->at(10).x(), 5.5);
        QVERIFY(chart.valuesAt(5.4).contains(QStringLiteral("5.50 min")));

        chart.setXAxis(MetricChart::XAxis::WallClock);
        QVERIFY(qobject_cast<QDateTimeAxis*>(chart.xAxisObject()));
        QCOMPARE(line->at(0).x(), t0 * 1000.0);
        // A point without a wall time cannot be placed on a time axis: left out, still counted.
        chart.appendPoints(key, {QPointF(11, 0.04)});
        QCOMPARE(chart.rawPointCount(key), qsizetype(12));
        QCOMPARE(line->count(), 11);

        chart.setXAxis(MetricChart::XAxis::Step);
        QCOMPARE(line->count(), 12);
        QVERIFY(qobject_cast<QValueAxis*>(chart.xAxisObject()));
    }

    void historyKeepsWallTimes()
    {
        RunMetricHistory h;
        std::vector<hw::MetricPoint> rows;
        for (int s = 1; s <= 3; ++s) {
            hw::MetricPoint p;
            p.runId = 4;
            p.name = "loss";
            p.step = s;
            p.value = 1.0 / s;
            p.wallTime = 100.0 + s;
            rows.push_back(p);
        }
        const auto appended = h.append(rows);
        QCOMPARE(appended.size(), size_t(1));
        QCOMPARE(appended[0].wallTimes, (QVector<double>{101, 102, 103}));
        // A resumed run rewrites from step 2: the wall times are cut with the points.
        hw::MetricPoint again = rows[1];
        again.wallTime = 500;
        h.append({again});
        QCOMPARE(h.points(4, QStringLiteral("loss")).size(), 2);
        QCOMPARE(h.wallTimes(4, QStringLiteral("loss")), (QVector<double>{101, 500}));
    }

    void exportCsvAndPng()
    {
        MetricChart chart(QStringLiteral("Losses"));
        chart.resize(500, 320);
        chart.addSeries({3, QStringLiteral("loss")}, QStringLiteral("loss"), 0, {QPointF(1, 0.5), QPointF(2, 0.25)},
                        {1700000000.0, 1700000001.5});
        chart.addSeries({4, QStringLiteral("loss")}, QStringLiteral("#4 loss"), 1, {QPointF(1, 0.125)});
        const QString csvPath = m_dir.filePath(QStringLiteral("losses.csv"));
        QString error;
        QVERIFY2(chart.exportCsv(csvPath, &error), qPrintable(error));
        QFile f(csvPath);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines, (QStringList{QStringLiteral("run,metric,step,wall_time,value"),
                                     QStringLiteral("3,loss,1,1700000000.000,0.5"),
                                     QStringLiteral("3,loss,2,1700000001.500,0.25"),
                                     QStringLiteral("4,loss,1,,0.125")}));
        // A path that cannot be written: a clear error, no file.
        const QString bad = m_dir.filePath(QStringLiteral("no/such/dir/x.csv"));
        QVERIFY(!chart.exportCsv(bad, &error));
        QVERIFY2(error.contains(bad), qPrintable(error));
        QVERIFY(!QFile::exists(bad));

        const QString pngPath = m_dir.filePath(QStringLiteral("losses.png"));
        QVERIFY2(chart.exportPng(pngPath, &error), qPrintable(error));
        const QImage png(pngPath);
        QVERIFY(!png.isNull());
        QVERIFY(png.width() >= 200 && png.height() >= chart.view()->height());
    }
};

QTEST_MAIN(TestUiCharts)
#include "tst_ui_charts.moc"
