#pragma once
// A branch beside its original, turn by turn: row i holds turn i of the original (column 0) and
// of the branch (column 1). Rows before the divergence are the shared prefix, the divergence row
// holds the replaced agent turn, later rows are each side's own continuation. Cells carry the
// roles of TurnListModel, so ChatBubbleDelegate paints them as bubbles.
#include "core/data/dialogue.h"
#include "core/data/task.h"
#include "ui/models/turn_list_model.h"

#include <QAbstractTableModel>

#include <optional>

namespace hw::ui {

class RegenerationCompareModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns { OriginalColumn, BranchColumn, COLUMN_COUNT };
    enum class RowKind { Shared, Replaced, Diverged };
    enum Roles {
        // TextRole (DisplayRole), IsAgentRole, TurnIndexRole, SpeakerRole, TagsRole as in TurnListModel
        RowKindRole = TurnListModel::TagsRole + 1, // int(RowKind)
        PresentRole,                               // bool: this side has a turn at this row
        ChangedRole,                               // bool: differs from the other side's turn
    };

    explicit RegenerationCompareModel(QObject* parent = nullptr);

    // branch = nullopt shows the original alone (divergence = its length).
    void setDialogues(const hw::Dialogue& original, const std::optional<hw::Dialogue>& branch, int divergence,
                      const std::optional<hw::Task>& task);
    void clear();
    int divergence() const { return m_divergence; }
    qint64 originalId() const { return m_original ? m_original->id : -1; }
    qint64 branchId() const { return m_branch ? m_branch->id : -1; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    const hw::Turn* turnAt(int column, int row) const;

    std::optional<hw::Dialogue> m_original;
    std::optional<hw::Dialogue> m_branch;
    int m_divergence = 0;
    QString m_agentName = QStringLiteral("Agent");
    QString m_userName = QStringLiteral("User");
};

} // namespace hw::ui
