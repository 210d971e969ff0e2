#pragma once
// One task on the dataset page: its counts (dialogues, labeled, unlabeled, flagged, by source,
// by label source) beside its reward histogram.
#include "core/data/task.h"
#include "core/store/dialogue_query.h"

#include <QFrame>

#include <optional>

class QLabel;

namespace hw::ui {

class RewardHistogramChart;

class TaskSummaryCard : public QFrame {
    Q_OBJECT
public:
    explicit TaskSummaryCard(QWidget* parent = nullptr);

    void setSummary(const hw::TaskSummary& summary, const std::optional<hw::Task>& task,
                    const std::vector<hw::HistogramBin>& histogram);
    QString countsText() const; // the figures as plain text (tests, copy)
    RewardHistogramChart* chart() const { return m_chart; }

private:
    QLabel* m_title;
    QLabel* m_counts;
    RewardHistogramChart* m_chart;
};

} // namespace hw::ui
