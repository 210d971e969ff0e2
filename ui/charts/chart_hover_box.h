#pragma once
// What hovering a chart draws on its scene: a dashed vertical line at the hovered x and a box of
// values beside it, on whichever side has room, at the top of the plot area.
#include <QRectF>
#include <QString>

QT_BEGIN_NAMESPACE
class QGraphicsLineItem;
class QGraphicsRectItem;
class QGraphicsScene;
class QGraphicsTextItem;
QT_END_NAMESPACE

namespace hw::ui {

class ChartHoverBox {
public:
    explicit ChartHoverBox(QGraphicsScene* scene); // the scene owns the items

    void show(const QString& html, double lineX, const QRectF& plotArea);
    void hide();
    bool isVisible() const;
    QString text() const; // plain text of the box

private:
    QGraphicsLineItem* m_line;
    QGraphicsRectItem* m_box;
    QGraphicsTextItem* m_text;
};

} // namespace hw::ui
