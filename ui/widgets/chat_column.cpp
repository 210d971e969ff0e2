#include "ui/widgets/chat_column.h"

#include "ui/models/chat_message_model.h"
#include "ui/style/ui_style.h"
#include "ui/widgets/token_shading.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLinearGradient>
#include <QListView>
#include <QPainter>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QSlider>
#include <QVBoxLayout>

#include <cmath>

namespace hw::ui {

namespace {

constexpr double kBetaMax = 32.0;
constexpr int kBetaSteps = 320;   // slider resolution 0.1

// "Q̂−V:  − [red ... white ... blue] +"
class ShadingLegend : public QWidget {
public:
    explicit ShadingLegend(QWidget* parent = nullptr) : QWidget(parent)
    {
        setToolTip(tr("Each token of a reply is shaded by its advantage Q̂(s,a) − V(s), relative to the largest "
                      "in that reply: red = worse than expected, blue = better. Hover a token for Q̂, V and π_β."));
        setFixedHeight(fontMetrics().height() + 4);
        setMinimumWidth(200);
    }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        const QFontMetrics fm = fontMetrics();
        const QString left = tr("Q̂−V:  worse");
        const QString right = tr("better");
        const int lw = fm.horizontalAdvance(left) + 6;
        const int rw = fm.horizontalAdvance(right) + 6;
        const QRect bar(lw, 3, std::max(20, width() - lw - rw), height() - 6);
        QLinearGradient g(bar.topLeft(), bar.topRight());
        for (int i = 0; i <= 10; ++i)
            g.setColorAt(i / 10.0, advantageColour((i - 5) / 5.0, 1.0));
        p.setPen(style::separator());
        p.setBrush(g);
        p.drawRoundedRect(bar, 3, 3);
        p.setPen(style::mutedText());
        p.drawText(QRect(0, 0, lw, height()), Qt::AlignVCenter | Qt::AlignLeft, left);
        p.drawText(QRect(bar.right() + 6, 0, rw, height()), Qt::AlignVCenter | Qt::AlignLeft, right);
    }
};

} // namespace

ChatColumn::ChatColumn(QWidget* parent)
    : QFrame(parent), m_model(new ChatMessageModel(this)), m_delegate(new TokenShadingDelegate(this))
{
    setFrameShape(QFrame::StyledPanel);
    setObjectName(QStringLiteral("chatColumn"));
    m_title = new QLabel;
    QFont tf = m_title->font();
    tf.setBold(true);
    tf.setPointSizeF(tf.pointSizeF() * 1.15);
    m_title->setFont(tf);
    m_subtitle = new QLabel;
    m_subtitle->setStyleSheet(style::mutedTextCss());
    m_subtitle->setWordWrap(true);

    m_betaRow = new QWidget;
    auto* betaLayout = new QHBoxLayout(m_betaRow);
    betaLayout->setContentsMargins(0, 0, 0, 0);
    m_betaSlider = new QSlider(Qt::Horizontal);
    m_betaSlider->setRange(0, kBetaSteps);
    m_betaSlider->setToolTip(tr("β of π ∝ π_β·exp(β(Q̂−V)); 0 = the behaviour policy alone. Applies from the next token."));
    m_betaSpin = new QDoubleSpinBox;
    m_betaSpin->setRange(0, kBetaMax);
    m_betaSpin->setSingleStep(0.5);
    m_betaSpin->setDecimals(1);
    betaLayout->addWidget(new QLabel(QStringLiteral("β")));
    betaLayout->addWidget(m_betaSlider, 1);
    betaLayout->addWidget(m_betaSpin);
    m_betaRow->hide();
    connect(m_betaSlider, &QSlider::valueChanged, this, [this](int v) {
        const double beta = v * kBetaMax / kBetaSteps;
        const QSignalBlocker block(m_betaSpin);
        m_betaSpin->setValue(beta);
        Q_EMIT betaChanged(beta);
    });
    connect(m_betaSpin, &QDoubleSpinBox::valueChanged, this, [this](double beta) {
        const QSignalBlocker block(m_betaSlider);
        m_betaSlider->setValue(static_cast<int>(std::lround(beta / kBetaMax * kBetaSteps)));
        Q_EMIT betaChanged(beta);
    });

    m_legend = new ShadingLegend;
    m_legend->hide();

    m_view = new QListView;
    m_view->setModel(m_model);
    m_view->setItemDelegate(m_delegate);
    m_view->setSelectionMode(QAbstractItemView::NoSelection);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setResizeMode(QListView::Adjust);
    m_view->setWordWrap(true);
    m_view->setMouseTracking(true);
    m_view->setFrameShape(QFrame::NoFrame);
    m_view->setStyleSheet(QStringLiteral("QListView { background: %1; }").arg(style::chatBackground().name()));
    // A growing reply changes its height: ask the view to lay out again.
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex& tl, const QModelIndex&) {
        Q_EMIT m_delegate->sizeHintChanged(tl);
    });

    m_status = new QLabel;
    m_status->setStyleSheet(style::mutedTextCss());

    m_layout = new QVBoxLayout(this);
    m_layout->setContentsMargins(8, 8, 8, 8);
    m_layout->setSpacing(4);
    m_layout->addWidget(m_title);
    m_layout->addWidget(m_subtitle);
    m_layout->addWidget(m_betaRow);
    m_layout->addWidget(m_legend);
    m_layout->addWidget(m_view, 1);
    m_layout->addWidget(m_status);
}

void ChatColumn::setTitle(const QString& title, const QString& subtitle)
{
    m_title->setText(title);
    m_subtitle->setText(subtitle);
    m_subtitle->setVisible(!subtitle.isEmpty());
}

QString ChatColumn::title() const { return m_title->text(); }

void ChatColumn::setBetaVisible(bool visible) { m_betaRow->setVisible(visible); }

void ChatColumn::setBeta(double beta)
{
    const QSignalBlocker a(m_betaSlider), b(m_betaSpin);
    m_betaSpin->setValue(beta);
    m_betaSlider->setValue(static_cast<int>(std::lround(beta / kBetaMax * kBetaSteps)));
}

double ChatColumn::beta() const { return m_betaSpin->value(); }

void ChatColumn::setLegendVisible(bool visible) { m_legend->setVisible(visible); }

void ChatColumn::setStatus(const QString& text) { m_status->setText(text); }
QString ChatColumn::status() const { return m_status->text(); }

void ChatColumn::setFooter(QWidget* footer)
{
    if (m_footer == footer)
        return;
    if (m_footer) {
        m_layout->removeWidget(m_footer);
        m_footer->deleteLater();
    }
    m_footer = footer;
    if (footer)
        m_layout->addWidget(footer);
}

void ChatColumn::scrollToBottom() { m_view->scrollToBottom(); }

} // namespace hw::ui
