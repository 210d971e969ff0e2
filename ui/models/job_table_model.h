#pragma once
// The jobs table (newest first) for the jobs panel. refresh() re-reads it and applies the
// difference as row inserts/removals and dataChanged, so a 1 s poll does not reset the view or
// lose the selection. Jobs running in this process get fresher figures through setLiveProgress().
#include "core/store/job_store.h"
#include "ui/workers/pipeline_worker.h"

#include <QAbstractTableModel>
#include <QDateTime>

#include <vector>

namespace hw {
class Database;
}

namespace hw::ui {

class JobTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns { Id, Kind, Name, Status, Progress, Done, Failed, Total, Tokens, Cost, Updated, COLUMN_COUNT };
    enum Roles {
        JobIdRole = Qt::UserRole,  // qint64
        StatusRole,                // QString as stored (pending | running | ... | done)
        FractionRole,              // double 0..1, (done + failed) / total; -1 when total is unknown
        RunningHereRole,           // bool: started by this workbench and running now
        StaleRole,                 // bool: "running" but no progress for a while and not ours
        ErrorRole,                 // QString: the job's error
        FailedFractionRole,        // double 0..1, failed / total
    };

    explicit JobTableModel(QObject* parent = nullptr);

    // Re-reads the newest `limit` jobs. Throws hw::Error (the caller reports it).
    void refresh(hw::Database& db, int limit = 200);
    void clear();
    void setLiveProgress(const PipelineProgress& progress);
    void setRunningHere(qint64 jobId);   // 0 = none
    // "running" rows not updated for this long and not running here are shown as stale.
    void setStaleAfter(int seconds) { m_staleAfterS = seconds; }

    int rowOf(qint64 jobId) const;       // -1 when absent
    // The Progress column: share of items done, then the failed count ("0% · 2 failed").
    static QString progressText(const hw::JobRecord& job);
    const hw::JobRecord* job(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        hw::JobRecord job;
        qint64 tokens = 0;
        double cost = 0.0;
        qint64 requests = 0;
        qint64 cacheHits = 0;
        QDateTime updated;
    };
    static Row makeRow(hw::JobRecord job);
    static bool sameFigures(const Row& a, const Row& b);
    bool isStale(const Row& r) const;

    std::vector<Row> m_rows;          // by id, descending
    qint64 m_runningHere = 0;
    int m_staleAfterS = 90;
};

} // namespace hw::ui
