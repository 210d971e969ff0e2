#include "ui/models/study_results_model.h"

namespace hw::ui {

StudyResultsModel::StudyResultsModel(QObject* parent) : QAbstractTableModel(parent) {}

void StudyResultsModel::setResults(hw::HumanStudyResults results)
{
    // Another study can have other metric columns: a reset, not a per-cell update.
    beginResetModel();
    m_results = std::move(results);
    endResetModel();
}

int StudyResultsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_results.agents.size());
}

int StudyResultsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : FirstMetricColumn + static_cast<int>(m_results.metrics.size());
}

const hw::HumanMetricResult* StudyResultsModel::metric(int row, int column) const
{
    const int m = column - FirstMetricColumn;
    if (row < 0 || row >= rowCount() || m < 0 || m >= static_cast<int>(m_results.metrics.size()))
        return nullptr;
    const auto& metrics = m_results.agents[size_t(row)].metrics;
    const auto it = metrics.find(m_results.metrics[size_t(m)].key);
    return it == metrics.end() ? nullptr : &it->second;
}

QVariant StudyResultsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount())
        return {};
    const auto& a = m_results.agents[size_t(index.row())];
    if (index.column() < FirstMetricColumn) {
        if (role != Qt::DisplayRole)
            return {};
        switch (index.column()) {
        case AgentColumn: return QString::fromStdString(a.name);
        case LabelColumn: return QString::fromStdString(a.label);
        case ParticipantsColumn: return qlonglong(a.participants);
        case TrialsColumn: return qlonglong(a.trials);
        }
        return {};
    }
    const auto* m = metric(index.row(), index.column());
    if (!m)
        return {};
    switch (role) {
    case Qt::DisplayRole: return QString::fromStdString(hw::formatHumanCell(*m));
    case Qt::ToolTipRole:
        return m->trials == 0 ? tr("No done trials")
                              : tr("%1 trial(s) of %2 participant(s); mean of the participants' means, std over "
                                   "trials, bootstrap 95% interval over participants")
                                    .arg(m->trials)
                                    .arg(m->participants);
    case MeanRole: return m->trials ? QVariant(m->mean) : QVariant();
    case StdRole: return m->trials ? QVariant(m->std) : QVariant();
    case CiLowRole: return m->trials ? QVariant(m->ciLow) : QVariant();
    case CiHighRole: return m->trials ? QVariant(m->ciHigh) : QVariant();
    case CountRole: return qlonglong(m->trials);
    }
    return {};
}

QVariant StudyResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case AgentColumn: return tr("Agent");
    case LabelColumn: return tr("Shown as");
    case ParticipantsColumn: return tr("Participants");
    case TrialsColumn: return tr("Trials");
    }
    return QString::fromStdString(m_results.metrics[size_t(section - FirstMetricColumn)].label);
}

} // namespace hw::ui
