#include "ui/pages/runs/start_run_dialog.h"

#include "ui/models/run_table_model.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>

namespace hw::ui {

StartRunDialog::StartRunDialog(const QString& projectPath, const QStringList& tasks, const QStringList& trainingSets,
                               QWidget* parent)
    : QDialog(parent), m_projectPath(projectPath)
{
    setWindowTitle(tr("Start a training run"));
    m_kind = new QComboBox;
    const auto kinds = hw::launchableKinds();
    for (const auto& k : kinds) {
        const QString kind = QString::fromStdString(k);
        m_kind->addItem(RunTableModel::kindLabel(kind), kind);
    }
    // Agent trainers that run from the CLI only in this build: listed, greyed out, with the hint.
    for (const char* k : {"sft", "rft", "ilql"}) {
        if (std::find(kinds.begin(), kinds.end(), k) != kinds.end())
            continue;
        m_kind->addItem(RunTableModel::kindLabel(QString::fromLatin1(k)) + tr(" (CLI: hindsight train)"), QString::fromLatin1(k));
        if (auto* model = qobject_cast<QStandardItemModel*>(m_kind->model()))
            model->item(m_kind->count() - 1)->setEnabled(false);
    }
    m_task = new QComboBox;
    m_task->addItem(tr("(the project's only task)"), QString());
    for (const QString& t : tasks)
        m_task->addItem(t, t);
    if (tasks.size() == 1)
        m_task->setCurrentIndex(1);
    m_set = new QComboBox;
    m_set->addItem(tr("(default: the agent's preset — SFT/RFT top 25%, ILQL originals + regenerations)"), QString());
    for (const QString& s : trainingSets)
        m_set->addItem(s, s);

    m_config = new QLineEdit;
    m_config->setPlaceholderText(tr("defaults"));
    auto* browse = new QPushButton(tr("Browse…"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Training configuration"), QString(),
                                                       tr("JSON (*.json);;All files (*)"));
        if (!f.isEmpty())
            m_config->setText(f);
    });
    auto* configRow = new QHBoxLayout;
    configRow->addWidget(m_config, 1);
    configRow->addWidget(browse);

    m_tiny = new QCheckBox(tr("Tiny CPU configuration (seconds; for trying things out)"));
    m_maxSteps = new QSpinBox;
    m_maxSteps->setRange(0, 10000000);
    m_maxSteps->setSpecialValueText(tr("from the configuration"));
    m_maxSteps->setSingleStep(100);
    m_maxSteps->setObjectName(QStringLiteral("maxSteps"));
    m_kind->setObjectName(QStringLiteral("kind"));
    m_tiny->setObjectName(QStringLiteral("tiny"));
    m_stepsNote = new QLabel;
    m_stepsNote->setObjectName(QStringLiteral("stepsNote"));
    m_stepsNote->setWordWrap(true);
    m_stepsNote->setStyleSheet(QStringLiteral("color: #6b7280"));

    auto* form = new QFormLayout;
    form->addRow(tr("Agent"), m_kind);
    form->addRow(tr("Task"), m_task);
    form->addRow(tr("Training set"), m_set);
    form->addRow(tr("Configuration"), configRow);
    form->addRow(QString(), m_tiny);
    form->addRow(tr("Optimizer steps"), m_maxSteps);
    form->addRow(QString(), m_stepsNote);
    auto* hint = new QLabel(tr("The run is recorded in the project; its curves appear on this page as it trains. "
                               "Stop writes a checkpoint that Resume continues exactly."));
    hint->setWordWrap(true);
    hint->setStyleSheet(QStringLiteral("color: #6b7280"));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Start"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(hint);
    layout->addWidget(buttons);

    connect(m_kind, &QComboBox::currentIndexChanged, this, &StartRunDialog::updateStepsNote);
    connect(m_tiny, &QCheckBox::toggled, this, &StartRunDialog::updateStepsNote);
    connect(m_config, &QLineEdit::editingFinished, this, &StartRunDialog::updateStepsNote);
    connect(m_maxSteps, &QSpinBox::valueChanged, this, &StartRunDialog::updateStepsNote);
    updateStepsNote();
}

QString StartRunDialog::stepsNote() const { return m_stepsNote->text(); }

void StartRunDialog::updateStepsNote()
{
    const auto r = request();
    QString note;
    try {
        const auto planned = hw::plannedAgentSteps(r);
        if (!planned) {
            note = m_maxSteps->value() > 0 ? QString() : tr("Steps from the configuration.");
        } else if (r.kind == "ilql") {
            const qint64 updates = hw::plannedIlqlUpdatesPerIteration(r).value_or(1);
            const qint64 iterations = updates > 0 ? *planned / updates : 0;
            note = tr("ILQL trains whole iterations of %1 updates (after π_β's behaviour cloning): %2 × %1 = %3 steps.")
                       .arg(updates)
                       .arg(iterations)
                       .arg(*planned);
            if (m_maxSteps->value() > 0 && *planned != m_maxSteps->value())
                note += QLatin1Char(' ') + tr("%1 is rounded up to whole iterations.").arg(m_maxSteps->value());
        } else {
            note = tr("%1 behaviour-cloning steps.").arg(*planned);
        }
    } catch (const std::exception& e) {
        note = tr("Configuration: %1").arg(QString::fromUtf8(e.what()));
    }
    m_stepsNote->setText(note);
    m_stepsNote->setVisible(!note.isEmpty());
}

hw::RunLaunchRequest StartRunDialog::request() const
{
    hw::RunLaunchRequest r;
    r.projectPath = m_projectPath.toStdString();
    r.kind = m_kind->currentData().toString().toStdString();
    r.task = m_task->currentData().toString().toStdString();
    r.trainingSet = m_set->currentData().toString().toStdString();
    r.configPath = m_config->text().trimmed().toStdString();
    r.tiny = m_tiny->isChecked();
    if (m_maxSteps->value() > 0)
        r.overrides["maxSteps"] = m_maxSteps->value();
    return r;
}

} // namespace hw::ui
