#include "ui/pages/regenerations/branch_compare_delegate.h"

#include "ui/models/regeneration_compare_model.h"
#include "ui/style/ui_style.h"

#include <QPainter>

namespace hw::ui {
namespace {

// ChatBubbleDelegate sizes bubbles from the view's width; in a table the cell is the width.
QStyleOptionViewItem cellOption(const QStyleOptionViewItem& option)
{
    QStyleOptionViewItem o = option;
    o.widget = nullptr;
    return o;
}

} // namespace

void BranchCompareDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    using RowKind = RegenerationCompareModel::RowKind;
    const auto kind = static_cast<RowKind>(index.data(RegenerationCompareModel::RowKindRole).toInt());
    const bool present = index.data(RegenerationCompareModel::PresentRole).toBool();
    const bool changed = index.data(RegenerationCompareModel::ChangedRole).toBool();

    QColor background = style::chatBackground();
    if (kind == RowKind::Shared)
        background = style::sharedPrefixBackground();
    else if (kind == RowKind::Replaced)
        background = index.column() == RegenerationCompareModel::BranchColumn ? style::replacedTurnBackground()
                                                                              : style::replacedOriginalBackground();
    else if (changed)
        background = index.column() == RegenerationCompareModel::BranchColumn ? style::continuationBackground()
                                                                              : style::changedOriginalBackground();
    painter->fillRect(option.rect, background);
    if (kind == RowKind::Replaced) {
        // A bar on the divergence row's outer edge, so the eye finds it while scrolling.
        const QRect bar = index.column() == RegenerationCompareModel::OriginalColumn
            ? QRect(option.rect.left(), option.rect.top(), 4, option.rect.height())
            : QRect(option.rect.right() - 3, option.rect.top(), 4, option.rect.height());
        painter->fillRect(bar, style::divergenceMarker());
    }
    if (!present) {
        painter->save();
        painter->setPen(style::faintText());
        painter->drawText(option.rect, Qt::AlignCenter, QStringLiteral("—"));
        painter->restore();
        return;
    }
    QStyleOptionViewItem o = cellOption(option);
    o.state &= ~QStyle::State_Selected;
    ChatBubbleDelegate::paint(painter, o, index);
    if (kind == RowKind::Shared) {
        // Dim the shared prefix: it is the same on both sides.
        painter->fillRect(option.rect, style::sharedPrefixVeil());
    }
    if (option.state & QStyle::State_Selected) {
        painter->save();
        painter->setPen(QPen(option.palette.highlight().color(), 2));
        painter->drawRect(QRectF(option.rect).adjusted(1, 1, -1, -1));
        painter->restore();
    }
}

QSize BranchCompareDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    if (!index.data(RegenerationCompareModel::PresentRole).toBool())
        return {option.rect.width(), 24};
    return ChatBubbleDelegate::sizeHint(cellOption(option), index);
}

} // namespace hw::ui
