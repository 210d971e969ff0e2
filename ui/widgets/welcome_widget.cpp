#include "ui/widgets/welcome_widget.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace hw::ui {

WelcomeWidget::WelcomeWidget(QWidget* parent) : QWidget(parent), m_recent(new QListWidget(this))
{
    auto* logo = new QLabel(this);
    logo->setPixmap(QIcon(QStringLiteral(":/icons/hindsight-workbench.png")).pixmap(96, 96));
    auto* title = new QLabel(tr("<h1>Hindsight Workbench</h1>"
                                "<p>Train goal-directed dialogue agents with offline RL on hindsight "
                                "regenerations.<br>Create a project, import ESConv, PersuasionForGood or "
                                "JSONL dialogues, then browse, label and curate them.</p>"),
                             this);
    title->setWordWrap(true);
    auto* newButton = new QPushButton(tr("New Project…"), this);
    auto* openButton = new QPushButton(tr("Open Project…"), this);
    connect(newButton, &QPushButton::clicked, this, &WelcomeWidget::newRequested);
    connect(openButton, &QPushButton::clicked, this, &WelcomeWidget::openRequested);
    m_recent->setMaximumHeight(240);
    m_recent->setToolTip(tr("Double-click to open"));
    connect(m_recent, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        Q_EMIT openRecentRequested(item->data(Qt::UserRole).toString());
    });

    auto* head = new QHBoxLayout;
    head->addWidget(logo, 0, Qt::AlignTop);
    head->addWidget(title, 1);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(newButton);
    buttons->addWidget(openButton);
    buttons->addStretch(1);

    auto* column = new QVBoxLayout;
    column->addSpacing(40);
    column->addLayout(head);
    column->addLayout(buttons);
    column->addSpacing(12);
    column->addWidget(new QLabel(tr("<b>Recent projects</b>"), this));
    column->addWidget(m_recent);
    column->addStretch(1);

    auto* outer = new QHBoxLayout(this);
    outer->addStretch(1);
    auto* holder = new QWidget(this);
    holder->setLayout(column);
    holder->setMaximumWidth(720);
    outer->addWidget(holder, 3);
    outer->addStretch(1);
}

void WelcomeWidget::setRecentProjects(const QStringList& paths)
{
    m_recent->clear();
    for (const QString& p : paths) {
        auto* item = new QListWidgetItem(QStringLiteral("%1  —  %2").arg(QFileInfo(p).fileName(), p), m_recent);
        item->setData(Qt::UserRole, p);
        if (!QFileInfo::exists(p))
            item->setForeground(Qt::gray);
    }
    if (paths.isEmpty())
        new QListWidgetItem(tr("(none yet)"), m_recent);
}

} // namespace hw::ui
