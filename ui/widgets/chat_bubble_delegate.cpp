#include "ui/widgets/chat_bubble_delegate.h"
#include "ui/style/ui_style.h"

#include "ui/models/turn_list_model.h"

#include <QAbstractItemView>
#include <QPainter>
#include <QPainterPath>
#include <QTextLayout>

#include <algorithm>
#include <cmath>

namespace hw::ui {

namespace {

constexpr qreal kSideMargin = 12;  // between the view's edge and a bubble
constexpr qreal kTopMargin = 6;
constexpr qreal kBottomMargin = 6;
constexpr qreal kPadX = 12;        // inside a bubble
constexpr qreal kPadY = 8;
constexpr qreal kHeaderGap = 3;    // between header line and bubble
constexpr qreal kRadius = 10;
constexpr qreal kTagPadX = 6;
constexpr qreal kTagGap = 5;

struct Palette {
    QColor fill, border, name;
};
const Palette kAgent{style::agentBubbleFill(), style::agentBubbleBorder(), style::agentName()};
const Palette kUser{style::userBubbleFill(), style::userBubbleBorder(), style::userName()};
const QColor kText = style::bodyText();
const QColor kMuted = style::mutedText();
const QColor kTagFill = style::tagFill();
const QColor kTagBorder = style::tagBorder();
const QColor kTagText = style::tagText();

int viewWidth(const QStyleOptionViewItem& option)
{
    if (const auto* view = qobject_cast<const QAbstractItemView*>(option.widget))
        return view->viewport()->width();
    return option.rect.width() > 0 ? option.rect.width() : 600;
}

// Lays text out in lines of at most `width`; returns the size actually used.
QSizeF layoutText(QTextLayout& layout, qreal width)
{
    QTextOption opt;
    opt.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    layout.setTextOption(opt);
    layout.beginLayout();
    qreal y = 0;
    qreal used = 0;
    for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
        line.setLineWidth(width);
        line.setPosition(QPointF(0, y));
        y += line.height();
        used = std::max(used, line.naturalTextWidth());
    }
    layout.endLayout();
    return {std::ceil(used), std::ceil(y)};
}

} // namespace

ChatBubbleDelegate::ChatBubbleDelegate(QObject* parent) : QStyledItemDelegate(parent) {}

QFont ChatBubbleDelegate::headerFont(const QFont& base) const
{
    QFont f = base;
    f.setPointSizeF(std::max(7.0, base.pointSizeF() * 0.85));
    return f;
}

ChatBubbleDelegate::Geometry ChatBubbleDelegate::geometry(const QStyleOptionViewItem& option,
                                                          const QModelIndex& index,
                                                          QTextLayout* layout) const
{
    const int width = viewWidth(option);
    const qreal maxBubble = std::max<qreal>(160, std::min<qreal>(width - 2 * kSideMargin,
                                                                  width * kMaxBubbleShare));
    const qreal maxText = std::max<qreal>(40, maxBubble - 2 * kPadX);

    QTextLayout local;
    QTextLayout& tl = layout ? *layout : local;
    tl.setText(index.data(TurnListModel::TextRole).toString());
    tl.setFont(option.font);
    const QSizeF textSize = layoutText(tl, maxText);

    const QFontMetricsF hfm(headerFont(option.font));
    const qreal headerH = hfm.height() + 4;
    const bool agent = index.data(TurnListModel::IsAgentRole).toBool();
    const qreal bubbleW = std::max<qreal>(textSize.width() + 2 * kPadX, 48);
    const qreal bubbleH = std::max<qreal>(textSize.height(), QFontMetricsF(option.font).height())
        + 2 * kPadY;

    const QRectF area = QRectF(option.rect).adjusted(kSideMargin, kTopMargin, -kSideMargin, 0);
    const qreal x = agent ? area.left() : area.left() + std::max<qreal>(0, area.width() - bubbleW);
    Geometry g;
    g.header = QRectF(area.left(), area.top(), area.width(), headerH);
    g.bubble = QRectF(x, area.top() + headerH + kHeaderGap, bubbleW, bubbleH);
    g.text = g.bubble.adjusted(kPadX, kPadY, -kPadX, -kPadY);
    g.height = static_cast<int>(std::ceil(kTopMargin + headerH + kHeaderGap + bubbleH + kBottomMargin));
    return g;
}

QSize ChatBubbleDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    opt.rect = QRect(0, 0, viewWidth(option), 0);
    const Geometry g = geometry(opt, index, nullptr);
    return {opt.rect.width(), g.height};
}

void ChatBubbleDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                               const QModelIndex& index) const
{
    QTextLayout layout;
    const Geometry g = geometry(option, index, &layout);
    const bool agent = index.data(TurnListModel::IsAgentRole).toBool();
    const Palette& pal = agent ? kAgent : kUser;
    const bool selected = option.state & QStyle::State_Selected;

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);

    // Header: "#n  Speaker  [tag] [tag]", on the bubble's side.
    const QFont hfont = headerFont(option.font);
    QFont bold = hfont;
    bold.setBold(true);
    const QFontMetricsF hfm(hfont), bfm(bold);
    const QString number = QStringLiteral("#%1").arg(index.data(TurnListModel::TurnIndexRole).toInt() + 1);
    const QString speaker = index.data(TurnListModel::SpeakerRole).toString();
    const QStringList tags = index.data(TurnListModel::TagsRole).toStringList();

    qreal total = hfm.horizontalAdvance(number) + 6 + bfm.horizontalAdvance(speaker);
    for (const QString& t : tags)
        total += kTagGap + hfm.horizontalAdvance(t) + 2 * kTagPadX;
    total = std::min(total, g.header.width());
    qreal x = agent ? g.bubble.left() + 2 : g.bubble.right() - 2 - total;
    const qreal baseline = g.header.top() + (g.header.height() + hfm.ascent() - hfm.descent()) / 2;
    const qreal limit = g.header.right();

    painter->setFont(hfont);
    painter->setPen(kMuted);
    painter->drawText(QPointF(x, baseline), number);
    x += hfm.horizontalAdvance(number) + 6;
    painter->setFont(bold);
    painter->setPen(pal.name);
    painter->drawText(QPointF(x, baseline), speaker);
    x += bfm.horizontalAdvance(speaker);
    painter->setFont(hfont);
    for (const QString& t : tags) {
        const qreal w = hfm.horizontalAdvance(t) + 2 * kTagPadX;
        x += kTagGap;
        if (x + w > limit)
            break; // more tags than room: the tooltip lists them all
        const QRectF pill(x, g.header.top() + 1, w, g.header.height() - 2);
        painter->setPen(QPen(kTagBorder, 1));
        painter->setBrush(kTagFill);
        painter->drawRoundedRect(pill, pill.height() / 2, pill.height() / 2);
        painter->setPen(kTagText);
        painter->drawText(pill, Qt::AlignCenter, t);
        x += w;
    }

    // Bubble with a small tail towards its speaker's side.
    QPainterPath path;
    path.addRoundedRect(g.bubble, kRadius, kRadius);
    QPainterPath tail;
    const qreal ty = g.bubble.top() + 10;
    if (agent) {
        tail.moveTo(g.bubble.left() + 1, ty);
        tail.lineTo(g.bubble.left() - 6, ty - 4);
        tail.lineTo(g.bubble.left() + 1, ty + 8);
    } else {
        tail.moveTo(g.bubble.right() - 1, ty);
        tail.lineTo(g.bubble.right() + 6, ty - 4);
        tail.lineTo(g.bubble.right() - 1, ty + 8);
    }
    path = path.united(tail);
    painter->setPen(QPen(selected ? option.palette.highlight().color() : pal.border, selected ? 2 : 1));
    painter->setBrush(pal.fill);
    painter->drawPath(path);

    painter->setPen(kText);
    layout.draw(painter, g.text.topLeft());
    painter->restore();
}

} // namespace hw::ui
