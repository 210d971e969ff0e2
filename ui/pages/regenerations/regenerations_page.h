#pragma once
// An original dialogue and its hindsight regenerations: a tree from the divergence turns with
// the reward of every node (BranchTreeWidget over RegenerationTreeModel), and the selected branch
// side by side with the dialogue it branches from, turn-aligned, the shared prefix dimmed and the
// replaced turn highlighted. A branch's reward can be set or cleared by hand (undoable, source
// human).
#include "ui/pages/page.h"

#include <optional>

class QComboBox;
class QLabel;
class QPushButton;
class QScrollArea;
class QSplitter;
class QTableView;
class QToolButton;

namespace hw {
struct Task;
}

namespace hw::ui {

class BranchTreeWidget;
class EmptyState;
class RegenerationCompareModel;
class RegenerationTreeModel;
class RewardEditBar;

class RegenerationsPage : public Page {
    Q_OBJECT
public:
    explicit RegenerationsPage(ProjectSession* session, QWidget* parent = nullptr);
    ~RegenerationsPage() override;

    QString title() const override { return tr("Regenerations"); }
    QIcon icon() const override;
    void activated() override;

    RegenerationTreeModel* treeModel() const { return m_tree; }
    RegenerationCompareModel* compareModel() const { return m_compare; }
    BranchTreeWidget* treeWidget() const { return m_treeWidget; }
    QTableView* compareView() const { return m_compareView; }
    RewardEditBar* rewardBar() const { return m_rewardBar; }
    QComboBox* originalBox() const { return m_originals; }
    EmptyState* emptyState() const { return m_empty; }
    qint64 originalId() const;
    qint64 selectedDialogueId() const { return m_selected; }

public Q_SLOTS:
    // Shows the tree that holds this dialogue (an original or any regeneration) and selects it.
    void showDialogue(qint64 dialogueId);
    void selectDialogue(qint64 dialogueId);
    void reloadOriginals();

private:
    void onOpened();
    void onClosed();
    void loadOriginal(qint64 originalId);
    void showSelected();
    void requestReward(std::optional<double> value);
    void onDialogueChanged(qint64 id);
    void step(int delta);
    void setEmpty(bool empty);

    RegenerationTreeModel* m_tree;
    RegenerationCompareModel* m_compare;
    QComboBox* m_task;
    QComboBox* m_originals;
    QToolButton* m_prev;
    QToolButton* m_next;
    QLabel* m_summary;
    BranchTreeWidget* m_treeWidget;
    QScrollArea* m_treeScroll;
    QLabel* m_header;
    QLabel* m_critique;
    QPushButton* m_open;
    RewardEditBar* m_rewardBar;
    QTableView* m_compareView;
    QSplitter* m_splitter;
    QWidget* m_content;   // the bar, tree and comparison, hidden while there is no regeneration
    EmptyState* m_empty;
    bool m_emptyNeedsDialogues = false;
    qint64 m_selected = -1;
    std::optional<double> m_rangeMin;
    std::optional<double> m_rangeMax;
};

} // namespace hw::ui
