#pragma once
// Paints a job's progress cell as a progress bar: done in the bar, failed items as a red tail,
// the percentage as text. Reads JobTableModel's FractionRole and counts.
#include <QStyledItemDelegate>

namespace hw::ui {

class JobProgressDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace hw::ui
