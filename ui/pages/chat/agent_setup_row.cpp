#include "ui/pages/chat/agent_setup_row.h"

#include "core/chat/chat_agent.h"
#include "core/llm/endpoint_profile.h"
#include "core/store/dialogue_store.h"
#include "core/store/run_store.h"
#include "ui/models/run_table_model.h"
#include "ui/project_session.h"
#include "ui/style/ui_style.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStackedWidget>

namespace hw::ui {

std::vector<CheckpointChoice> projectCheckpointChoices(ProjectSession* session)
{
    std::vector<CheckpointChoice> choices;
    if (!session->isOpen())
        return choices;
    try {
        hw::RunStore rs(session->db());
        for (const auto& c : rs.chatCheckpoints()) {
            const auto caps = hw::inspectCheckpoint(c.checkpoint.path);
            if (!caps.policy)
                continue;
            CheckpointChoice ch;
            ch.label = AgentSetupRow::tr("run #%1 %2 '%3' @ %4")
                           .arg(c.run.id)
                           .arg(RunTableModel::kindLabel(QString::fromStdString(c.run.kind)))
                           .arg(QString::fromStdString(c.run.name))
                           .arg(c.checkpoint.step);
            ch.path = QString::fromStdString(c.checkpoint.path);
            ch.runId = c.run.id;
            ch.step = c.checkpoint.step;
            ch.ilqlHeads = caps.ilqlHeads;
            if (const auto d = rs.details(c.run.id)) {
                if (d->trainingSet.is_object() && d->trainingSet.contains("task"))
                    ch.task = QString::fromStdString(d->trainingSet["task"].get<std::string>());
                else if (d->config.is_object() && d->config.contains("task") && d->config["task"].is_string())
                    ch.task = QString::fromStdString(d->config["task"].get<std::string>());
            }
            choices.push_back(ch);
        }
    } catch (const std::exception&) {
    }
    return choices;
}

QStringList endpointProfileNames()
{
    QStringList names;
    try {
        const auto saved = hw::EndpointProfiles::load();
        for (const auto& p : saved.all())
            names << QString::fromStdString(p.name);
    } catch (const std::exception&) {
    }
    return names;
}

void fillTaskChoices(QComboBox* box, ProjectSession* session, const QString& keep, const QStringList& builtins)
{
    box->clear();
    if (session->isOpen()) {
        try {
            for (const auto& t : hw::DialogueStore(session->db()).tasks())
                box->addItem(QString::fromStdString(t.name));
        } catch (const std::exception&) {
        }
    }
    for (const QString& builtin : builtins)
        if (box->findText(builtin) < 0)
            box->addItem(builtin);
    if (!keep.isEmpty() && box->findText(keep) >= 0)
        box->setCurrentText(keep);
}

AgentSetupRow::AgentSetupRow(const std::vector<CheckpointChoice>& checkpoints, const QStringList& endpointProfiles,
                             QWidget* parent)
    : QFrame(parent), m_checkpoints(checkpoints)
{
    setFrameShape(QFrame::StyledPanel);
    m_index = new QLabel;
    QFont f = m_index->font();
    f.setBold(true);
    m_index->setFont(f);
    m_index->setMinimumWidth(22);
    m_kind = new QComboBox;
    m_kind->addItem(tr("Checkpoint: π_β"), QString::fromLatin1(hw::agent_kind::kPolicy));
    m_kind->addItem(tr("Checkpoint: ILQL"), QString::fromLatin1(hw::agent_kind::kIlql));
    m_kind->addItem(tr("Endpoint + prompt"), QString::fromLatin1(hw::agent_kind::kEndpoint));

    // --- checkpoint page
    auto* ckPage = new QWidget;
    auto* ck = new QHBoxLayout(ckPage);
    ck->setContentsMargins(0, 0, 0, 0);
    m_checkpoint = new QComboBox;
    m_checkpoint->setMinimumContentsLength(28);
    m_checkpoint->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    for (const auto& c : m_checkpoints)
        m_checkpoint->addItem(c.label, c.path);
    auto* browse = new QPushButton(tr("Folder…"));
    browse->setToolTip(tr("Use a checkpoint directory that is not in the project's runs"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Checkpoint directory"));
        if (dir.isEmpty())
            return;
        const auto caps = hw::inspectCheckpoint(dir.toStdString());
        m_checkpoints.push_back({dir, dir, 0, 0, caps.ilqlHeads, QString()});
        m_checkpoint->addItem(dir, dir);
        m_checkpoint->setCurrentIndex(m_checkpoint->count() - 1);
    });
    m_beta = new QDoubleSpinBox;
    m_beta->setRange(0, 32);
    m_beta->setSingleStep(0.5);
    m_beta->setDecimals(1);
    m_beta->setValue(8.0);
    m_beta->setPrefix(QStringLiteral("β = "));
    m_beta->setToolTip(tr("Advantage weight of π ∝ π_β·exp(β(Q̂−V)); adjustable during the chat"));
    m_temperature = new QDoubleSpinBox;
    m_temperature->setRange(0, 2);
    m_temperature->setSingleStep(0.1);
    m_temperature->setValue(1.0);
    m_temperature->setPrefix(tr("temp "));
    m_temperature->setToolTip(tr("Sampling temperature on π_β (0 = greedy)"));
    m_headsNote = new QLabel;
    m_headsNote->setStyleSheet(style::warningTextCss());
    ck->addWidget(m_checkpoint, 1);
    ck->addWidget(browse);
    ck->addWidget(m_beta);
    ck->addWidget(m_temperature);
    ck->addWidget(m_headsNote);

    // --- endpoint page
    auto* epPage = new QWidget;
    auto* ep = new QHBoxLayout(epPage);
    ep->setContentsMargins(0, 0, 0, 0);
    m_endpoint = new QComboBox;
    m_endpoint->setEditable(true);
    m_endpoint->addItems(endpointProfiles);
    m_endpoint->setToolTip(tr("A saved endpoint profile, or a base URL such as http://127.0.0.1:8000/v1"));
    m_endpoint->setMinimumContentsLength(18);
    m_model = new QLineEdit;
    m_model->setPlaceholderText(tr("model (profile's)"));
    m_kind->setToolTip(tr("A checkpoint's behaviour policy π_β, an ILQL checkpoint (π_β steered by Q̂ − V), or an "
                          "LLM endpoint with a prompting baseline"));
    m_checkpoint->setToolTip(tr("The checkpoint to chat with (the project's runs, newest first)"));
    m_model->setToolTip(tr("The model name to request; empty = the endpoint profile's"));
    m_prompting = new QComboBox;
    m_prompting->setToolTip(tr("How the endpoint agent is prompted (the baselines of the paper)"));
    m_prompting->addItem(tr("Proactive CoT"), QString::fromLatin1(hw::prompting::kProactiveCot));
    m_prompting->addItem(tr("Chain of thought"), QString::fromLatin1(hw::prompting::kCot));
    m_prompting->addItem(tr("Plain"), QString::fromLatin1(hw::prompting::kPlain));
    ep->addWidget(m_endpoint, 1);
    ep->addWidget(m_model);
    ep->addWidget(m_prompting);

    m_pages = new QStackedWidget;
    m_pages->addWidget(ckPage);
    m_pages->addWidget(epPage);
    m_remove = new QPushButton(tr("Remove"));
    m_remove->setObjectName(QStringLiteral("removeAgent"));
    connect(m_remove, &QPushButton::clicked, this, &AgentSetupRow::removeRequested);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addWidget(m_index);
    layout->addWidget(m_kind);
    layout->addWidget(m_pages, 1);
    layout->addWidget(m_remove);

    connect(m_kind, &QComboBox::currentIndexChanged, this, &AgentSetupRow::updateKind);
    connect(m_checkpoint, &QComboBox::currentIndexChanged, this, &AgentSetupRow::updateKind);
    if (!m_checkpoints.empty()) {
        // Default to ILQL when the newest checkpoint has value heads.
        if (m_checkpoints.front().ilqlHeads)
            m_kind->setCurrentIndex(1);
    } else if (!endpointProfiles.isEmpty()) {
        m_kind->setCurrentIndex(2);
    }
    updateKind();
}

void AgentSetupRow::setIndex(int index)
{
    m_index->setText(QString(QChar('A' + index)));
}

void AgentSetupRow::setRemovable(bool removable) { m_remove->setEnabled(removable); }

void AgentSetupRow::updateKind()
{
    const QString kind = m_kind->currentData().toString();
    const bool endpoint = kind == QLatin1String(hw::agent_kind::kEndpoint);
    m_pages->setCurrentIndex(endpoint ? 1 : 0);
    m_beta->setVisible(kind == QLatin1String(hw::agent_kind::kIlql));
    const int i = m_checkpoint->currentIndex();
    const bool heads = i >= 0 && size_t(i) < m_checkpoints.size() && m_checkpoints[size_t(i)].ilqlHeads;
    m_headsNote->setText(kind == QLatin1String(hw::agent_kind::kIlql) && i >= 0 && !heads ? tr("no ILQL heads") : QString());
}

hw::ChatAgentSpec AgentSetupRow::spec() const
{
    hw::ChatAgentSpec s;
    s.kind = m_kind->currentData().toString().toStdString();
    if (s.kind == hw::agent_kind::kEndpoint) {
        s.endpoint = m_endpoint->currentText().trimmed().toStdString();
        s.model = m_model->text().trimmed().toStdString();
        s.prompting = m_prompting->currentData().toString().toStdString();
    } else {
        const int i = m_checkpoint->currentIndex();
        if (i >= 0 && size_t(i) < m_checkpoints.size()) {
            s.checkpoint = m_checkpoints[size_t(i)].path.toStdString();
            s.runId = m_checkpoints[size_t(i)].runId;
            s.step = m_checkpoints[size_t(i)].step;
        }
        s.beta = m_beta->value();
        s.temperature = m_temperature->value();
    }
    return s;
}

void AgentSetupRow::setSpec(const hw::ChatAgentSpec& s)
{
    m_kind->setCurrentIndex(std::max(0, m_kind->findData(QString::fromStdString(s.kind))));
    if (s.kind == hw::agent_kind::kEndpoint) {
        m_endpoint->setCurrentText(QString::fromStdString(s.endpoint));
        m_model->setText(QString::fromStdString(s.model));
        m_prompting->setCurrentIndex(std::max(0, m_prompting->findData(QString::fromStdString(s.prompting))));
    } else {
        const QString path = QString::fromStdString(s.checkpoint);
        int i = m_checkpoint->findData(path);
        if (i < 0 && !path.isEmpty()) {
            m_checkpoints.push_back({path, path, s.runId, s.step, hw::inspectCheckpoint(s.checkpoint).ilqlHeads, QString()});
            m_checkpoint->addItem(path, path);
            i = m_checkpoint->count() - 1;
        }
        m_checkpoint->setCurrentIndex(i);
        m_beta->setValue(s.beta);
        m_temperature->setValue(s.temperature);
    }
    updateKind();
}

QString AgentSetupRow::problem() const
{
    const auto s = spec();
    if (s.kind == hw::agent_kind::kEndpoint)
        return s.endpoint.empty() ? tr("choose an endpoint") : QString();
    if (s.checkpoint.empty())
        return tr("choose a checkpoint (train a run first, or pick a folder)");
    if (s.kind == hw::agent_kind::kIlql) {
        const int i = m_checkpoint->currentIndex();
        if (i >= 0 && size_t(i) < m_checkpoints.size() && !m_checkpoints[size_t(i)].ilqlHeads)
            return tr("this checkpoint has no ILQL heads: choose π_β or an ILQL run");
    }
    return {};
}

} // namespace hw::ui
