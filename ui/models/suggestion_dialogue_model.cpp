#include "ui/models/suggestion_dialogue_model.h"
#include "ui/style/ui_style.h"

#include <QColor>
#include <QFont>

#include <unordered_map>

namespace hw::ui {

SuggestionDialogueModel::SuggestionDialogueModel(QObject* parent) : QAbstractTableModel(parent) {}

void SuggestionDialogueModel::reload(hw::Database& db, const hw::SuggestionQueryFilter& filter)
{
    std::vector<hw::SuggestionDialogueRow> rows = hw::SuggestionQuery(db, filter).dialogues();
    beginResetModel();
    m_filter = filter;
    m_rows = std::move(rows);
    endResetModel();
}

void SuggestionDialogueModel::refreshCounts(hw::Database& db)
{
    if (m_rows.empty())
        return;
    // Same task/provenance/dialogue filter, every status: rows stay listed even when their last
    // proposed suggestion was just accepted (the list changes only when the filter does).
    hw::SuggestionQueryFilter all = m_filter;
    all.status.clear();
    std::unordered_map<int64_t, hw::SuggestionDialogueRow> fresh;
    for (auto& r : hw::SuggestionQuery(db, all).dialogues())
        fresh.emplace(r.dialogueId, std::move(r));
    for (size_t i = 0; i < m_rows.size(); ++i) {
        hw::SuggestionDialogueRow& r = m_rows[i];
        const auto it = fresh.find(r.dialogueId);
        hw::SuggestionDialogueRow next = r;
        if (it != fresh.end())
            next = it->second;
        else
            next.proposed = next.accepted = next.rejected = next.failed = 0;
        if (next.proposed != r.proposed || next.accepted != r.accepted || next.rejected != r.rejected
            || next.failed != r.failed || next.reward != r.reward) {
            r = std::move(next);
            Q_EMIT dataChanged(index(static_cast<int>(i), 0), index(static_cast<int>(i), COLUMN_COUNT - 1));
        }
    }
}

void SuggestionDialogueModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_filter = {};
    endResetModel();
}

int SuggestionDialogueModel::rowOf(qint64 dialogueId) const
{
    for (size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].dialogueId == dialogueId)
            return static_cast<int>(i);
    return -1;
}

qint64 SuggestionDialogueModel::dialogueId(int row) const
{
    return row >= 0 && row < static_cast<int>(m_rows.size()) ? m_rows[static_cast<size_t>(row)].dialogueId : -1;
}

const hw::SuggestionDialogueRow* SuggestionDialogueModel::row(int row) const
{
    return row >= 0 && row < static_cast<int>(m_rows.size()) ? &m_rows[static_cast<size_t>(row)] : nullptr;
}

int SuggestionDialogueModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int SuggestionDialogueModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : COLUMN_COUNT;
}

QVariant SuggestionDialogueModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const hw::SuggestionDialogueRow& r = m_rows[static_cast<size_t>(index.row())];
    auto count = [&](int column) -> qint64 {
        switch (column) {
        case Proposed: return r.proposed;
        case Accepted: return r.accepted;
        case Rejected: return r.rejected;
        case Failed: return r.failed;
        default: return 0;
        }
    };
    switch (role) {
    case DialogueIdRole: return QVariant::fromValue<qint64>(r.dialogueId);
    case UidRole: return QString::fromStdString(r.uid);
    case PendingRole: return QVariant::fromValue<qint64>(r.proposed);
    case Qt::DisplayRole:
        switch (index.column()) {
        case Dialogue: return QStringLiteral("#%1").arg(r.dialogueId);
        case Task: return QString::fromStdString(r.task);
        default: {
            const qint64 n = count(index.column());
            return n > 0 ? QVariant::fromValue(n) : QVariant(QStringLiteral("·"));
        }
        }
    case Qt::ToolTipRole:
        if (index.column() == Dialogue)
            return tr("Dialogue %1 (%2)").arg(r.dialogueId).arg(QString::fromStdString(r.uid));
        return {};
    case Qt::TextAlignmentRole:
        return index.column() >= Proposed ? QVariant::fromValue(Qt::AlignCenter)
                                          : QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole: {
        if (count(index.column()) == 0 && index.column() >= Proposed)
            return style::faintText();
        switch (index.column()) {
        case Proposed: return style::stateRunning();
        case Accepted: return style::stateDone();
        case Rejected: return style::mutedText();
        case Failed: return style::stateStopped();
        default: return {};
        }
    }
    case Qt::FontRole:
        if (index.column() == Dialogue && r.proposed > 0) {
            QFont f;
            f.setBold(true); // still has undecided suggestions
            return f;
        }
        return {};
    default: return {};
    }
}

QVariant SuggestionDialogueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Proposed: return tr("Proposed: waiting for a decision");
        case Accepted: return tr("Accepted");
        case Rejected: return tr("Rejected");
        case Failed: return tr("Failed: the reply could not be used");
        default: return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Dialogue: return tr("Dialogue");
    case Task: return tr("Task");
    case Proposed: return tr("Prop.");
    case Accepted: return tr("Acc.");
    case Rejected: return tr("Rej.");
    case Failed: return tr("Fail.");
    default: return {};
    }
}

} // namespace hw::ui
