#pragma once
// One original dialogue and its regenerated branches as a tree:
//
//   Original #12 (reward 1.0)
//   ├── turn 5  (3 branches, mean 2.3)        <- divergence: the replaced agent turn
//   │   ├── Branch #301 (reward 3.0, llm)
//   │   └── ...
//   └── turn 9
//       └── Branch #307 ── turn 11 ── Branch #390   (a branch regenerated again)
//
// Column 0 is the node's label; the other columns hold reward, turns and origin. The painted
// BranchTreeWidget and any QTreeView can show it. Rewards are refreshed in place (dataChanged)
// after an override.
#include "core/data/task.h"
#include "core/store/regeneration_query.h"

#include <QAbstractItemModel>

#include <memory>
#include <optional>
#include <vector>

namespace hw {
class Database;
}

namespace hw::ui {

class RegenerationTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Columns { Label, Reward, Turns, Origin, COLUMN_COUNT };
    enum class NodeKind { Original, Group, Branch };
    enum Roles {
        KindRole = Qt::UserRole,   // int(NodeKind)
        DialogueIdRole,            // qint64; groups: their parent dialogue's id
        RewardRole,                // double, invalid when unlabeled (groups: mean of the branches)
        RewardSourceRole,          // QString
        DivergenceRole,            // int: the replaced turn index (groups and branches); -1 original
        BranchCountRole,           // int: branches under a group / direct branches of a dialogue
        HardRole,                  // bool: made by the hard forward model
        CritiqueRole,              // QString: critique of the suggestion behind a branch
        RewardFractionRole,        // double 0..1 within the task's reward range, invalid when unlabeled
    };

    explicit RegenerationTreeModel(QObject* parent = nullptr);
    ~RegenerationTreeModel() override;

    // Loads an original and its branches (nested regenerations to `maxDepth` levels).
    // Throws hw::Error (the page reports it).
    void setOriginal(hw::Database& db, qint64 originalId, const std::optional<hw::Task>& task, int maxDepth = 6);
    void clear();
    // Re-reads every node's reward; emits dataChanged for those that moved (and their groups).
    void refreshRewards(hw::Database& db);

    qint64 originalId() const;
    QModelIndex indexOfDialogue(qint64 dialogueId, int column = 0) const;
    const hw::BranchRow* branch(const QModelIndex& index) const;   // nullptr unless a branch
    double rewardMin() const { return m_rewardMin; }
    double rewardMax() const { return m_rewardMax; }

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Node {
        NodeKind kind = NodeKind::Original;
        Node* parent = nullptr;
        int row = 0;
        std::vector<std::unique_ptr<Node>> children;
        // Original and Branch
        qint64 dialogueId = 0;
        QString uid;
        int turns = 0;
        std::optional<double> reward;
        QString rewardSource;
        hw::BranchRow branch;          // Branch only
        // Group
        int divergence = -1;
    };
    Node* nodeOf(const QModelIndex& index) const;
    QModelIndex indexOfNode(const Node* node, int column = 0) const;
    void addBranches(hw::Database& db, Node* dialogueNode, int depth, int maxDepth);
    static std::optional<double> groupMean(const Node* group);
    std::optional<double> fraction(const std::optional<double>& reward) const;

    std::unique_ptr<Node> m_root;      // invisible; its one child is the original
    double m_rewardMin = 0.0;
    double m_rewardMax = 1.0;
};

} // namespace hw::ui
