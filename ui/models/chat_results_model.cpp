#include "ui/models/chat_results_model.h"

namespace hw::ui {

ChatResultsModel::ChatResultsModel(QObject* parent) : QAbstractTableModel(parent) {}

void ChatResultsModel::setResults(std::vector<hw::AgentResult> results)
{
    // Results are recomputed on demand (a few rows): a reset is the honest update here.
    beginResetModel();
    m_results = std::move(results);
    endResetModel();
}

int ChatResultsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_results.size());
}

int ChatResultsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : COLUMN_COUNT; }

const hw::RatingStat* ChatResultsModel::stat(const hw::AgentResult& r, int column) const
{
    switch (column) {
    case NaturalnessColumn: return &r.naturalness;
    case RelevanceColumn: return &r.relevance;
    case ComfortingColumn: return &r.comforting;
    case OutcomeColumn: return &r.outcome;
    }
    return nullptr;
}

QVariant ChatResultsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const auto& r = m_results[size_t(index.row())];
    const hw::RatingStat* s = stat(r, index.column());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case AgentColumn: return QString::fromStdString(r.agent);
        case KindColumn: return QString::fromStdString(r.kind);
        case SessionsColumn: return QVariant::fromValue<qint64>(r.sessions);
        default: return s ? QString::fromStdString(s->format(2)) : QVariant();
        }
    case MeanRole: return s && s->n > 0 ? QVariant(s->mean) : QVariant();
    case StdRole: return s && s->n > 0 ? QVariant(s->std) : QVariant();
    case CountRole: return s ? QVariant::fromValue<qint64>(s->n) : QVariant();
    case Qt::TextAlignmentRole:
        if (index.column() >= SessionsColumn)
            return int(Qt::AlignCenter);
        break;
    case Qt::ToolTipRole:
        if (s)
            return tr("n = %1").arg(s->n);
        break;
    }
    return {};
}

QVariant ChatResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case AgentColumn: return tr("Agent");
    case KindColumn: return tr("Kind");
    case SessionsColumn: return tr("Sessions");
    case NaturalnessColumn: return tr("Naturalness / fluency");
    case RelevanceColumn: return tr("Relevance / helpfulness");
    case ComfortingColumn: return tr("Comforting");
    case OutcomeColumn: return m_outcomeName;
    }
    return {};
}

} // namespace hw::ui
