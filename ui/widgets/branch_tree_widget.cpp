#include "ui/widgets/branch_tree_widget.h"
#include "ui/style/ui_style.h"

#include "ui/models/regeneration_tree_model.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <algorithm>
#include <functional>

namespace hw::ui {
namespace {

constexpr qreal kMargin = 12;
constexpr qreal kRowHeight = 44;
constexpr qreal kColumnGap = 22;
constexpr qreal kOriginalW = 150, kOriginalH = 46;
constexpr qreal kGroupW = 84, kGroupH = 34;
constexpr qreal kBranchW = 140, kBranchH = 36;

using Kind = RegenerationTreeModel::NodeKind;

qreal widthOf(Kind k)
{
    return k == Kind::Original ? kOriginalW : k == Kind::Group ? kGroupW : kBranchW;
}

qreal heightOf(Kind k)
{
    return k == Kind::Original ? kOriginalH : k == Kind::Group ? kGroupH : kBranchH;
}

QColor mix(const QColor& a, const QColor& b, double t)
{
    return QColor::fromRgbF(a.redF() + (b.redF() - a.redF()) * t, a.greenF() + (b.greenF() - a.greenF()) * t,
                            a.blueF() + (b.blueF() - a.blueF()) * t);
}

} // namespace

BranchTreeWidget::BranchTreeWidget(QWidget* parent) : QWidget(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setAutoFillBackground(true);
    QPalette p = palette();
    p.setColor(QPalette::Window, style::treeBackground());
    setPalette(p);
}

QColor BranchTreeWidget::rewardColor(const std::optional<double>& fraction)
{
    if (!fraction)
        return style::rewardUnknown();
    const QColor low = style::rewardLow(), mid = style::rewardMid(), high = style::rewardHigh();
    const double t = std::clamp(*fraction, 0.0, 1.0);
    return t < 0.5 ? mix(low, mid, t * 2) : mix(mid, high, (t - 0.5) * 2);
}

void BranchTreeWidget::setModel(RegenerationTreeModel* model)
{
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    if (m_model) {
        connect(m_model, &QAbstractItemModel::modelReset, this, &BranchTreeWidget::relayout);
        connect(m_model, &QAbstractItemModel::dataChanged, this, &BranchTreeWidget::relayout);
        connect(m_model, &QAbstractItemModel::rowsInserted, this, &BranchTreeWidget::relayout);
        connect(m_model, &QAbstractItemModel::rowsRemoved, this, &BranchTreeWidget::relayout);
    }
    relayout();
}

void BranchTreeWidget::relayout()
{
    m_items.clear();
    m_hover = -1;
    int slots = 0;
    int maxDepth = 0;
    const QLocale loc;
    // Leaves take the next row; inner nodes sit at the middle of their children.
    std::function<qreal(const QModelIndex&, int, int)> place = [&](const QModelIndex& idx, int depth, int parentItem) -> qreal {
        const auto kind = static_cast<Kind>(idx.data(RegenerationTreeModel::KindRole).toInt());
        const int me = static_cast<int>(m_items.size());
        m_items.push_back({});
        maxDepth = std::max(maxDepth, depth);
        std::vector<qreal> ys;
        const int n = m_model->rowCount(idx);
        for (int r = 0; r < n; ++r)
            ys.push_back(place(m_model->index(r, 0, idx), depth + 1, me));
        qreal cy = 0;
        if (ys.empty())
            cy = kMargin + (slots++ + 0.5) * kRowHeight;
        else
            cy = (ys.front() + ys.back()) / 2;
        Item& it = m_items[static_cast<size_t>(me)];
        it.kind = static_cast<int>(kind);
        it.parentItem = parentItem;
        it.dialogueId = idx.data(RegenerationTreeModel::DialogueIdRole).toLongLong();
        const QVariant reward = idx.data(RegenerationTreeModel::RewardRole);
        const QVariant fraction = idx.data(RegenerationTreeModel::RewardFractionRole);
        if (fraction.isValid())
            it.fraction = fraction.toDouble();
        const QString rewardText = reward.isValid() ? loc.toString(reward.toDouble(), 'f', 2) : tr("unlabelled");
        const QString source = idx.data(RegenerationTreeModel::RewardSourceRole).toString();
        it.hard = idx.data(RegenerationTreeModel::HardRole).toBool();
        it.human = source == QLatin1String("human");
        switch (kind) {
        case Kind::Original:
            it.title = tr("Original #%1").arg(it.dialogueId);
            it.detail = tr("reward %1 · ×%2").arg(rewardText).arg(idx.data(RegenerationTreeModel::BranchCountRole).toInt());
            it.tooltip = tr("The original dialogue; %n direct branches", nullptr,
                            idx.data(RegenerationTreeModel::BranchCountRole).toInt());
            break;
        case Kind::Group:
            it.title = tr("turn %1").arg(idx.data(RegenerationTreeModel::DivergenceRole).toInt() + 1);
            it.detail = reward.isValid() ? tr("×%1 · ⌀ %2").arg(n).arg(rewardText) : tr("×%1").arg(n);
            it.tooltip = tr("%n branches replace turn %1", nullptr, n).arg(idx.data(RegenerationTreeModel::DivergenceRole).toInt() + 1);
            break;
        case Kind::Branch:
            it.title = tr("#%1").arg(it.dialogueId);
            it.detail = source.isEmpty() ? rewardText : QStringLiteral("%1 · %2").arg(rewardText, source);
            it.tooltip = idx.data(Qt::ToolTipRole).toString();
            break;
        }
        const qreal w = widthOf(kind), h = heightOf(kind);
        it.rect = QRectF(0, cy - h / 2, w, h);
        return cy;
    };
    if (m_model)
        for (int r = 0; r < m_model->rowCount(); ++r)
            place(m_model->index(r, 0), 0, -1);

    // Columns: each depth gets the width of its widest node kind.
    std::vector<qreal> colX(static_cast<size_t>(maxDepth) + 2, kMargin);
    std::vector<qreal> colW(static_cast<size_t>(maxDepth) + 1, 0);
    std::vector<int> depthOf(m_items.size(), 0);
    for (size_t i = 0; i < m_items.size(); ++i) {
        const int p = m_items[i].parentItem;
        depthOf[i] = p < 0 ? 0 : depthOf[static_cast<size_t>(p)] + 1;
        colW[static_cast<size_t>(depthOf[i])] = std::max(colW[static_cast<size_t>(depthOf[i])], m_items[i].rect.width());
    }
    for (size_t d = 1; d < colX.size(); ++d)
        colX[d] = colX[d - 1] + colW[d - 1] + kColumnGap;
    for (size_t i = 0; i < m_items.size(); ++i)
        m_items[i].rect.moveLeft(colX[static_cast<size_t>(depthOf[i])]);

    qreal right = kMargin, bottom = kMargin;
    for (const Item& it : m_items) {
        right = std::max(right, it.rect.right());
        bottom = std::max(bottom, it.rect.bottom());
    }
    m_size = QSize(static_cast<int>(right + kMargin), static_cast<int>(std::max<qreal>(bottom + kMargin, 80)));
    setMinimumSize(m_size);
    updateGeometry();
    update();
}

QSize BranchTreeWidget::sizeHint() const
{
    return m_size;
}

QSize BranchTreeWidget::minimumSizeHint() const
{
    return m_size;
}

std::vector<qint64> BranchTreeWidget::dialogueOrder() const
{
    std::vector<const Item*> items;
    for (const Item& it : m_items)
        if (it.kind != static_cast<int>(Kind::Group))
            items.push_back(&it);
    std::stable_sort(items.begin(), items.end(), [](const Item* a, const Item* b) {
        if (a->kind != b->kind)
            return a->kind == static_cast<int>(Kind::Original);
        return a->rect.center().y() < b->rect.center().y()
               || (a->rect.center().y() == b->rect.center().y() && a->rect.left() < b->rect.left());
    });
    std::vector<qint64> out;
    for (const Item* it : items)
        out.push_back(it->dialogueId);
    return out;
}

int BranchTreeWidget::itemOf(qint64 dialogueId) const
{
    for (size_t i = 0; i < m_items.size(); ++i)
        if (m_items[i].kind != static_cast<int>(Kind::Group) && m_items[i].dialogueId == dialogueId)
            return static_cast<int>(i);
    return -1;
}

QRect BranchTreeWidget::nodeRect(qint64 dialogueId) const
{
    const int i = itemOf(dialogueId);
    return i < 0 ? QRect() : m_items[static_cast<size_t>(i)].rect.toAlignedRect();
}

int BranchTreeWidget::itemAt(const QPointF& pos) const
{
    for (size_t i = 0; i < m_items.size(); ++i)
        if (m_items[i].rect.adjusted(-2, -2, 2, 2).contains(pos))
            return static_cast<int>(i);
    return -1;
}

void BranchTreeWidget::setCurrentDialogue(qint64 dialogueId)
{
    if (m_current == dialogueId)
        return;
    m_current = dialogueId;
    update();
}

void BranchTreeWidget::select(int item)
{
    if (item < 0)
        return;
    const Item& it = m_items[static_cast<size_t>(item)];
    qint64 id = it.dialogueId;
    if (it.kind == static_cast<int>(Kind::Group)) {
        // A divergence pill selects its first branch.
        for (const Item& c : m_items)
            if (c.parentItem == item) {
                id = c.dialogueId;
                break;
            }
    }
    setCurrentDialogue(id);
    Q_EMIT dialogueSelected(id);
}

void BranchTreeWidget::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    // Edges first.
    for (const Item& it : m_items) {
        if (it.parentItem < 0)
            continue;
        const QRectF& a = m_items[static_cast<size_t>(it.parentItem)].rect;
        const QPointF from(a.right(), a.center().y()), to(it.rect.left(), it.rect.center().y());
        QPainterPath path(from);
        const qreal dx = (to.x() - from.x()) / 2;
        path.cubicTo(from + QPointF(dx, 0), to - QPointF(dx, 0), to);
        const bool onPath = it.dialogueId == m_current || (it.kind == static_cast<int>(Kind::Group) && [&] {
            for (const Item& c : m_items)
                if (c.parentItem == static_cast<int>(&it - m_items.data()) && c.dialogueId == m_current)
                    return true;
            return false;
        }());
        p.setPen(QPen(onPath ? style::treeCurrentPath() : style::treeEdge(), onPath ? 2.0 : 1.4));
        p.setBrush(Qt::NoBrush);
        p.drawPath(path);
    }
    const QFont base = font();
    QFont bold = base;
    bold.setBold(true);
    QFont small = base;
    small.setPointSizeF(std::max(7.0, base.pointSizeF() * 0.85));
    for (size_t i = 0; i < m_items.size(); ++i) {
        const Item& it = m_items[i];
        const bool current = it.kind != static_cast<int>(Kind::Group) && it.dialogueId == m_current;
        const bool hover = static_cast<int>(i) == m_hover;
        const QColor rc = rewardColor(it.fraction);
        if (it.kind == static_cast<int>(Kind::Group)) {
            p.setPen(QPen(style::groupBorder(), 1));
            p.setBrush(hover ? style::groupHoverFill() : style::groupFill());
            p.drawRoundedRect(it.rect, it.rect.height() / 2, it.rect.height() / 2);
            const QRectF text = it.rect.adjusted(6, 2, -6, -2);
            p.setPen(style::bodyText());
            p.setFont(bold);
            p.drawText(QRectF(text.left(), text.top(), text.width(), text.height() / 2 + 1), Qt::AlignCenter,
                       QFontMetricsF(bold).elidedText(it.title, Qt::ElideRight, text.width()));
            p.setFont(small);
            p.setPen(style::secondaryText());
            p.drawText(QRectF(text.left(), text.center().y(), text.width(), text.height() / 2), Qt::AlignCenter,
                       QFontMetricsF(small).elidedText(it.detail, Qt::ElideRight, text.width()));
            continue;
        }
        const QColor fill = mix(QColor(Qt::white), rc, it.kind == static_cast<int>(Kind::Original) ? 0.22 : 0.16);
        p.setPen(QPen(current ? style::treeCurrentPath() : (hover ? rc.darker(130) : rc.darker(110)), current ? 2.5 : 1.2));
        p.setBrush(fill);
        p.drawRoundedRect(it.rect, 7, 7);
        // Reward chip on the left edge.
        const QRectF chip(it.rect.left() + 6, it.rect.top() + 7, 6, it.rect.height() - 14);
        p.setPen(Qt::NoPen);
        p.setBrush(rc);
        p.drawRoundedRect(chip, 3, 3);
        const QRectF text = it.rect.adjusted(18, 3, -8, -3);
        p.setPen(style::titleText());
        p.setFont(bold);
        const QFontMetricsF bfm(bold);
        p.drawText(QRectF(text.left(), text.top(), text.width(), text.height() / 2 + 2), Qt::AlignLeft | Qt::AlignVCenter,
                   bfm.elidedText(it.title, Qt::ElideRight, text.width()));
        p.setFont(small);
        p.setPen(style::secondaryText());
        QString detail = it.detail;
        if (it.hard)
            detail += tr(" · hard");
        const QFontMetricsF sfm(small);
        p.drawText(QRectF(text.left(), text.center().y(), text.width(), text.height() / 2), Qt::AlignLeft | Qt::AlignVCenter,
                   sfm.elidedText(detail, Qt::ElideRight, text.width()));
        if (it.human) {
            // A small mark for rewards a person set.
            const QRectF badge(it.rect.right() - 16, it.rect.top() + 4, 12, 12);
            p.setPen(Qt::NoPen);
            p.setBrush(style::humanRewardText());
            p.drawEllipse(badge);
        }
    }
    if (m_items.empty()) {
        p.setPen(style::mutedText());
        p.drawText(rect(), Qt::AlignCenter, tr("No branches"));
    }
}

void BranchTreeWidget::mousePressEvent(QMouseEvent* event)
{
    setFocus();
    select(itemAt(event->position()));
    QWidget::mousePressEvent(event);
}

void BranchTreeWidget::mouseMoveEvent(QMouseEvent* event)
{
    const int h = itemAt(event->position());
    if (h != m_hover) {
        m_hover = h;
        setCursor(h >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
        update();
    }
    QWidget::mouseMoveEvent(event);
}

void BranchTreeWidget::leaveEvent(QEvent* event)
{
    m_hover = -1;
    update();
    QWidget::leaveEvent(event);
}

void BranchTreeWidget::keyPressEvent(QKeyEvent* event)
{
    const std::vector<qint64> order = dialogueOrder();
    if (order.empty()) {
        QWidget::keyPressEvent(event);
        return;
    }
    const auto pos = std::find(order.begin(), order.end(), m_current);
    const int at = pos == order.end() ? -1 : static_cast<int>(pos - order.begin());
    int next = at;
    switch (event->key()) {
    case Qt::Key_Down:
    case Qt::Key_J:
        next = std::min(at + 1, static_cast<int>(order.size()) - 1);
        break;
    case Qt::Key_Up:
    case Qt::Key_K:
        next = std::max(at - 1, 0);
        break;
    case Qt::Key_Home:
        next = 0;
        break;
    case Qt::Key_End:
        next = static_cast<int>(order.size()) - 1;
        break;
    case Qt::Key_Left: {
        // To the dialogue this one branches from.
        const int item = itemOf(m_current);
        if (item >= 0) {
            int p = m_items[static_cast<size_t>(item)].parentItem;
            if (p >= 0 && m_items[static_cast<size_t>(p)].kind == static_cast<int>(Kind::Group))
                p = m_items[static_cast<size_t>(p)].parentItem;
            if (p >= 0)
                select(p);
        }
        return;
    }
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    if (next >= 0 && next != at)
        select(itemOf(order[static_cast<size_t>(next)]));
}

bool BranchTreeWidget::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int i = itemAt(help->pos());
        if (i >= 0 && !m_items[static_cast<size_t>(i)].tooltip.isEmpty())
            QToolTip::showText(help->globalPos(), m_items[static_cast<size_t>(i)].tooltip, this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

} // namespace hw::ui
