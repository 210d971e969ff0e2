#include "ui/charts/chart_hover_box.h"

#include "ui/style/ui_style.h"

#include <QBrush>
#include <QGraphicsLineItem>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsTextItem>
#include <QPen>

#include <algorithm>

namespace hw::ui {

ChartHoverBox::ChartHoverBox(QGraphicsScene* scene)
    : m_line(new QGraphicsLineItem), m_box(new QGraphicsRectItem), m_text(new QGraphicsTextItem(m_box))
{
    m_line->setPen(QPen(style::crosshair(), 1, Qt::DashLine));
    m_line->setZValue(100);
    m_line->hide();
    m_box->setBrush(style::hoverBackground());
    m_box->setPen(QPen(style::hoverBorder()));
    m_box->setZValue(101);
    m_box->hide();
    scene->addItem(m_line);
    scene->addItem(m_box);
}

void ChartHoverBox::show(const QString& html, double lineX, const QRectF& area)
{
    m_text->setHtml(html);
    const QRectF textRect = m_text->boundingRect();
    m_box->setRect(0, 0, textRect.width(), textRect.height());
    double left = lineX + 12;
    if (left + textRect.width() > area.right())
        left = lineX - 12 - textRect.width();
    left = std::max(left, area.left());
    m_box->setPos(left, area.top() + 4);
    m_box->show();
    m_line->setLine(QLineF(lineX, area.top(), lineX, area.bottom()));
    m_line->show();
}

void ChartHoverBox::hide()
{
    m_box->hide();
    m_line->hide();
}

bool ChartHoverBox::isVisible() const { return m_box->isVisible(); }

QString ChartHoverBox::text() const { return m_box->isVisible() ? m_text->toPlainText() : QString(); }

} // namespace hw::ui
