#pragma once
// Watches a project file for training progress written by any process (this GUI's training
// worker or a `hindsight train` in a terminal): every interval it reads the runs table and the
// metrics rows with id > the last one seen, on its own read-only connection and its own thread,
// and emits only what is new. SQLite's WAL lets it read while a trainer writes.
//
//   auto* poller = new MetricsPoller;              // no parent: it moves to its thread
//   poller->moveToThread(thread);
//   connect(thread, &QThread::finished, poller, &QObject::deleteLater);
//   thread->start();
//   QMetaObject::invokeMethod(poller, [=] { poller->start(path, 500); });
//   ... poller->pollNow() (queued) after the GUI itself changed the runs table
#include "core/store/run_store.h"

#include <QMetaType>
#include <QObject>
#include <QString>

#include <map>
#include <memory>
#include <vector>

class QTimer;

namespace hw {
class Database;
}

namespace hw::ui {

using MetricBatch = std::vector<hw::MetricPoint>;
using RunList = std::vector<hw::RunSummary>;

class MetricsPoller : public QObject {
    Q_OBJECT
public:
    explicit MetricsPoller(QObject* parent = nullptr);
    ~MetricsPoller() override;

    // Rows fetched per query; a poll loops until it gets fewer (so a backlog is read in chunks,
    // each emitted on its own, and the GUI appends them as they come).
    static constexpr qint64 kBatchRows = 20000;

public Q_SLOTS:
    // Opens the project read-only and polls every intervalMs (first poll at once).
    void start(const QString& projectPath, int intervalMs = 500);
    void stop();
    void pollNow();

Q_SIGNALS:
    // Runs table whenever any row changed (status, step, best eval, new or removed runs).
    void runsChanged(const hw::ui::RunList& runs);
    // New metric rows, in id order.
    void metricsAppended(const hw::ui::MetricBatch& batch);
    // Every metric row of one run, replacing what was sent before: emitted when the run was
    // resumed from an earlier checkpoint (its step went back and the rows past it were deleted;
    // SQLite may then hand the freed ids to the new rows, so "id > last" alone would miss them).
    void runMetricsReplaced(qint64 runId, const hw::ui::MetricBatch& all);
    // The project could not be read (e.g. deleted); polling goes on.
    void failed(const QString& message);

private:
    std::unique_ptr<hw::Database> m_db;
    QTimer* m_timer = nullptr;
    qint64 m_lastId = 0;
    RunList m_lastRuns;
    bool m_haveRuns = false;
    std::map<qint64, qint64> m_replacedUpTo; // run -> largest id sent by runMetricsReplaced
    QString m_lastError;
};

} // namespace hw::ui

Q_DECLARE_METATYPE(hw::ui::MetricBatch)
Q_DECLARE_METATYPE(hw::ui::RunList)
