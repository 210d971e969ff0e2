#pragma once
// The chat evaluation results, one row per agent (by its real name), as in the papers'
// Tables 1 and 2: sessions rated, then each measure as "mean ± std".
#include "core/store/chat_store.h"

#include <QAbstractTableModel>

#include <vector>

namespace hw::ui {

class ChatResultsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns { AgentColumn, KindColumn, SessionsColumn, NaturalnessColumn, RelevanceColumn, ComfortingColumn,
                   OutcomeColumn, COLUMN_COUNT };
    enum Roles { MeanRole = Qt::UserRole, StdRole, CountRole };

    explicit ChatResultsModel(QObject* parent = nullptr);

    void setResults(std::vector<hw::AgentResult> results);
    const std::vector<hw::AgentResult>& results() const { return m_results; }
    // The header of the outcome column ("Donation ($)", "Final emotional intensity") and whether
    // the counseling-only "comforting" column is meaningful (hidden by the view otherwise).
    void setOutcomeName(const QString& name) { m_outcomeName = name; Q_EMIT headerDataChanged(Qt::Horizontal, OutcomeColumn, OutcomeColumn); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    const hw::RatingStat* stat(const hw::AgentResult& r, int column) const;
    std::vector<hw::AgentResult> m_results;
    QString m_outcomeName = tr("Outcome");
};

} // namespace hw::ui
