#include "ui/pages/chat/chat_setup_view.h"

#include "ui/pages/chat/agent_setup_row.h"
#include "ui/project_session.h"
#include "ui/style/ui_style.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace hw::ui {

ChatSetupView::ChatSetupView(ProjectSession* session, QWidget* parent) : QWidget(parent), m_session(session)
{
    auto* outer = new QVBoxLayout(this);
    auto* title = new QLabel(tr("New chat session"));
    QFont tf = title->font();
    tf.setBold(true);
    tf.setPointSizeF(tf.pointSizeF() * 1.3);
    title->setFont(tf);
    auto* intro = new QLabel(tr("You play the user. Every agent gets the same messages, each in its own column. "
                                "In blind mode the columns are shuffled and named Agent A, B, … until you have rated them."));
    intro->setWordWrap(true);
    intro->setStyleSheet(style::secondaryTextCss());

    m_task = new QComboBox;
    m_context = new QLineEdit;
    m_context->setPlaceholderText(tr("optional situation or persona given to every agent, e.g. \"lost my job last week\""));
    m_blind = new QCheckBox(tr("Blind: hide names, shuffle the columns"));
    m_task->setToolTip(tr("The task sets the roles and the prompt of prompting baselines"));
    m_context->setToolTip(tr("A situation or persona every agent is given at the start of the session"));
    m_blind->setToolTip(tr("Rate without knowing which agent is which: names are hidden and columns shuffled "
                           "until you have rated"));
    auto* form = new QFormLayout;
    form->addRow(tr("Task"), m_task);
    form->addRow(tr("Context"), m_context);
    form->addRow(QString(), m_blind);

    auto* agentsLabel = new QLabel(tr("Agents (2–4)"));
    agentsLabel->setFont(QFont(agentsLabel->font().family(), agentsLabel->font().pointSize(), QFont::Bold));
    m_rowsLayout = new QVBoxLayout;
    m_rowsLayout->setSpacing(4);
    m_addAgent = new QPushButton(tr("Add agent"));
    m_addAgent->setObjectName(QStringLiteral("addAgent"));
    auto* start = new QPushButton(tr("Start session"));
    start->setObjectName(QStringLiteral("startSession"));
    start->setDefault(true);
    m_note = new QLabel;
    m_note->setObjectName(QStringLiteral("setupNote"));
    m_note->setWordWrap(true);
    m_note->setStyleSheet(style::warningTextCss());
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_addAgent);
    buttons->addStretch(1);
    buttons->addWidget(start);

    outer->addWidget(title);
    outer->addWidget(intro);
    outer->addLayout(form);
    outer->addSpacing(8);
    outer->addWidget(agentsLabel);
    outer->addLayout(m_rowsLayout);
    outer->addLayout(buttons);
    outer->addWidget(m_note);
    outer->addStretch(1);

    connect(m_addAgent, &QPushButton::clicked, this, [this] { addRow(); });
    connect(start, &QPushButton::clicked, this, &ChatSetupView::start);
}

void ChatSetupView::refresh()
{
    // Keep what the researcher already set up in this project; refresh the choices by rebuilding
    // the rows. A newly opened project starts from the defaults (see addRow).
    std::vector<hw::ChatAgentSpec> specs;
    const QString project = m_session->isOpen() ? m_session->path() : QString();
    if (project == m_rowsProject)
        for (auto* r : m_rows)
            specs.push_back(r->spec());
    // Another project: its own tasks, and no situation typed for the previous one.
    const bool sameProject = project == m_rowsProject;
    m_rowsProject = project;
    const QString task = sameProject ? m_task->currentText() : QString();
    if (!sameProject)
        m_context->clear();
    fillTaskChoices(m_task, m_session, task, {QStringLiteral("counseling"), QStringLiteral("persuasion")});
    loadChoices();
    for (auto* r : m_rows)
        r->deleteLater();
    m_rows.clear();
    for (const auto& s : specs)
        addRow(&s);
    while (m_rows.size() < kMinAgents)
        addRow();
}

void ChatSetupView::loadChoices()
{
    m_choices = projectCheckpointChoices(m_session);
    m_profiles = endpointProfileNames();
}

void ChatSetupView::addRow(const hw::ChatAgentSpec* spec)
{
    if (m_rows.size() >= kMaxAgents)
        return;
    const std::vector<CheckpointChoice>& choices = m_choices;
    const QStringList& profiles = m_profiles;
    auto* row = new AgentSetupRow(choices, profiles);
    if (spec) {
        row->setSpec(*spec);
    } else if (!choices.empty()) {
        // A useful default: the first agent is π_β alone (the newest policy checkpoint of the
        // selected task without value heads), the second ILQL (the newest with heads), so a new
        // session compares behaviour cloning with offline RL at once.
        const QString task = m_task->currentText();
        const bool wantHeads = m_rows.size() % 2 == 1;
        const CheckpointChoice* best = nullptr;
        auto score = [&](const CheckpointChoice& c) {
            return (c.task == task ? 4 : 0) + (c.ilqlHeads == wantHeads ? 2 : 0);
        };
        for (const auto& c : choices)
            if (!best || score(c) > score(*best) || (score(c) == score(*best) && c.runId > best->runId))
                best = &c;
        hw::ChatAgentSpec d;
        d.kind = wantHeads && best->ilqlHeads ? hw::agent_kind::kIlql : hw::agent_kind::kPolicy;
        d.checkpoint = best->path.toStdString();
        d.runId = best->runId;
        d.step = best->step;
        row->setSpec(d);
    }
    connect(row, &AgentSetupRow::removeRequested, this, [this, row] {
        if (m_rows.size() <= kMinAgents)
            return;
        m_rows.removeAll(row);
        row->deleteLater();
        renumber();
    });
    m_rows << row;
    m_rowsLayout->addWidget(row);
    renumber();
}

void ChatSetupView::renumber()
{
    for (int i = 0; i < m_rows.size(); ++i) {
        m_rows[i]->setIndex(i);
        m_rows[i]->setRemovable(m_rows.size() > kMinAgents);
    }
    m_addAgent->setEnabled(m_rows.size() < kMaxAgents);
}

void ChatSetupView::start()
{
    std::vector<hw::ChatAgentSpec> specs;
    for (int i = 0; i < m_rows.size(); ++i) {
        const QString problem = m_rows[i]->problem();
        if (!problem.isEmpty()) {
            m_note->setText(tr("Agent %1: %2").arg(QChar('A' + i)).arg(problem));
            return;
        }
        specs.push_back(m_rows[i]->spec());
    }
    if (int(specs.size()) < kMinAgents) {
        m_note->setText(tr("A session compares at least %1 agents side by side: add another.").arg(kMinAgents));
        return;
    }
    m_note->clear();
    m_agents = specs;
    Q_EMIT startRequested();
}

QString ChatSetupView::task() const { return m_task->currentText(); }
bool ChatSetupView::blind() const { return m_blind->isChecked(); }
QString ChatSetupView::context() const { return m_context->text().trimmed(); }

void ChatSetupView::setNote(const QString& text) { m_note->setText(text); }

} // namespace hw::ui
