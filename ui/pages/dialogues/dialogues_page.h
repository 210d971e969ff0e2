#pragma once
// The dialogue browser: filter bar, SQL-backed table, and the selected dialogue as chat bubbles
// with manual reward editing (undoable).
#include "ui/pages/page.h"

#include <optional>

class QSplitter;
class QTableView;

namespace hw::ui {

class DialogueFilterBar;
class DialogueTableModel;
class DialogueView;
class EmptyState;
class RewardEditBar;

class DialoguesPage : public Page {
    Q_OBJECT
public:
    explicit DialoguesPage(ProjectSession* session, QWidget* parent = nullptr);
    ~DialoguesPage() override;

    QString title() const override { return tr("Dialogues"); }
    QIcon icon() const override;
    void activated() override;
    QString taskFilter() const override;

    DialogueTableModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    DialogueFilterBar* filterBar() const { return m_filters; }
    DialogueView* view() const { return m_view; }
    RewardEditBar* rewardBar() const { return m_rewardBar; }
    EmptyState* emptyState() const { return m_empty; }
    qint64 currentDialogueId() const { return m_shownId; }

public Q_SLOTS:
    // Shows a dialogue (selecting its row when it is among the loaded rows).
    void showDialogue(qint64 dialogueId);

private:
    void onOpened();
    void onClosed();
    void reloadChoices();
    void updateEmptyState();
    void refreshAll();
    void onCountChanged(qint64 count);
    void onCurrentRowChanged();
    void loadDialogue(qint64 id);
    void requestReward(std::optional<double> value);
    void selectRowOf(qint64 id);
    void followFilter();

    DialogueFilterBar* m_filters;
    DialogueTableModel* m_model;
    QTableView* m_table;
    DialogueView* m_view;
    RewardEditBar* m_rewardBar;
    QSplitter* m_splitter;
    QWidget* m_content;   // filters and splitter, hidden while the project has no dialogues
    EmptyState* m_empty;
    qint64 m_shownId = -1;
    qint64 m_projectTotal = 0;
};

} // namespace hw::ui
