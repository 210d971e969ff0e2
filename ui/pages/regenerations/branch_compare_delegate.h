#pragma once
// Paints a RegenerationCompareModel cell: the turn as ChatBubbleDelegate's bubble, sized to the
// cell, on a row background that tells the parts apart: the shared prefix dimmed, the replaced
// turn highlighted, turns that differ after the divergence tinted, missing turns left empty.
#include "ui/widgets/chat_bubble_delegate.h"

namespace hw::ui {

class BranchCompareDelegate : public ChatBubbleDelegate {
    Q_OBJECT
public:
    using ChatBubbleDelegate::ChatBubbleDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace hw::ui
