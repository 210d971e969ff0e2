#pragma once
// Paints one turn of a TurnListModel as a chat bubble: agent turns on the left in blue, user
// turns on the right in green, each with its 1-based turn number, the speaker's role, and its
// annotations (ESConv strategies) as small tags. Painted, not widgets, so a 120-turn dialogue is
// one list view with 120 cheap items.
#include <QStyledItemDelegate>

class QTextLayout;

namespace hw::ui {

class ChatBubbleDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit ChatBubbleDelegate(QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    // Share of the view's width a bubble may take.
    static constexpr double kMaxBubbleShare = 0.72;

private:
    struct Geometry {
        QRectF header;  // turn number, speaker and tags
        QRectF bubble;
        QRectF text;
        int height = 0;
    };
    Geometry geometry(const QStyleOptionViewItem& option, const QModelIndex& index,
                      QTextLayout* layout) const;
    QFont headerFont(const QFont& base) const;
};

} // namespace hw::ui
