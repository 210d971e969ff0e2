#include "ui/pages/jobs/job_progress_delegate.h"

#include "ui/models/job_table_model.h"
#include "ui/style/ui_style.h"

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

    // The bar: done items in the status colour, then failed items in red; the text counts done
    // items only (a job with 0 done and 2 of 3 failed reads "0% · 2 failed", not a red "67%").
    const double fraction = index.data(JobTableModel::FractionRole).toDouble();
    const double failedFraction = std::max(0.0, index.data(JobTableModel::FailedFractionRole).toDouble());
    const double doneFraction = std::max(0.0, fraction - failedFraction);
    const QString status = index.data(JobTableModel::StatusRole).toString();
    const QRectF bar = QRectF(option.rect).adjusted(4, 5, -4, -5);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(style::progressTrack().darker(110), 1));
    painter->setBrush(style::progressTrack());
    painter->drawRoundedRect(bar, 3, 3);
    const QRectF inner = bar.adjusted(1, 1, -1, -1);
    if (doneFraction > 0) {
        QColor fill = style::progressFill();
        if (status == QLatin1String("done"))
            fill = style::progressDoneFill();
        else if (status == QLatin1String("cancelled") || status == QLatin1String("paused")
                 || index.data(JobTableModel::StaleRole).toBool())
            fill = style::progressPausedFill();
        QRectF done = inner;
        done.setWidth(inner.width() * std::min(1.0, doneFraction));
        painter->setPen(Qt::NoPen);
        painter->setBrush(fill);
        painter->drawRoundedRect(done, 2, 2);
    }
    if (failedFraction > 0) {
        QRectF bad = inner;
        bad.setLeft(inner.left() + inner.width() * std::min(1.0, doneFraction));
        bad.setWidth(inner.width() * std::min(1.0, failedFraction));
        painter->setPen(Qt::NoPen);
        painter->setBrush(style::progressFailedFill());
        painter->drawRect(bad);
    }
    painter->setPen(option.palette.color(QPalette::Text));
    painter->drawText(bar, Qt::AlignCenter, index.data(Qt::DisplayRole).toString());
    painter->restore();
}

QSize JobProgressDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QSize s = QStyledItemDelegate::sizeHint(option, index);
    s.setWidth(std::max(s.width(), 140));
    return s;
}

} // namespace hw::ui
