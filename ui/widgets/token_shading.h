#pragma once
// Token shading of ILQL replies: each token's background says how much better than expected the
// agent thought it was, its advantage Q̂(s,a) − V(s), on a diverging scale (red below, blue
// above, white at 0); hovering a token shows Q̂, V and π_β's probability of it.
//
// TokenShadingDelegate paints ChatMessageModel rows: replies with values are drawn here (same
// bubble geometry as ChatBubbleDelegate), every other row by ChatBubbleDelegate itself.
#include "core/chat/token_value.h"
#include "ui/widgets/chat_bubble_delegate.h"

#include <QColor>
#include <QString>

#include <vector>

class QTextLayout;

namespace hw::ui {

// Diverging colour for an advantage: -scale -> red, 0 -> white, +scale -> blue (clamped).
QColor advantageColour(double advantage, double scale);
// The scale one reply is shaded with: the largest |advantage| of its tokens (at least 1e-6).
double advantageScale(const std::vector<hw::TokenValue>& tokens);
// What hovering a token shows.
QString tokenToolTip(const hw::TokenValue& token);

class TokenShadingDelegate : public ChatBubbleDelegate {
    Q_OBJECT
public:
    explicit TokenShadingDelegate(QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    bool helpEvent(QHelpEvent* event, QAbstractItemView* view, const QStyleOptionViewItem& option,
                   const QModelIndex& index) override;

    // Index of the token under a point of the view's viewport (-1 when none): what the tooltip uses.
    int tokenAt(const QAbstractItemView* view, const QModelIndex& index, const QPoint& viewportPos) const;

private:
    struct Geometry {
        QRectF header, bubble, text;
        int height = 0;
    };
    Geometry shadedGeometry(const QStyleOptionViewItem& option, const QModelIndex& index, QTextLayout* layout) const;
};

} // namespace hw::ui
