#pragma once
// The runs of a project, one row each, kept in id order. setRuns() applies a new snapshot as
// inserts, removals and dataChanged of the rows that differ, never a reset, so selection and
// scrolling survive the live updates.
#include "core/store/run_store.h"

#include <QAbstractTableModel>

#include <optional>
#include <vector>

namespace hw::ui {

class RunTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns { NameColumn, KindColumn, SetColumn, StatusColumn, StepColumn, BestEvalColumn, UpdatedColumn, COLUMN_COUNT };
    enum Roles {
        RunIdRole = Qt::UserRole,   // qint64
        StatusRole,                 // QString
        CheckpointDirRole,          // QString
        ResumableRole,              // bool: stopped/failed with a checkpoint, or interrupted
        StaleRole,                  // bool: 'running' but its process is gone (interrupted)
    };

    explicit RunTableModel(QObject* parent = nullptr);

    void setRuns(const std::vector<hw::RunSummary>& runs);
    const std::vector<hw::RunSummary>& runs() const { return m_runs; }
    std::optional<hw::RunSummary> run(qint64 id) const;
    int rowOf(qint64 id) const;   // -1 when absent
    // Marks runs this GUI is training (shown with a marker; they can be stopped).
    void setLocalRuns(const QList<qint64>& ids);

    static QString kindLabel(const QString& kind);   // "ilql" -> "ILQL", "lm-policy-sft" -> "LM policy (SFT)"
    // Stopped or failed with a checkpoint directory, or interrupted (its process died while
    // 'running') with at least one checkpoint.
    static bool isResumable(const hw::RunSummary& run);
    // What the Status column shows: the stored status, "interrupted" for a stale run,
    // "stopping…" while a stop request waits for the trainer.
    static QString statusLabel(const hw::RunSummary& run);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<hw::RunSummary> m_runs;
    QList<qint64> m_local;
};

} // namespace hw::ui
