#include "ui/widgets/empty_state.h"

#include "ui/style/ui_style.h"

#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace hw::ui {

EmptyState::EmptyState(QWidget* parent)
    : QWidget(parent), m_title(new QLabel), m_text(new QLabel), m_action(new QPushButton)
{
    setObjectName(QStringLiteral("emptyState"));
    m_title->setObjectName(QStringLiteral("emptyStateTitle"));
    m_text->setObjectName(QStringLiteral("emptyStateText"));
    m_action->setObjectName(QStringLiteral("emptyStateAction"));

    QFont f = m_title->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * style::emptyStateTitleScale());
    m_title->setFont(f);
    m_title->setAlignment(Qt::AlignCenter);
    m_title->setWordWrap(true);
    m_text->setAlignment(Qt::AlignCenter);
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::RichText);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse); // commands can be copied
    m_text->setStyleSheet(style::mutedTextCss());
    m_action->hide();

    // A readable column in the middle of the page, however wide the window.
    auto* column = new QWidget;
    column->setMaximumWidth(style::emptyStateWidth());
    auto* cl = new QVBoxLayout(column);
    cl->setContentsMargins(0, 0, 0, 0);
    cl->setSpacing(10);
    cl->addWidget(m_title);
    cl->addWidget(m_text);
    cl->addWidget(m_action, 0, Qt::AlignHCenter);

    auto* row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(column, 4);
    row->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 24, 24, 24);
    layout->addStretch(2);
    layout->addLayout(row);
    layout->addStretch(3);

    connect(m_action, &QPushButton::clicked, this, &EmptyState::actionTriggered);
}

void EmptyState::setContent(const QString& title, const QString& text, const QString& action)
{
    m_title->setText(title);
    m_text->setText(text);
    m_action->setText(action);
    m_action->setVisible(!action.isEmpty());
}

QString EmptyState::title() const { return m_title->text(); }
QString EmptyState::text() const { return m_text->text(); }

} // namespace hw::ui
