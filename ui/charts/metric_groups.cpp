#include "ui/charts/metric_groups.h"

#include <QRegularExpression>

namespace hw::ui {

MetricGroup metricGroupOf(const QString& name)
{
    const QString n = name.toLower();
    static const QRegularExpression throughput(QStringLiteral("(per_s|_per_sec|tokens_s|throughput|step_time|"
                                                              "seconds|_time$|^time|mfu|samples_s)"));
    static const QRegularExpression optimizer(QStringLiteral("(^lr$|^lr_|_lr$|learning_rate|grad_norm|"
                                                             "gradnorm|^grad|param_norm|weight_norm)"));
    static const QRegularExpression values(QStringLiteral("(^|_)(q|q1|q2|v|tq|target_q|qhat|value|values|adv|"
                                                          "advantage|advantages|td)(_|$)"));
    if (n.contains(QLatin1String("loss")) || n.endsWith(QLatin1String("_ppl")) || n == QLatin1String("ppl"))
        return MetricGroup::Losses;
    if (throughput.match(n).hasMatch())
        return MetricGroup::Throughput;
    if (optimizer.match(n).hasMatch())
        return MetricGroup::Optimizer;
    if (values.match(n).hasMatch())
        return MetricGroup::Values;
    return MetricGroup::Other;
}

bool isLearningRateMetric(const QString& name)
{
    static const QRegularExpression lr(QStringLiteral("(^lr$|^lr_|_lr$|learning_rate)"));
    return lr.match(name.toLower()).hasMatch();
}

QString metricGroupTitle(MetricGroup group)
{
    switch (group) {
    case MetricGroup::Losses: return QObject::tr("Losses");
    case MetricGroup::Values: return QObject::tr("Q / V / advantage");
    case MetricGroup::Optimizer: return QObject::tr("Learning rate / gradient norm");
    case MetricGroup::Throughput: return QObject::tr("Throughput");
    case MetricGroup::Other: return QObject::tr("Other (entropy, eval, ...)");
    }
    return {};
}

} // namespace hw::ui
