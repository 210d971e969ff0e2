#pragma once
// Which chart of the runs page a metric goes to. The trainers name their metrics freely
// (loss, eval_loss, q_loss, mean_q, mean_advantage, lr, grad_norm, tokens_per_s, ...); the
// grouping goes by name so a new metric lands somewhere sensible without a table to update.
#include <QString>
#include <QStringList>

namespace hw::ui {

enum class MetricGroup { Losses, Values, Optimizer, Throughput, Other };
inline constexpr int kMetricGroupCount = 5;

MetricGroup metricGroupOf(const QString& name);
QString metricGroupTitle(MetricGroup group);   // "Losses", "Q / V / advantage", ...
// lr, learning_rate, ...: drawn on their own axis beside the gradient norm.
bool isLearningRateMetric(const QString& name);

} // namespace hw::ui
