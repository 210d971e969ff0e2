#include "ui/models/regeneration_tree_model.h"

#include "core/store/database.h"
#include "core/store/dialogue_query.h"

#include <QColor>
#include <QFont>
#include <QLocale>

#include <algorithm>
#include <functional>
#include <map>

namespace hw::ui {
namespace {

QString rewardString(const std::optional<double>& r)
{
    return r ? QLocale().toString(*r, 'f', 2) : QStringLiteral("—");
}

} // namespace

RegenerationTreeModel::RegenerationTreeModel(QObject* parent)
    : QAbstractItemModel(parent), m_root(std::make_unique<Node>())
{
}

RegenerationTreeModel::~RegenerationTreeModel() = default;

void RegenerationTreeModel::addBranches(hw::Database& db, Node* dialogueNode, int depth, int maxDepth)
{
    if (depth >= maxDepth)
        return;
    const std::vector<hw::BranchRow> rows = hw::RegenerationQuery(db).branches(dialogueNode->dialogueId);
    // Groups by divergence turn, in turn order (the query sorts by prefix length).
    Node* group = nullptr;
    for (const hw::BranchRow& b : rows) {
        if (!group || group->divergence != b.prefixLen) {
            auto g = std::make_unique<Node>();
            g->kind = NodeKind::Group;
            g->parent = dialogueNode;
            g->row = static_cast<int>(dialogueNode->children.size());
            g->divergence = b.prefixLen;
            g->dialogueId = dialogueNode->dialogueId;
            group = g.get();
            dialogueNode->children.push_back(std::move(g));
        }
        auto n = std::make_unique<Node>();
        n->kind = NodeKind::Branch;
        n->parent = group;
        n->row = static_cast<int>(group->children.size());
        n->dialogueId = b.dialogueId;
        n->uid = QString::fromStdString(b.uid);
        n->turns = b.turns;
        n->reward = b.reward;
        n->rewardSource = QString::fromStdString(b.rewardSource);
        n->divergence = b.prefixLen;
        n->branch = b;
        Node* raw = n.get();
        group->children.push_back(std::move(n));
        addBranches(db, raw, depth + 1, maxDepth);
    }
}

void RegenerationTreeModel::setOriginal(hw::Database& db, qint64 originalId, const std::optional<hw::Task>& task,
                                        int maxDepth)
{
    auto root = std::make_unique<Node>();
    const auto row = hw::DialogueQuery(db).row(originalId);
    if (row) {
        auto original = std::make_unique<Node>();
        original->kind = NodeKind::Original;
        original->parent = root.get();
        original->dialogueId = originalId;
        original->uid = QString::fromStdString(row->uid);
        original->turns = row->turns;
        original->reward = row->reward;
        original->rewardSource = QString::fromStdString(row->rewardSource);
        addBranches(db, original.get(), 0, maxDepth);
        root->children.push_back(std::move(original));
    }
    beginResetModel();
    m_root = std::move(root);
    if (task) {
        m_rewardMin = task->rewardMin;
        m_rewardMax = task->rewardMax > task->rewardMin ? task->rewardMax : task->rewardMin + 1.0;
    } else {
        m_rewardMin = 0.0;
        m_rewardMax = 1.0;
    }
    endResetModel();
}

void RegenerationTreeModel::clear()
{
    beginResetModel();
    m_root = std::make_unique<Node>();
    endResetModel();
}

void RegenerationTreeModel::refreshRewards(hw::Database& db)
{
    hw::DialogueQuery q(db);
    std::function<void(Node*)> visit = [&](Node* n) {
        if (n->kind != NodeKind::Group && n->dialogueId > 0) {
            if (const auto row = q.row(n->dialogueId)) {
                const QString src = QString::fromStdString(row->rewardSource);
                if (row->reward != n->reward || src != n->rewardSource) {
                    n->reward = row->reward;
                    n->rewardSource = src;
                    n->branch.reward = row->reward;
                    n->branch.rewardSource = row->rewardSource;
                    Q_EMIT dataChanged(indexOfNode(n, 0), indexOfNode(n, COLUMN_COUNT - 1));
                    if (n->parent && n->parent->kind == NodeKind::Group)
                        Q_EMIT dataChanged(indexOfNode(n->parent, 0), indexOfNode(n->parent, COLUMN_COUNT - 1));
                }
            }
        }
        for (auto& c : n->children)
            visit(c.get());
    };
    visit(m_root.get());
}

qint64 RegenerationTreeModel::originalId() const
{
    return m_root->children.empty() ? -1 : m_root->children.front()->dialogueId;
}

RegenerationTreeModel::Node* RegenerationTreeModel::nodeOf(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<Node*>(index.internalPointer()) : m_root.get();
}

QModelIndex RegenerationTreeModel::indexOfNode(const Node* node, int column) const
{
    if (!node || node == m_root.get())
        return {};
    return createIndex(node->row, column, const_cast<Node*>(node));
}

QModelIndex RegenerationTreeModel::indexOfDialogue(qint64 dialogueId, int column) const
{
    std::function<const Node*(const Node*)> find = [&](const Node* n) -> const Node* {
        if (n->kind != NodeKind::Group && n != m_root.get() && n->dialogueId == dialogueId)
            return n;
        for (const auto& c : n->children)
            if (const Node* f = find(c.get()))
                return f;
        return nullptr;
    };
    return indexOfNode(find(m_root.get()), column);
}

const hw::BranchRow* RegenerationTreeModel::branch(const QModelIndex& index) const
{
    const Node* n = index.isValid() ? nodeOf(index) : nullptr;
    return n && n->kind == NodeKind::Branch ? &n->branch : nullptr;
}

QModelIndex RegenerationTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= COLUMN_COUNT)
        return {};
    if (parent.isValid() && parent.column() != 0)
        return {};
    const Node* p = nodeOf(parent);
    if (row >= static_cast<int>(p->children.size()))
        return {};
    return createIndex(row, column, p->children[static_cast<size_t>(row)].get());
}

QModelIndex RegenerationTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    const Node* n = nodeOf(child);
    return indexOfNode(n->parent, 0);
}

int RegenerationTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return static_cast<int>(nodeOf(parent)->children.size());
}

int RegenerationTreeModel::columnCount(const QModelIndex&) const
{
    return COLUMN_COUNT;
}

std::optional<double> RegenerationTreeModel::groupMean(const Node* group)
{
    double sum = 0;
    int n = 0;
    for (const auto& c : group->children)
        if (c->reward) {
            sum += *c->reward;
            ++n;
        }
    if (n == 0)
        return std::nullopt;
    return sum / n;
}

std::optional<double> RegenerationTreeModel::fraction(const std::optional<double>& reward) const
{
    if (!reward)
        return std::nullopt;
    return std::clamp((*reward - m_rewardMin) / (m_rewardMax - m_rewardMin), 0.0, 1.0);
}

QVariant RegenerationTreeModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Node* n = nodeOf(index);
    const std::optional<double> reward = n->kind == NodeKind::Group ? groupMean(n) : n->reward;
    switch (role) {
    case KindRole: return static_cast<int>(n->kind);
    case DialogueIdRole: return QVariant::fromValue<qint64>(n->dialogueId);
    case RewardRole: return reward ? QVariant(*reward) : QVariant();
    case RewardSourceRole: return n->kind == NodeKind::Group ? QString() : n->rewardSource;
    case DivergenceRole: return n->kind == NodeKind::Original ? -1 : n->divergence;
    case BranchCountRole: {
        if (n->kind == NodeKind::Group)
            return static_cast<int>(n->children.size());
        int count = 0;
        for (const auto& g : n->children)
            count += static_cast<int>(g->children.size());
        return count;
    }
    case HardRole: return n->kind == NodeKind::Branch && n->branch.hard;
    case CritiqueRole: return n->kind == NodeKind::Branch ? QString::fromStdString(n->branch.critique) : QString();
    case RewardFractionRole: {
        const auto f = fraction(reward);
        return f ? QVariant(*f) : QVariant();
    }
    case Qt::DisplayRole:
        switch (index.column()) {
        case Label:
            switch (n->kind) {
            case NodeKind::Original: return tr("Original #%1").arg(n->dialogueId);
            case NodeKind::Group: return tr("turn %1 (%n branches)", nullptr, static_cast<int>(n->children.size())).arg(n->divergence + 1);
            case NodeKind::Branch: return tr("Branch #%1").arg(n->dialogueId);
            }
            return {};
        case Reward:
            return n->kind == NodeKind::Group ? (reward ? tr("mean %1").arg(rewardString(reward)) : QString())
                                              : rewardString(reward);
        case Turns: return n->kind == NodeKind::Group ? QVariant() : QVariant(n->turns);
        case Origin:
            if (n->kind == NodeKind::Branch) {
                QString s = n->rewardSource.isEmpty() ? tr("unlabelled") : n->rewardSource;
                if (n->branch.hard)
                    s += tr(", hard");
                s += tr(", sample %1").arg(n->branch.sampleIndex);
                return s;
            }
            return n->kind == NodeKind::Original ? n->rewardSource : QString();
        default: return {};
        }
    case Qt::ToolTipRole:
        if (n->kind == NodeKind::Branch && !n->branch.critique.empty())
            return tr("Critique: %1").arg(QString::fromStdString(n->branch.critique));
        return {};
    case Qt::FontRole:
        if (n->kind == NodeKind::Original) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    default: return {};
    }
}

QVariant RegenerationTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractItemModel::headerData(section, orientation, role);
    switch (section) {
    case Label: return tr("Dialogue");
    case Reward: return tr("Reward");
    case Turns: return tr("Turns");
    case Origin: return tr("Reward source");
    default: return {};
    }
}

} // namespace hw::ui
