#include "ui/pages/jobs/job_progress_delegate.h"

#include "ui/models/job_table_model.h"

#include <QApplication>
#include <QPainter>

#include <algorithm>

namespace hw::ui {

void JobProgressDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem base = option;
    initStyleOption(&base, index);
    base.text.clear();
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &base, painter, widget); // selection background

    const double fraction = index.data(JobTableModel::FractionRole).toDouble();
    const double failedFraction = index.data(JobTableModel::FailedFractionRole).toDouble();
    const QString status = index.data(JobTableModel::StatusRole).toString();
    const QRectF bar = QRectF(option.rect).adjusted(4, 5, -4, -5);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(QColor(0xcb, 0xd5, 0xe1), 1));
    painter->setBrush(QColor(0xf1, 0xf5, 0xf9));
    painter->drawRoundedRect(bar, 3, 3);
    if (fraction > 0) {
        QColor fill = QColor(0x3b, 0x82, 0xf6);
        if (status == QLatin1String("done"))
            fill = QColor(0x22, 0xc5, 0x5e);
        else if (status == QLatin1String("failed"))
            fill = QColor(0xef, 0x44, 0x44);
        else if (status == QLatin1String("cancelled") || status == QLatin1String("paused")
                 || index.data(JobTableModel::StaleRole).toBool())
            fill = QColor(0xf5, 0x9e, 0x0b);
        QRectF done = bar.adjusted(1, 1, -1, -1);
        done.setWidth(done.width() * std::min(1.0, fraction));
        painter->setPen(Qt::NoPen);
        painter->setBrush(fill);
        painter->drawRoundedRect(done, 2, 2);
        if (failedFraction > 0) {
            // Failed items as a red tail at the end of the bar.
            QRectF bad = done;
            const qreal w = (bar.width() - 2) * std::min(1.0, failedFraction);
            bad.setLeft(done.right() - w);
            painter->setBrush(QColor(0xef, 0x44, 0x44));
            painter->drawRect(bad);
        }
    }
    painter->setPen(QColor(0x1f, 0x29, 0x37));
    const QString text = fraction >= 0 ? QStringLiteral("%1%").arg(qRound(fraction * 100)) : QStringLiteral("…");
    painter->drawText(bar, Qt::AlignCenter, text);
    painter->restore();
}

QSize JobProgressDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QSize s = QStyledItemDelegate::sizeHint(option, index);
    s.setWidth(std::max(s.width(), 140));
    return s;
}

} // namespace hw::ui
