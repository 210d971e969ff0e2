#pragma once
// The dialogue browser's table: a thin adapter over hw::DialogueQuery. rowCount() is the SQL
// count of the filtered dialogues; rows are read in pages of kPageSize when a view asks for them
// and kept in a small LRU window, so a project of 100k dialogues costs one count query and the
// pages the view actually shows. Filtering and sorting are done in SQL.
#include "core/store/dialogue_query.h"

#include <QAbstractTableModel>
#include <QString>

#include <list>
#include <unordered_map>
#include <vector>

namespace hw {
class Database;
}

namespace hw::ui {

class DialogueTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns { IdColumn, TaskColumn, TurnsColumn, RewardColumn, LabelColumn, SourceColumn,
                   FlagsColumn, COLUMN_COUNT };
    enum Roles {
        DialogueIdRole = Qt::UserRole, // qint64
        UidRole,                       // QString
        TaskRole,                      // QString
        RewardRole,                    // double, or an invalid QVariant when unlabeled
        RewardSourceRole,              // QString: dataset | llm | model | human | ""
        FlagsRole,                     // uint
    };
    static constexpr int kPageSize = 200;
    static constexpr size_t kMaxCachedPages = 64;

    explicit DialogueTableModel(QObject* parent = nullptr);

    // Borrowed; nullptr empties the model. The database must outlive the model or be unset first.
    void setDatabase(hw::Database* db);
    void setFilter(const hw::DialogueFilter& filter);
    const hw::DialogueFilter& filter() const { return m_filter; }
    const hw::DialogueSort& sortOrder() const { return m_sort; }

    // Re-runs the count and drops the cached pages (after an import or a filter change).
    void refresh();
    // Re-reads one dialogue's row in place (dataChanged) if it is in the cached window. The row
    // stays where it is even if it no longer matches the filter, so edits never make rows jump.
    void refreshDialogue(qint64 dialogueId);

    qint64 totalCount() const { return m_count; }
    qint64 dialogueId(int row) const;   // -1 when out of range
    int rowOfDialogue(qint64 dialogueId) const; // among cached rows; -1 when not loaded
    QString errorString() const { return m_error; }

    static QString flagsText(uint flags);
    static hw::DialogueSortKey sortKeyForColumn(int column);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    void sort(int column, Qt::SortOrder order) override;

Q_SIGNALS:
    void countChanged(qint64 count);
    // A query failed (e.g. the project file went away); the model shows what it had.
    void queryFailed(const QString& message);

private:
    const hw::DialogueRow* rowAt(int row) const;
    const std::vector<hw::DialogueRow>* loadPage(int page) const;
    void reloadCount();

    hw::Database* m_db = nullptr;
    hw::DialogueFilter m_filter;
    hw::DialogueSort m_sort;
    qint64 m_count = 0;
    QString m_error;
    // Cached pages and their use order (front = most recent); mutable: filled from data().
    mutable std::unordered_map<int, std::vector<hw::DialogueRow>> m_pages;
    mutable std::list<int> m_lru;
};

} // namespace hw::ui
