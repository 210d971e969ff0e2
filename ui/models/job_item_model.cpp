#include "ui/models/job_item_model.h"

#include <QList>

namespace hw::ui {

JobItemModel::JobItemModel(QObject* parent) : QAbstractTableModel(parent) {}

void JobItemModel::setItems(qint64 jobId, std::vector<hw::JobItemRecord> items)
{
    auto same = [&] {
        if (jobId != m_jobId || items.size() != m_items.size())
            return false;
        for (size_t i = 0; i < items.size(); ++i)
            if (items[i].key != m_items[i].key || items[i].error != m_items[i].error
                || items[i].createdAt != m_items[i].createdAt)
                return false;
        return true;
    };
    if (same())
        return;
    beginResetModel();
    m_jobId = jobId;
    m_items = std::move(items);
    endResetModel();
}

const hw::JobItemRecord* JobItemModel::item(int row) const
{
    return row >= 0 && row < static_cast<int>(m_items.size()) ? &m_items[static_cast<size_t>(row)] : nullptr;
}

int JobItemModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_items.size());
}

int JobItemModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : COLUMN_COUNT;
}

QString JobItemModel::firstLine(const std::string& text)
{
    const QString s = QString::fromStdString(text).trimmed();
    const int nl = s.indexOf(QLatin1Char('\n'));
    return nl < 0 ? s : s.left(nl) + QStringLiteral(" …");
}

QVariant JobItemModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const hw::JobItemRecord& it = m_items[static_cast<size_t>(index.row())];
    switch (role) {
    case KeyRole: return QString::fromStdString(it.key);
    case CallIdsRole: {
        QList<qint64> ids;
        const auto j = it.result.is_object() ? it.result.value("llm_call_ids", nlohmann::json::array())
                                             : nlohmann::json::array();
        if (j.is_array())
            for (const auto& v : j)
                if (v.is_number_integer())
                    ids << v.get<qint64>();
        return QVariant::fromValue(ids);
    }
    case Qt::ToolTipRole:
        return index.column() == Error ? QString::fromStdString(it.error) : QVariant();
    case Qt::DisplayRole:
        switch (index.column()) {
        case Key: return QString::fromStdString(it.key);
        case Attempts: return it.result.is_object() ? it.result.value("attempts", 1) : 1;
        case Error: return firstLine(it.error);
        case When: return QString::fromStdString(it.createdAt).replace(QLatin1Char('T'), QLatin1Char(' ')).left(19);
        default: return {};
        }
    default: return {};
    }
}

QVariant JobItemModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Key: return tr("Item");
    case Attempts: return tr("Tries");
    case Error: return tr("Error");
    case When: return tr("When");
    default: return {};
    }
}

} // namespace hw::ui
