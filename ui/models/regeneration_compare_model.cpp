#include "ui/models/regeneration_compare_model.h"

#include <algorithm>

namespace hw::ui {
namespace {

QString capitalized(const std::string& s)
{
    QString q = QString::fromStdString(s);
    if (!q.isEmpty())
        q[0] = q[0].toUpper();
    return q;
}

} // namespace

RegenerationCompareModel::RegenerationCompareModel(QObject* parent) : QAbstractTableModel(parent) {}

void RegenerationCompareModel::setDialogues(const hw::Dialogue& original, const std::optional<hw::Dialogue>& branch,
                                            int divergence, const std::optional<hw::Task>& task)
{
    beginResetModel();
    m_original = original;
    m_branch = branch;
    m_divergence = branch ? std::max(0, divergence) : static_cast<int>(original.turns.size());
    m_agentName = task && !task->agentRole.empty() ? capitalized(task->agentRole) : QStringLiteral("Agent");
    m_userName = task && !task->userRole.empty() ? capitalized(task->userRole) : QStringLiteral("User");
    endResetModel();
}

void RegenerationCompareModel::clear()
{
    beginResetModel();
    m_original.reset();
    m_branch.reset();
    m_divergence = 0;
    endResetModel();
}

const hw::Turn* RegenerationCompareModel::turnAt(int column, int row) const
{
    const std::optional<hw::Dialogue>& d = column == OriginalColumn ? m_original : m_branch;
    if (!d || row < 0 || row >= static_cast<int>(d->turns.size()))
        return nullptr;
    return &d->turns[static_cast<size_t>(row)];
}

int RegenerationCompareModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() || !m_original)
        return 0;
    const size_t n = std::max(m_original->turns.size(), m_branch ? m_branch->turns.size() : size_t(0));
    return static_cast<int>(n);
}

int RegenerationCompareModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : COLUMN_COUNT;
}

QVariant RegenerationCompareModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const RowKind kind = row < m_divergence ? RowKind::Shared : row == m_divergence ? RowKind::Replaced : RowKind::Diverged;
    const hw::Turn* t = turnAt(index.column(), row);
    const hw::Turn* other = turnAt(index.column() == OriginalColumn ? BranchColumn : OriginalColumn, row);
    switch (role) {
    case RowKindRole: return static_cast<int>(kind);
    case PresentRole: return t != nullptr;
    case ChangedRole: return t && (!other || other->text != t->text || other->role != t->role);
    default: break;
    }
    if (!t)
        return {};
    switch (role) {
    case TurnListModel::TextRole: return QString::fromStdString(t->text);
    case TurnListModel::IsAgentRole: return t->role == hw::Role::Agent;
    case TurnListModel::TurnIndexRole: return t->index;
    case TurnListModel::SpeakerRole: return t->role == hw::Role::Agent ? m_agentName : m_userName;
    case TurnListModel::TagsRole: {
        QStringList tags = TurnListModel::tagsOf(t->annotations);
        if (kind == RowKind::Replaced && index.column() == BranchColumn)
            tags.prepend(tr("replaced"));
        return tags;
    }
    case Qt::ToolTipRole: return QString::fromStdString(t->text);
    default: return {};
    }
}

QVariant RegenerationCompareModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (orientation == Qt::Vertical)
        return section + 1;
    if (section == OriginalColumn)
        return !m_original ? tr("Original")
               : m_original->parentId ? tr("Parent branch #%1").arg(m_original->id)
                                      : tr("Original #%1").arg(m_original->id);
    if (section == BranchColumn)
        return m_branch ? tr("Branch #%1").arg(m_branch->id) : tr("Branch");
    return {};
}

} // namespace hw::ui
