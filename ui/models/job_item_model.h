#pragma once
// The failed items of one job (job_items rows with status failed): key, attempts, error.
// The jobs panel shows the selected item's request and reply beside it.
#include "core/store/job_store.h"

#include <QAbstractTableModel>

#include <vector>

namespace hw::ui {

class JobItemModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns { Key, Attempts, Error, When, COLUMN_COUNT };
    enum Roles {
        KeyRole = Qt::UserRole,   // QString item key ("d:12", "s:4:0", "r:77")
        CallIdsRole,              // QList<qint64>: llm_calls rows of the item's last try
    };

    explicit JobItemModel(QObject* parent = nullptr);

    // Replaces the rows; an identical list leaves the model (and its selection) untouched.
    void setItems(qint64 jobId, std::vector<hw::JobItemRecord> items);
    void clear() { setItems(0, {}); }
    qint64 jobId() const { return m_jobId; }
    const hw::JobItemRecord* item(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // First line of an error, for the table cell (the panel shows it whole).
    static QString firstLine(const std::string& text);

private:
    qint64 m_jobId = 0;
    std::vector<hw::JobItemRecord> m_items;
};

} // namespace hw::ui
