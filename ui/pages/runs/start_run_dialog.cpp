#include "ui/pages/runs/start_run_dialog.h"

#include "ui/models/run_table_model.h"
#include "ui/settings/settings.h"
#include "ui/style/ui_style.h"

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

namespace {

Preference<QString> startKind{"runs/startKind", {}};
Preference<QString> startTask{"runs/startTask", {}};
Preference<bool> startTiny{"runs/startTiny", false};

} // namespace

StartRunDialog::StartRunDialog(const QString& projectPath, const QStringList& tasks,
                               const QList<SetChoice>& trainingSets, QWidget* parent)
    : QDialog(parent), m_projectPath(projectPath), m_sets(trainingSets)
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
    auto* kindModel = qobject_cast<QStandardItemModel*>(m_kind->model());
    if (const int k = m_kind->findData(startKind.get());
        k >= 0 && !startKind.get().isEmpty() && kindModel && kindModel->item(k)->isEnabled())
        m_kind->setCurrentIndex(k);
    m_kind->setToolTip(tr("What to train: the language models of the offline demo, or an agent (SFT on the best "
                          "dialogues, RFT, or ILQL on originals plus hindsight regenerations)"));
    m_task = new QComboBox;
    m_task->setObjectName(QStringLiteral("task"));
    m_task->setToolTip(tr("The task whose dialogues the run trains on"));
    if (tasks.isEmpty())
        m_task->addItem(tr("(no tasks yet: import dialogues first)"), QString());
    for (const QString& t : tasks)
        m_task->addItem(t, t);
    if (const int t = m_task->findData(startTask.get()); t >= 0 && !startTask.get().isEmpty())
        m_task->setCurrentIndex(t);
    m_set = new QComboBox;
    m_set->setObjectName(QStringLiteral("trainingSet"));
    m_set->setToolTip(tr("A training set built on the Jobs page or with hindsight build-set; the default builds "
                         "the agent's preset from the task's dialogues"));
    fillSets();
    connect(m_task, &QComboBox::currentIndexChanged, this, &StartRunDialog::fillSets);

    m_config = new QLineEdit;
    m_config->setPlaceholderText(tr("defaults"));
    m_config->setToolTip(tr("A JSON file of trainer settings (hindsight config-template writes one); empty = the "
                            "defaults"));
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
    m_tiny->setToolTip(tr("A very small model and few steps, so a run finishes in seconds on a laptop CPU"));
    m_tiny->setChecked(startTiny.get());
    m_maxSteps = new QSpinBox;
    m_maxSteps->setRange(0, 10000000);
    m_maxSteps->setSpecialValueText(tr("from the configuration"));
    m_maxSteps->setSingleStep(100);
    m_maxSteps->setObjectName(QStringLiteral("maxSteps"));
    m_maxSteps->setToolTip(tr("Stop after this many optimizer steps (0 = what the configuration says)"));
    m_kind->setObjectName(QStringLiteral("kind"));
    m_tiny->setObjectName(QStringLiteral("tiny"));
    m_stepsNote = new QLabel;
    m_stepsNote->setObjectName(QStringLiteral("stepsNote"));
    m_stepsNote->setWordWrap(true);
    m_stepsNote->setStyleSheet(style::mutedTextCss());

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
    hint->setStyleSheet(style::mutedTextCss());

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Start"));
    buttons->button(QDialogButtonBox::Ok)->setEnabled(!tasks.isEmpty());
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        startKind = m_kind->currentData().toString();
        startTask = m_task->currentData().toString();
        startTiny = m_tiny->isChecked();
        accept();
    });
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

void StartRunDialog::fillSets()
{
    // Only the sets built from the chosen task: a set of another task would fail the run.
    const QString task = m_task->currentData().toString();
    const QString previous = m_set->currentData().toString();
    m_set->clear();
    m_set->addItem(tr("(default: the agent's preset — SFT/RFT top 25%, ILQL originals + regenerations)"), QString());
    for (const auto& s : m_sets)
        if (s.task.isEmpty() || task.isEmpty() || s.task == task)
            m_set->addItem(s.task.isEmpty() || !task.isEmpty() ? s.name : tr("%1 (%2)").arg(s.name, s.task), s.name);
    if (const int i = m_set->findData(previous); i >= 0)
        m_set->setCurrentIndex(i);
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
