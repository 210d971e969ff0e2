#include "ui/models/job_table_model.h"
#include "ui/style/ui_style.h"

#include "core/store/database.h"

#include <QColor>
#include <QLocale>

namespace hw::ui {

JobTableModel::JobTableModel(QObject* parent) : QAbstractTableModel(parent) {}

JobTableModel::Row JobTableModel::makeRow(hw::JobRecord job)
{
    Row r;
    const nlohmann::json usage = job.summary.is_object() ? job.summary.value("usage", nlohmann::json::object())
                                                         : nlohmann::json::object();
    if (usage.is_object()) {
        r.tokens = usage.value("prompt_tokens", qint64(0)) + usage.value("completion_tokens", qint64(0));
        r.cost = usage.value("cost", 0.0);
        r.requests = usage.value("requests", qint64(0));
        r.cacheHits = usage.value("cache_hits", qint64(0));
    }
    r.updated = QDateTime::fromString(QString::fromStdString(job.updatedAt), Qt::ISODateWithMs);
    r.job = std::move(job);
    return r;
}

bool JobTableModel::sameFigures(const Row& a, const Row& b)
{
    return a.job.status == b.job.status && a.job.done == b.job.done && a.job.failed == b.job.failed
           && a.job.total == b.job.total && a.tokens == b.tokens && a.cost == b.cost && a.job.error == b.job.error
           && a.job.updatedAt == b.job.updatedAt && a.job.name == b.job.name;
}

void JobTableModel::refresh(hw::Database& db, int limit)
{
    std::vector<hw::JobRecord> fresh = hw::JobStore(db).list("", limit); // newest first
    // Merge two lists sorted by id descending: removals, inserts and changes in place.
    size_t i = 0; // index into m_rows (as it changes)
    for (hw::JobRecord& rec : fresh) {
        // Rows with a larger id than rec that are not in fresh were deleted meanwhile.
        while (i < m_rows.size() && m_rows[i].job.id > rec.id) {
            beginRemoveRows({}, static_cast<int>(i), static_cast<int>(i));
            m_rows.erase(m_rows.begin() + static_cast<std::ptrdiff_t>(i));
            endRemoveRows();
        }
        Row row = makeRow(std::move(rec));
        if (i < m_rows.size() && m_rows[i].job.id == row.job.id) {
            const bool changed = !sameFigures(m_rows[i], row);
            const bool stale = isStale(m_rows[i]) != isStale(row);
            m_rows[i] = std::move(row);
            if (changed || stale)
                Q_EMIT dataChanged(index(static_cast<int>(i), 0), index(static_cast<int>(i), COLUMN_COUNT - 1));
        } else {
            beginInsertRows({}, static_cast<int>(i), static_cast<int>(i));
            m_rows.insert(m_rows.begin() + static_cast<std::ptrdiff_t>(i), std::move(row));
            endInsertRows();
        }
        ++i;
    }
    if (i < m_rows.size()) {
        beginRemoveRows({}, static_cast<int>(i), static_cast<int>(m_rows.size()) - 1);
        m_rows.erase(m_rows.begin() + static_cast<std::ptrdiff_t>(i), m_rows.end());
        endRemoveRows();
    }
}

void JobTableModel::clear()
{
    if (m_rows.empty())
        return;
    beginRemoveRows({}, 0, static_cast<int>(m_rows.size()) - 1);
    m_rows.clear();
    endRemoveRows();
}

void JobTableModel::setLiveProgress(const PipelineProgress& p)
{
    const int row = rowOf(p.jobId);
    if (row < 0)
        return;
    Row& r = m_rows[static_cast<size_t>(row)];
    // Figures from the worker are per run; the table's counters include earlier runs, so only
    // the item counts (which already include them) are taken, and only when they are ahead.
    if (p.done + p.failed < r.job.done + r.job.failed)
        return;
    r.job.done = p.done;
    r.job.failed = p.failed;
    r.job.total = p.total;
    r.job.status = "running";
    Q_EMIT dataChanged(index(row, 0), index(row, COLUMN_COUNT - 1));
}

void JobTableModel::setRunningHere(qint64 jobId)
{
    if (jobId == m_runningHere)
        return;
    const int before = rowOf(m_runningHere);
    m_runningHere = jobId;
    for (int row : {before, rowOf(jobId)})
        if (row >= 0)
            Q_EMIT dataChanged(index(row, 0), index(row, COLUMN_COUNT - 1));
}

QString JobTableModel::progressText(const hw::JobRecord& j)
{
    // Done items only: failed ones are counted apart, so "67%" never means "two thirds failed".
    if (j.total <= 0)
        return j.status == "running" ? QStringLiteral("…") : QString();
    QString text = QStringLiteral("%1%").arg(qRound(100.0 * static_cast<double>(j.done) / static_cast<double>(j.total)));
    if (j.failed > 0)
        text += tr(" · %n failed", nullptr, static_cast<int>(j.failed));
    return text;
}

int JobTableModel::rowOf(qint64 jobId) const
{
    if (jobId <= 0)
        return -1;
    for (size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].job.id == jobId)
            return static_cast<int>(i);
    return -1;
}

const hw::JobRecord* JobTableModel::job(int row) const
{
    return row >= 0 && row < static_cast<int>(m_rows.size()) ? &m_rows[static_cast<size_t>(row)].job : nullptr;
}

bool JobTableModel::isStale(const Row& r) const
{
    if (r.job.status != "running" || r.job.id == m_runningHere || !r.updated.isValid())
        return false;
    return r.updated.secsTo(QDateTime::currentDateTimeUtc()) > m_staleAfterS;
}

int JobTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int JobTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : COLUMN_COUNT;
}

QVariant JobTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& r = m_rows[static_cast<size_t>(index.row())];
    const hw::JobRecord& j = r.job;
    const bool here = j.id == m_runningHere;
    const bool stale = isStale(r);
    const double fraction = j.total > 0 ? static_cast<double>(j.done + j.failed) / static_cast<double>(j.total) : -1.0;
    switch (role) {
    case JobIdRole: return QVariant::fromValue<qint64>(j.id);
    case StatusRole: return QString::fromStdString(j.status);
    case FractionRole: return fraction;
    case RunningHereRole: return here;
    case StaleRole: return stale;
    case ErrorRole: return QString::fromStdString(j.error);
    case FailedFractionRole:
        return j.total > 0 ? static_cast<double>(j.failed) / static_cast<double>(j.total) : 0.0;
    case Qt::TextAlignmentRole:
        if (index.column() == Id || index.column() >= Done)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (index.column() == Status) {
            if (j.status == "failed")
                return style::stateFailed();
            if (j.status == "running")
                return stale ? style::stateStopped() : style::stateRunning();
            if (j.status == "done")
                return style::stateDone();
        }
        if (index.column() == Failed && j.failed > 0)
            return style::stateFailed();
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Status) {
            if (stale)
                return tr("Marked running, but no progress for over %1 s and not run by this window: the "
                          "process may have stopped. Resume continues it.").arg(m_staleAfterS);
            if (!j.error.empty())
                return QString::fromStdString(j.error);
            return here ? tr("Running in this window") : QVariant();
        }
        if (index.column() == Tokens)
            return tr("%1 requests sent, %2 answered from the cache").arg(r.requests).arg(r.cacheHits);
        return {};
    case Qt::DisplayRole: break;
    default: return {};
    }
    const QLocale loc;
    switch (index.column()) {
    case Id: return QVariant::fromValue<qint64>(j.id);
    case Kind: return QString::fromStdString(j.kind);
    case Name: return QString::fromStdString(j.name);
    case Status: {
        QString s = QString::fromStdString(j.status);
        if (stale)
            s += tr(" (stalled?)");
        else if (here)
            s += tr(" (here)");
        return s;
    }
    case Progress: return progressText(j);
    case Done: return loc.toString(j.done);
    case Failed: return loc.toString(j.failed);
    case Total: return loc.toString(j.total);
    case Tokens: return loc.toString(r.tokens);
    case Cost: return r.cost > 0 ? loc.toString(r.cost, 'f', r.cost < 1 ? 4 : 2) : QStringLiteral("—");
    case Updated:
        return r.updated.isValid() ? loc.toString(r.updated.toLocalTime(), QLocale::ShortFormat)
                                   : QString::fromStdString(j.updatedAt);
    default: return {};
    }
}

QVariant JobTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Id: return tr("Job");
    case Kind: return tr("Kind");
    case Name: return tr("Name");
    case Status: return tr("Status");
    case Progress: return tr("Progress");
    case Done: return tr("Done");
    case Failed: return tr("Failed");
    case Total: return tr("Total");
    case Tokens: return tr("Tokens");
    case Cost: return tr("Cost");
    case Updated: return tr("Updated");
    default: return {};
    }
}

} // namespace hw::ui
