#pragma once
// Dataset overview: per task, counts (dialogues, labeled, unlabeled, flagged, by source) and a
// reward histogram. Refreshes lazily: changes mark it stale, and it re-reads when shown.
#include "ui/pages/page.h"

#include <vector>

class QLabel;
class QScrollArea;
class QVBoxLayout;

namespace hw::ui {

class EmptyState;
class TaskSummaryCard;

class DatasetPage : public Page {
    Q_OBJECT
public:
    explicit DatasetPage(ProjectSession* session, QWidget* parent = nullptr);

    QString title() const override { return tr("Dataset"); }
    QIcon icon() const override;
    void activated() override;

    void refresh();
    const std::vector<TaskSummaryCard*>& cards() const { return m_cards; }
    EmptyState* emptyState() const { return m_empty; }

private:
    void markStale();
    void setEmpty(bool empty);

    QLabel* m_header;
    QVBoxLayout* m_cardsLayout;
    QScrollArea* m_scroll;   // the task cards, hidden while the project has no dialogues
    EmptyState* m_empty;
    std::vector<TaskSummaryCard*> m_cards;
    bool m_stale = true;
};

} // namespace hw::ui
