#pragma once
// Dialogues that have suggestions under the suggestions page's filter, with how many of their
// suggestions are proposed / accepted / rejected / failed. reload() applies a new filter (a
// reset); refreshCounts() re-reads the counts after curation and emits dataChanged only for the
// rows whose counts moved, so the selection and scroll position stay put.
#include "core/store/suggestion_query.h"

#include <QAbstractTableModel>

#include <vector>

namespace hw::ui {

class SuggestionDialogueModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns { Dialogue, Task, Proposed, Accepted, Rejected, Failed, COLUMN_COUNT };
    enum Roles {
        DialogueIdRole = Qt::UserRole, // qint64
        UidRole,                       // QString
        PendingRole,                   // qint64: proposed count (what still needs a decision)
    };

    explicit SuggestionDialogueModel(QObject* parent = nullptr);

    // Throws hw::Error (the page reports it).
    void reload(hw::Database& db, const hw::SuggestionQueryFilter& filter);
    void refreshCounts(hw::Database& db);
    void clear();

    const hw::SuggestionQueryFilter& filter() const { return m_filter; }
    int rowOf(qint64 dialogueId) const;
    qint64 dialogueId(int row) const;   // -1 when out of range
    const hw::SuggestionDialogueRow* row(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    hw::SuggestionQueryFilter m_filter;
    std::vector<hw::SuggestionDialogueRow> m_rows;
};

} // namespace hw::ui
