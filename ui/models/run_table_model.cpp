#include "ui/models/run_table_model.h"
#include "ui/style/ui_style.h"

#include <QColor>
#include <QDateTime>
#include <QFont>

#include <algorithm>

namespace hw::ui {

RunTableModel::RunTableModel(QObject* parent) : QAbstractTableModel(parent) {}

QString RunTableModel::kindLabel(const QString& kind)
{
    if (kind == QLatin1String("ilql"))
        return tr("ILQL");
    if (kind == QLatin1String("sft"))
        return tr("SFT");
    if (kind == QLatin1String("rft"))
        return tr("RFT");
    if (kind == QLatin1String("lm-forward"))
        return tr("LM forward");
    if (kind == QLatin1String("lm-forward-hard"))
        return tr("LM forward (hard)");
    if (kind == QLatin1String("lm-policy-sft"))
        return tr("LM policy (SFT)");
    if (kind == QLatin1String("lm-reward"))
        return tr("Reward model");
    return kind;
}

bool RunTableModel::isResumable(const hw::RunSummary& r)
{
    if (r.status == "running")
        return r.stale && r.hasCheckpoint && !r.checkpointDir.empty();
    return (r.status == "stopped" || r.status == "failed") && !r.checkpointDir.empty();
}

QString RunTableModel::statusLabel(const hw::RunSummary& r)
{
    if (r.status == "running" && r.stale)
        return tr("interrupted");
    if (r.status == "running" && r.stopRequested)
        return tr("stopping…");
    return QString::fromStdString(r.status);
}

void RunTableModel::setRuns(const std::vector<hw::RunSummary>& runs)
{
    // Removals first (rows no longer present), from the bottom.
    for (int row = static_cast<int>(m_runs.size()) - 1; row >= 0; --row) {
        const qint64 id = m_runs[size_t(row)].id;
        const bool present = std::any_of(runs.begin(), runs.end(), [&](const auto& r) { return r.id == id; });
        if (!present) {
            beginRemoveRows({}, row, row);
            m_runs.erase(m_runs.begin() + row);
            endRemoveRows();
        }
    }
    // Updates and inserts, keeping id order.
    for (const auto& r : runs) {
        auto it = std::lower_bound(m_runs.begin(), m_runs.end(), r.id,
                                   [](const hw::RunSummary& a, int64_t id) { return a.id < id; });
        const int row = static_cast<int>(it - m_runs.begin());
        if (it != m_runs.end() && it->id == r.id) {
            if (*it != r) {
                *it = r;
                Q_EMIT dataChanged(index(row, 0), index(row, COLUMN_COUNT - 1));
            }
        } else {
            beginInsertRows({}, row, row);
            m_runs.insert(it, r);
            endInsertRows();
        }
    }
}

std::optional<hw::RunSummary> RunTableModel::run(qint64 id) const
{
    const int row = rowOf(id);
    return row < 0 ? std::nullopt : std::optional<hw::RunSummary>(m_runs[size_t(row)]);
}

int RunTableModel::rowOf(qint64 id) const
{
    for (size_t i = 0; i < m_runs.size(); ++i)
        if (m_runs[i].id == id)
            return static_cast<int>(i);
    return -1;
}

void RunTableModel::setLocalRuns(const QList<qint64>& ids)
{
    if (ids == m_local)
        return;
    m_local = ids;
    if (!m_runs.empty())
        Q_EMIT dataChanged(index(0, NameColumn), index(rowCount() - 1, StatusColumn));
}

int RunTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_runs.size());
}

int RunTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : COLUMN_COUNT; }

namespace {

QColor statusColour(const hw::RunSummary& r)
{
    const std::string& s = r.status;
    if (s == "running" && r.stale)
        return style::stateStopped();
    if (s == "running")
        return style::stateRunning();
    if (s == "failed")
        return style::stateFailed();
    if (s == "stopped")
        return style::stateStopped();
    if (s == "done")
        return style::stateDone();
    return style::mutedText();
}

QString shortTime(const std::string& iso)
{
    QDateTime t = QDateTime::fromString(QString::fromStdString(iso), Qt::ISODateWithMs);
    if (!t.isValid())
        return QString::fromStdString(iso);
    t.setTimeSpec(Qt::UTC);
    return t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

} // namespace

QVariant RunTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const auto& r = m_runs[size_t(index.row())];
    const bool local = m_local.contains(r.id);
    switch (role) {
    case RunIdRole: return QVariant::fromValue<qint64>(r.id);
    case StatusRole: return QString::fromStdString(r.status);
    case CheckpointDirRole: return QString::fromStdString(r.checkpointDir);
    case ResumableRole: return isResumable(r);
    case StaleRole: return r.status == "running" && r.stale;
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: return QStringLiteral("#%1  %2").arg(r.id).arg(QString::fromStdString(r.name));
        case KindColumn: return kindLabel(QString::fromStdString(r.kind));
        case SetColumn: return r.setName.empty() ? QStringLiteral("—") : QString::fromStdString(r.setName);
        case StatusColumn: return statusLabel(r) + (local && r.status == "running" && !r.stale ? tr(" (here)") : QString());
        case StepColumn: return QVariant::fromValue<qint64>(r.step);
        case BestEvalColumn: return r.bestEval ? QString::number(*r.bestEval, 'g', 4) : QStringLiteral("—");
        case UpdatedColumn: return shortTime(r.updatedAt);
        }
        break;
    case Qt::ForegroundRole:
        if (index.column() == StatusColumn)
            return statusColour(r);
        break;
    case Qt::FontRole:
        if (index.column() == StatusColumn && r.status == "running" && !r.stale) {
            QFont f;
            f.setBold(true);
            return f;
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == StepColumn || index.column() == BestEvalColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ToolTipRole:
        if (r.status == "running" && r.stale)
            return tr("The process training this run (pid %1 on %2) is gone: it was killed or crashed. %3")
                .arg(r.ownerPid)
                .arg(r.ownerHost.empty() ? tr("an unknown host") : QString::fromStdString(r.ownerHost))
                .arg(isResumable(r) ? tr("Resume continues from its latest checkpoint.")
                                    : tr("It wrote no checkpoint to resume from."));
        if (r.status == "running" && r.stopRequested)
            return tr("Asked to stop: the trainer (pid %1 on %2) stops after its current step with a checkpoint.")
                .arg(r.ownerPid)
                .arg(QString::fromStdString(r.ownerHost));
        if (!r.error.empty())
            return QString::fromStdString(r.error);
        if (!r.checkpointDir.empty())
            return tr("Latest checkpoint: %1").arg(QString::fromStdString(r.checkpointDir));
        break;
    }
    return {};
}

QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Run");
    case KindColumn: return tr("Agent");
    case SetColumn: return tr("Training set");
    case StatusColumn: return tr("Status");
    case StepColumn: return tr("Steps");
    case BestEvalColumn: return tr("Best eval");
    case UpdatedColumn: return tr("Updated");
    }
    return {};
}

} // namespace hw::ui
