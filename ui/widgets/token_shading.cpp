#include "ui/widgets/token_shading.h"
#include "ui/style/ui_style.h"

#include "ui/models/chat_message_model.h"

#include <QAbstractItemView>
#include <QHelpEvent>
#include <QPainter>
#include <QPainterPath>
#include <QTextLayout>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace hw::ui {

namespace {

// The bubble geometry of ChatBubbleDelegate (kept equal so shaded and plain replies line up).
constexpr qreal kSideMargin = 12;
constexpr qreal kTopMargin = 6;
constexpr qreal kBottomMargin = 6;
constexpr qreal kPadX = 12;
constexpr qreal kPadY = 8;
constexpr qreal kHeaderGap = 3;
constexpr qreal kRadius = 10;

const QColor kFill = style::neutralBubbleFill();
const QColor kBorder = style::agentBubbleBorder();
const QColor kName = style::agentName();
const QColor kText = style::bodyText();
const QColor kMuted = style::mutedText();
// RdBu end points.
const QColor kNegative = style::advantageNegative();
const QColor kPositive = style::advantagePositive();

int viewWidth(const QStyleOptionViewItem& option)
{
    if (const auto* view = qobject_cast<const QAbstractItemView*>(option.widget))
        return view->viewport()->width();
    return option.rect.width() > 0 ? option.rect.width() : 600;
}

QFont headerFontOf(const QFont& base)
{
    QFont f = base;
    f.setPointSizeF(std::max(7.0, base.pointSizeF() * 0.85));
    return f;
}

// Character range (UTF-16) of every token in the concatenated reply.
std::vector<std::pair<int, int>> tokenRanges(const std::vector<hw::TokenValue>& tokens)
{
    std::vector<std::pair<int, int>> out;
    int pos = 0;
    for (const auto& t : tokens) {
        const int len = static_cast<int>(QString::fromStdString(t.text).size());
        out.emplace_back(pos, len);
        pos += len;
    }
    return out;
}

QSizeF layoutText(QTextLayout& layout, qreal width)
{
    QTextOption opt;
    opt.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    layout.setTextOption(opt);
    layout.beginLayout();
    qreal y = 0, used = 0;
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

QColor advantageColour(double advantage, double scale)
{
    const double t = scale > 0 ? std::clamp(advantage / scale, -1.0, 1.0) : 0.0;
    const QColor& end = t < 0 ? kNegative : kPositive;
    const double a = std::abs(t) * 0.85; // keep the text readable at the extremes
    return QColor::fromRgbF(float(1.0 + (end.redF() - 1.0) * a), float(1.0 + (end.greenF() - 1.0) * a),
                            float(1.0 + (end.blueF() - 1.0) * a));
}

double advantageScale(const std::vector<hw::TokenValue>& tokens)
{
    double m = 1e-6;
    for (const auto& t : tokens)
        if (t.hasValues() && std::isfinite(t.advantage()))
            m = std::max(m, std::abs(t.advantage()));
    return m;
}

QString tokenToolTip(const hw::TokenValue& t)
{
    QString piece = QString::fromStdString(t.text);
    piece.replace(QLatin1Char(' '), QChar(0x2423)); // visible spaces
    QString s = QStringLiteral("<b>%1</b><br>").arg(piece.toHtmlEscaped());
    auto num = [](double v) { return QString::number(v, 'f', 4); };
    if (t.q)
        s += QStringLiteral("Q̂ = %1<br>").arg(num(*t.q));
    if (t.v)
        s += QStringLiteral("V = %1<br>").arg(num(*t.v));
    if (t.hasValues())
        s += QStringLiteral("Q̂ − V = %1%2<br>").arg(t.advantage() >= 0 ? QStringLiteral("+") : QString(), num(t.advantage()));
    if (t.pBeta)
        s += QStringLiteral("π<sub>β</sub>(token) = %1").arg(QString::number(*t.pBeta, 'g', 3));
    return s;
}

TokenShadingDelegate::TokenShadingDelegate(QObject* parent) : ChatBubbleDelegate(parent) {}

TokenShadingDelegate::Geometry TokenShadingDelegate::shadedGeometry(const QStyleOptionViewItem& option,
                                                                    const QModelIndex& index, QTextLayout* layout) const
{
    const int width = viewWidth(option);
    const qreal maxBubble = std::max<qreal>(160, std::min<qreal>(width - 2 * kSideMargin, width * kMaxBubbleShare));
    const qreal maxText = std::max<qreal>(40, maxBubble - 2 * kPadX);

    QTextLayout local;
    QTextLayout& tl = layout ? *layout : local;
    tl.setText(index.data(ChatMessageModel::TextRole).toString());
    tl.setFont(option.font);
    // Token backgrounds as formats of the layout.
    const auto* model = qobject_cast<const ChatMessageModel*>(index.model());
    if (model) {
        const auto& tokens = model->tokens(index.row());
        const double scale = advantageScale(tokens);
        const auto ranges = tokenRanges(tokens);
        QList<QTextLayout::FormatRange> formats;
        for (size_t i = 0; i < tokens.size(); ++i) {
            if (ranges[i].second == 0 || !tokens[i].hasValues())
                continue;
            QTextLayout::FormatRange r;
            r.start = ranges[i].first;
            r.length = ranges[i].second;
            r.format.setBackground(advantageColour(tokens[i].advantage(), scale));
            formats << r;
        }
        tl.setFormats(formats);
    }
    const QSizeF textSize = layoutText(tl, maxText);

    const QFontMetricsF hfm(headerFontOf(option.font));
    const qreal headerH = hfm.height() + 4;
    const qreal bubbleW = std::max<qreal>(textSize.width() + 2 * kPadX, 48);
    const qreal bubbleH = std::max<qreal>(textSize.height(), QFontMetricsF(option.font).height()) + 2 * kPadY;
    const QRectF area = QRectF(option.rect).adjusted(kSideMargin, kTopMargin, -kSideMargin, 0);
    Geometry g;
    g.header = QRectF(area.left(), area.top(), area.width(), headerH);
    g.bubble = QRectF(area.left(), area.top() + headerH + kHeaderGap, bubbleW, bubbleH);
    g.text = g.bubble.adjusted(kPadX, kPadY, -kPadX, -kPadY);
    g.height = static_cast<int>(std::ceil(kTopMargin + headerH + kHeaderGap + bubbleH + kBottomMargin));
    return g;
}

QSize TokenShadingDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    if (!index.data(ChatMessageModel::HasValuesRole).toBool())
        return ChatBubbleDelegate::sizeHint(option, index);
    QStyleOptionViewItem opt = option;
    opt.rect = QRect(0, 0, viewWidth(option), 0);
    return {opt.rect.width(), shadedGeometry(opt, index, nullptr).height};
}

void TokenShadingDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    if (!index.data(ChatMessageModel::HasValuesRole).toBool()) {
        ChatBubbleDelegate::paint(painter, option, index);
        return;
    }
    QTextLayout layout;
    const Geometry g = shadedGeometry(option, index, &layout);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);

    // Header: "#n  Speaker  Q̂−V shading".
    const QFont hfont = headerFontOf(option.font);
    QFont bold = hfont;
    bold.setBold(true);
    const QFontMetricsF hfm(hfont), bfm(bold);
    const QString number = QStringLiteral("#%1").arg(index.data(ChatMessageModel::TurnIndexRole).toInt() + 1);
    const QString speaker = index.data(ChatMessageModel::SpeakerRole).toString();
    const QStringList tags = index.data(ChatMessageModel::TagsRole).toStringList();
    const qreal baseline = g.header.top() + (g.header.height() + hfm.ascent() - hfm.descent()) / 2;
    qreal x = g.bubble.left() + 2;
    painter->setFont(hfont);
    painter->setPen(kMuted);
    painter->drawText(QPointF(x, baseline), number);
    x += hfm.horizontalAdvance(number) + 6;
    painter->setFont(bold);
    painter->setPen(kName);
    painter->drawText(QPointF(x, baseline), speaker);
    x += bfm.horizontalAdvance(speaker) + 8;
    painter->setFont(hfont);
    painter->setPen(kMuted);
    const QString extra = (tags.isEmpty() ? QString() : tags.join(QStringLiteral(" · ")) + QStringLiteral(" · "))
        + tr("shaded by Q̂−V");
    painter->drawText(QRectF(x, g.header.top(), std::max<qreal>(0, g.header.right() - x), g.header.height()),
                      Qt::AlignVCenter | Qt::AlignLeft, hfm.elidedText(extra, Qt::ElideRight, g.header.right() - x));

    QPainterPath path;
    path.addRoundedRect(g.bubble, kRadius, kRadius);
    QPainterPath tail;
    const qreal ty = g.bubble.top() + 10;
    tail.moveTo(g.bubble.left() + 1, ty);
    tail.lineTo(g.bubble.left() - 6, ty - 4);
    tail.lineTo(g.bubble.left() + 1, ty + 8);
    path = path.united(tail);
    const bool selected = option.state & QStyle::State_Selected;
    painter->setPen(QPen(selected ? option.palette.highlight().color() : kBorder, selected ? 2 : 1));
    painter->setBrush(kFill);
    painter->drawPath(path);
    painter->setPen(kText);
    layout.draw(painter, g.text.topLeft());
    painter->restore();
}

int TokenShadingDelegate::tokenAt(const QAbstractItemView* view, const QModelIndex& index, const QPoint& pos) const
{
    const auto* model = qobject_cast<const ChatMessageModel*>(index.model());
    if (!model || !index.data(ChatMessageModel::HasValuesRole).toBool())
        return -1;
    QStyleOptionViewItem option;
    option.initFrom(view);
    option.widget = view;
    option.font = view->font();
    option.rect = view->visualRect(index);
    QTextLayout layout;
    const Geometry g = shadedGeometry(option, index, &layout);
    if (!g.text.adjusted(-2, -2, 2, 2).contains(pos))
        return -1;
    const QPointF local = QPointF(pos) - g.text.topLeft();
    for (int i = 0; i < layout.lineCount(); ++i) {
        const QTextLine line = layout.lineAt(i);
        if (local.y() < line.y() || local.y() >= line.y() + line.height())
            continue;
        if (local.x() > line.naturalTextWidth() + 2)
            return -1;
        const int cursor = line.xToCursor(local.x(), QTextLine::CursorOnCharacter);
        const auto ranges = tokenRanges(model->tokens(index.row()));
        for (size_t t = 0; t < ranges.size(); ++t)
            if (ranges[t].second > 0 && cursor >= ranges[t].first && cursor < ranges[t].first + ranges[t].second)
                return static_cast<int>(t);
        return -1;
    }
    return -1;
}

bool TokenShadingDelegate::helpEvent(QHelpEvent* event, QAbstractItemView* view, const QStyleOptionViewItem& option,
                                     const QModelIndex& index)
{
    if (event && view && index.isValid() && event->type() == QEvent::ToolTip) {
        const int t = tokenAt(view, index, event->pos());
        if (t >= 0) {
            const auto* model = qobject_cast<const ChatMessageModel*>(index.model());
            QToolTip::showText(event->globalPos(), tokenToolTip(model->tokens(index.row())[size_t(t)]), view);
            return true;
        }
    }
    return ChatBubbleDelegate::helpEvent(event, view, option, index);
}

} // namespace hw::ui
