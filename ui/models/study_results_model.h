#pragma once
// A human study's results, one row per agent with its real name and its anonymous label
// (the researcher's view, after the trials), participants and trials, then one column per
// metric of the task (Nat./Flu., Relevancy, Reward / Naturalness, Comforting, Helpfulness,
// Reward) as "mean ± std [95% interval]" (core/eval/human_study.h).
#include "core/eval/human_study.h"

#include <QAbstractTableModel>

namespace hw::ui {

class StudyResultsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    // Metric columns follow FirstMetricColumn, in HumanStudyResults::metrics order.
    enum Columns { AgentColumn, LabelColumn, ParticipantsColumn, TrialsColumn, FirstMetricColumn };
    enum Roles { MeanRole = Qt::UserRole, StdRole, CiLowRole, CiHighRole, CountRole };

    explicit StudyResultsModel(QObject* parent = nullptr);

    void setResults(hw::HumanStudyResults results);
    const hw::HumanStudyResults& results() const { return m_results; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    const hw::HumanMetricResult* metric(int row, int column) const;
    hw::HumanStudyResults m_results;
};

} // namespace hw::ui
