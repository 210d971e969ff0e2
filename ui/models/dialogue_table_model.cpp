#include "ui/models/dialogue_table_model.h"
#include "ui/style/ui_style.h"

#include "core/data/dialogue.h"
#include "core/store/database.h"

#include <QColor>
#include <QLocale>

#include <algorithm>
#include <climits>
#include <exception>

namespace hw::ui {

DialogueTableModel::DialogueTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void DialogueTableModel::setDatabase(hw::Database* db)
{
    m_db = db;
    refresh();
}

void DialogueTableModel::setFilter(const hw::DialogueFilter& filter)
{
    if (filter == m_filter)
        return;
    m_filter = filter;
    refresh();
}

void DialogueTableModel::sort(int column, Qt::SortOrder order)
{
    const hw::DialogueSort sort{sortKeyForColumn(column), order == Qt::DescendingOrder};
    if (sort == m_sort)
        return;
    // A reset, not a layout change: rows that were never loaded cannot be followed by persistent
    // indexes, so views keep their selection by dialogue id instead. The count stays as it is.
    beginResetModel();
    m_sort = sort;
    m_pages.clear();
    m_lru.clear();
    endResetModel();
}

void DialogueTableModel::refresh()
{
    beginResetModel();
    m_pages.clear();
    m_lru.clear();
    reloadCount();
    endResetModel();
    Q_EMIT countChanged(m_count);
}

void DialogueTableModel::reloadCount()
{
    m_count = 0;
    m_error.clear();
    if (!m_db)
        return;
    try {
        m_count = hw::DialogueQuery(*m_db, m_filter, m_sort).count();
    } catch (const std::exception& e) {
        m_error = QString::fromUtf8(e.what());
        Q_EMIT queryFailed(m_error);
    }
}

const std::vector<hw::DialogueRow>* DialogueTableModel::loadPage(int page) const
{
    auto it = m_pages.find(page);
    if (it != m_pages.end()) {
        m_lru.remove(page);
        m_lru.push_front(page);
        return &it->second;
    }
    if (!m_db)
        return nullptr;
    std::vector<hw::DialogueRow> rows;
    try {
        rows = hw::DialogueQuery(*m_db, m_filter, m_sort)
                   .page(static_cast<int64_t>(page) * kPageSize, kPageSize, m_count);
    } catch (const std::exception& e) {
        auto* self = const_cast<DialogueTableModel*>(this);
        self->m_error = QString::fromUtf8(e.what());
        // Not from inside data(): views may be painting.
        QMetaObject::invokeMethod(self, [self, msg = m_error] { Q_EMIT self->queryFailed(msg); },
                                  Qt::QueuedConnection);
        return nullptr;
    }
    while (m_lru.size() >= kMaxCachedPages) {
        m_pages.erase(m_lru.back());
        m_lru.pop_back();
    }
    m_lru.push_front(page);
    return &m_pages.emplace(page, std::move(rows)).first->second;
}

const hw::DialogueRow* DialogueTableModel::rowAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return nullptr;
    const auto* page = loadPage(row / kPageSize);
    const size_t offset = static_cast<size_t>(row % kPageSize);
    return page && offset < page->size() ? &(*page)[offset] : nullptr;
}

qint64 DialogueTableModel::dialogueId(int row) const
{
    const auto* r = rowAt(row);
    return r ? r->id : -1;
}

int DialogueTableModel::rowOfDialogue(qint64 dialogueId) const
{
    for (const auto& [page, rows] : m_pages)
        for (size_t i = 0; i < rows.size(); ++i)
            if (rows[i].id == dialogueId)
                return page * kPageSize + static_cast<int>(i);
    return -1;
}

void DialogueTableModel::refreshDialogue(qint64 dialogueId)
{
    const int row = rowOfDialogue(dialogueId);
    if (row < 0 || !m_db)
        return;
    std::optional<hw::DialogueRow> fresh;
    try {
        fresh = hw::DialogueQuery(*m_db).row(dialogueId);
    } catch (const std::exception& e) {
        m_error = QString::fromUtf8(e.what());
        Q_EMIT queryFailed(m_error);
        return;
    }
    if (!fresh)
        return;
    m_pages[row / kPageSize][static_cast<size_t>(row % kPageSize)] = std::move(*fresh);
    Q_EMIT dataChanged(index(row, 0), index(row, COLUMN_COUNT - 1));
}

int DialogueTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(std::min<qint64>(m_count, INT_MAX));
}

int DialogueTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : COLUMN_COUNT;
}

QString DialogueTableModel::flagsText(uint flags)
{
    QStringList parts;
    if (flags & hw::kFlagRewardOutOfRange)
        parts << tr("out of range");
    if (flags & hw::kFlagFailed)
        parts << tr("failed");
    if (flags & hw::kFlagUnfinished)
        parts << tr("unfinished");
    const uint known = hw::kFlagRewardOutOfRange | hw::kFlagFailed | hw::kFlagUnfinished;
    if (flags & ~known)
        parts << QStringLiteral("0x%1").arg(flags & ~known, 0, 16);
    return parts.join(QStringLiteral(", "));
}

hw::DialogueSortKey DialogueTableModel::sortKeyForColumn(int column)
{
    switch (column) {
    case TaskColumn: return hw::DialogueSortKey::Task;
    case TurnsColumn: return hw::DialogueSortKey::Turns;
    case RewardColumn: return hw::DialogueSortKey::Reward;
    case LabelColumn: return hw::DialogueSortKey::RewardSource;
    case SourceColumn: return hw::DialogueSortKey::Source;
    case FlagsColumn: return hw::DialogueSortKey::Flags;
    default: return hw::DialogueSortKey::Id;
    }
}

QVariant DialogueTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const hw::DialogueRow* r = rowAt(index.row());
    if (!r)
        return {};
    const auto text = [](const std::string& s) { return QString::fromStdString(s); };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case IdColumn: return QVariant::fromValue<qint64>(r->id);
        case TaskColumn: return text(r->task);
        case TurnsColumn: return r->turns;
        case RewardColumn:
            return r->reward ? QLocale().toString(*r->reward, 'f', 2) : QStringLiteral("—");
        case LabelColumn: return text(r->rewardSource);
        case SourceColumn: return text(r->source);
        case FlagsColumn: return flagsText(r->flags);
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == IdColumn || index.column() == TurnsColumn
            || index.column() == RewardColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (index.column() == RewardColumn && !r->reward)
            return QColor(Qt::gray);
        if (index.column() == RewardColumn && r->rewardSource == "human")
            return style::humanRewardText(); // the same purple as in the dialogue view
        if (index.column() == FlagsColumn && r->flags)
            return style::flagText();
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case IdColumn: return tr("uid: %1").arg(text(r->uid));
        case FlagsColumn:
            return r->flags & hw::kFlagRewardOutOfRange
                ? tr("%1 (raw reward outside the task's range; kept in metadata)").arg(flagsText(r->flags))
                : flagsText(r->flags);
        case TurnsColumn: return tr("%1 turns, %2 by the agent").arg(r->turns).arg(r->agentTurns);
        case RewardColumn:
            return r->reward ? tr("reward %1, labeled by %2").arg(*r->reward).arg(text(r->rewardSource))
                             : tr("unlabeled");
        default: return {};
        }
    case DialogueIdRole: return QVariant::fromValue<qint64>(r->id);
    case UidRole: return text(r->uid);
    case TaskRole: return text(r->task);
    case RewardRole: return r->reward ? QVariant(*r->reward) : QVariant();
    case RewardSourceRole: return text(r->rewardSource);
    case FlagsRole: return QVariant::fromValue<uint>(r->flags);
    default: return {};
    }
}

QVariant DialogueTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn: return tr("Id");
    case TaskColumn: return tr("Task");
    case TurnsColumn: return tr("Turns");
    case RewardColumn: return tr("Reward");
    case LabelColumn: return tr("Labeled by");
    case SourceColumn: return tr("Source");
    case FlagsColumn: return tr("Flags");
    }
    return {};
}

} // namespace hw::ui
