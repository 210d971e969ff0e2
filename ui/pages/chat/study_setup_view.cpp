#include "ui/pages/chat/study_setup_view.h"

#include "ui/project_session.h"
#include "ui/style/ui_style.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSpinBox>
#include <QVBoxLayout>

namespace hw::ui {

StudySetupView::StudySetupView(ProjectSession* session, QWidget* parent) : QWidget(parent), m_session(session)
{
    auto* title = new QLabel(tr("New human study"));
    QFont tf = title->font();
    tf.setBold(true);
    tf.setPointSizeF(tf.pointSizeF() * 1.3);
    title->setFont(tf);
    auto* intro = new QLabel(tr("Each participant talks to every agent in separate trials, in an order drawn for them. "
                                "Agents appear as Agent A, B, …; their names are shown only in the results."));
    intro->setWordWrap(true);
    intro->setStyleSheet(style::secondaryTextCss());
    m_name = new QLineEdit;
    m_name->setPlaceholderText(tr("e.g. pilot study, December"));
    m_task = new QComboBox;
    m_trials = new QSpinBox;
    m_trials->setRange(1, 20);
    m_trials->setValue(3);
    m_trials->setToolTip(tr("How many separate conversations each participant has with each agent"));
    m_turnCap = new QSpinBox;
    m_turnCap->setRange(0, 100);
    m_turnCap->setSpecialValueText(tr("task default (persuasion 10, counseling 15)"));
    m_turnCap->setToolTip(tr("The participant's messages per trial; the chat refuses more"));
    m_seed = new QSpinBox;
    m_seed->setRange(0, 999999);
    m_seed->setToolTip(tr("Draws the anonymous labels and each participant's trial order"));
    auto* form = new QFormLayout;
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Task"), m_task);
    form->addRow(tr("Trials per agent"), m_trials);
    form->addRow(tr("Turn cap"), m_turnCap);
    form->addRow(tr("Seed"), m_seed);

    auto* agentsLabel = new QLabel(tr("Agents"));
    agentsLabel->setFont(QFont(agentsLabel->font().family(), agentsLabel->font().pointSize(), QFont::Bold));
    m_rowsLayout = new QVBoxLayout;
    m_rowsLayout->setSpacing(4);
    m_addAgent = new QPushButton(tr("Add agent"));
    auto* create = new QPushButton(tr("Create study"));
    create->setObjectName(QStringLiteral("createStudy"));
    create->setDefault(true);
    m_note = new QLabel;
    m_note->setWordWrap(true);
    m_note->setStyleSheet(style::warningTextCss());
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_addAgent);
    buttons->addStretch(1);
    buttons->addWidget(create);

    auto* outer = new QVBoxLayout(this);
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
    connect(create, &QPushButton::clicked, this, &StudySetupView::create);
}

void StudySetupView::refresh()
{
    std::vector<hw::ChatAgentSpec> specs;
    for (auto* r : m_rows)
        specs.push_back(r->spec());
    fillTaskChoices(m_task, m_session, m_task->currentText(), {QStringLiteral("persuasion"), QStringLiteral("counseling")});
    m_seed->setValue(int(QRandomGenerator::global()->bounded(1000000)));
    m_choices = projectCheckpointChoices(m_session);
    m_profiles = endpointProfileNames();
    for (auto* r : m_rows)
        r->deleteLater();
    m_rows.clear();
    for (const auto& s : specs)
        addRow(&s);
    while (m_rows.size() < 2)
        addRow();
}

void StudySetupView::addRow(const hw::ChatAgentSpec* spec)
{
    if (m_rows.size() >= kMaxAgents)
        return;
    auto* row = new AgentSetupRow(m_choices, m_profiles);
    if (spec) {
        row->setSpec(*spec);
    } else if (!m_choices.empty()) {
        // Newest checkpoints first: π_β for the first row, ILQL (with heads) for the second.
        const auto& c = m_choices[size_t(std::min<qsizetype>(m_rows.size(), qsizetype(m_choices.size()) - 1))];
        hw::ChatAgentSpec d;
        d.kind = m_rows.size() % 2 == 1 && c.ilqlHeads ? hw::agent_kind::kIlql : hw::agent_kind::kPolicy;
        d.checkpoint = c.path.toStdString();
        d.runId = c.runId;
        d.step = c.step;
        row->setSpec(d);
    }
    connect(row, &AgentSetupRow::removeRequested, this, [this, row] {
        if (m_rows.size() <= 1)
            return;
        m_rows.removeAll(row);
        row->deleteLater();
        renumber();
    });
    m_rows << row;
    m_rowsLayout->addWidget(row);
    renumber();
}

void StudySetupView::renumber()
{
    for (int i = 0; i < m_rows.size(); ++i) {
        m_rows[i]->setIndex(i);
        m_rows[i]->setRemovable(m_rows.size() > 1);
    }
    m_addAgent->setEnabled(m_rows.size() < kMaxAgents);
}

void StudySetupView::create()
{
    hw::StudySpec spec;
    spec.name = m_name->text().trimmed().toStdString();
    if (spec.name.empty()) {
        m_note->setText(tr("Give the study a name."));
        return;
    }
    spec.task = m_task->currentText().toStdString();
    for (int i = 0; i < m_rows.size(); ++i) {
        const QString problem = m_rows[i]->problem();
        if (!problem.isEmpty()) {
            m_note->setText(tr("Agent %1: %2").arg(i + 1).arg(problem));
            return;
        }
        spec.agents.push_back(m_rows[i]->spec());
    }
    spec.trialsPerAgent = m_trials->value();
    spec.maxTurns = m_turnCap->value();
    spec.seed = static_cast<uint64_t>(m_seed->value());
    m_note->clear();
    m_spec = spec;
    Q_EMIT createRequested();
}

void StudySetupView::setNote(const QString& text) { m_note->setText(text); }

} // namespace hw::ui
