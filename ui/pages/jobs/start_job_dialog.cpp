#include "ui/pages/jobs/start_job_dialog.h"

#include "core/llm/endpoint_profile.h"
#include "core/store/dialogue_store.h"
#include "ui/dialogs/endpoint_settings_dialog.h"
#include "ui/pages/jobs/jobs_prefs.h"
#include "ui/project_session.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace hw::ui {

StartJobDialog::StartJobDialog(ProjectSession* session, const QString& profilesPath, QWidget* parent)
    : QDialog(parent), m_session(session), m_profilesPath(profilesPath), m_form(new QFormLayout), m_kind(new QComboBox),
      m_task(new QComboBox), m_endpoint(new QComboBox), m_mode(new QComboBox), m_limit(new QSpinBox),
      m_seed(new QSpinBox), m_samples(new QSpinBox), m_hardShare(new QDoubleSpinBox), m_k(new QDoubleSpinBox),
      m_perPersona(new QSpinBox), m_concurrency(new QSpinBox), m_hint(new QLabel)
{
    setWindowTitle(tr("Start a pipeline job"));
    m_kind->addItem(tr("Relabel: hindsight suggestions"), QStringLiteral("relabel"));
    m_kind->addItem(tr("Regenerate: complete the better turns"), QStringLiteral("regenerate"));
    m_kind->addItem(tr("Label: reward the regenerations"), QStringLiteral("label"));
    m_kind->addItem(tr("Aggregate: build the training set"), QStringLiteral("aggregate"));
    m_kind->addItem(tr("Imagine: zero-shot dialogues"), QStringLiteral("imagine"));
    if (session && session->isOpen()) {
        try {
            for (const hw::Task& t : hw::DialogueStore(session->db()).tasks())
                m_task->addItem(QString::fromStdString(t.name));
        } catch (const std::exception&) {
        }
    }
    m_mode->addItem(tr("one random suggestion per dialogue"), QStringLiteral("random"));
    m_mode->addItem(tr("every accepted suggestion"), QStringLiteral("accepted"));
    m_limit->setRange(0, 10'000'000);
    m_limit->setSpecialValueText(tr("no limit"));
    m_seed->setRange(0, std::numeric_limits<int>::max());
    m_samples->setRange(1, 64);
    m_hardShare->setRange(0, 1);
    m_hardShare->setSingleStep(0.05);
    m_k->setRange(0.1, 100);
    m_k->setValue(5);
    m_perPersona->setRange(1, 10'000);
    m_perPersona->setValue(10);
    m_concurrency->setRange(0, 256);
    m_concurrency->setSpecialValueText(tr("endpoint's limit"));
    m_hint->setWordWrap(true);
    m_hint->setStyleSheet(QStringLiteral("color: palette(mid);"));

    auto* endpointRow = new QHBoxLayout;
    endpointRow->addWidget(m_endpoint, 1);
    auto* edit = new QPushButton(tr("Endpoints…"));
    endpointRow->addWidget(edit);
    connect(edit, &QPushButton::clicked, this, &StartJobDialog::editEndpoints);

    m_form->addRow(tr("Job"), m_kind);
    m_form->addRow(tr("Task"), m_task);
    m_form->addRow(tr("Endpoint"), endpointRow);
    m_form->addRow(tr("Suggestions"), m_mode);
    m_form->addRow(tr("Samples per prefix"), m_samples);
    m_form->addRow(tr("Hard forward model share"), m_hardShare);
    m_form->addRow(tr("Target size (× originals)"), m_k);
    m_form->addRow(tr("Dialogues per persona"), m_perPersona);
    m_form->addRow(tr("Limit"), m_limit);
    m_form->addRow(tr("Seed"), m_seed);
    m_form->addRow(tr("Requests in flight"), m_concurrency);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Start"));
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        QString why;
        if (request(&why))
            accept();
        else
            m_hint->setText(QStringLiteral("<span style='color:#b91c1c'>%1</span>").arg(why.toHtmlEscaped()));
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(m_form);
    layout->addWidget(m_hint);
    layout->addWidget(buttons);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &StartJobDialog::updateFields);
    reloadEndpoints();
    updateFields();
}

void StartJobDialog::setKind(const QString& kind)
{
    const int i = m_kind->findData(kind);
    if (i >= 0)
        m_kind->setCurrentIndex(i);
}

void StartJobDialog::reloadEndpoints()
{
    const QString current = m_endpoint->currentText();
    m_endpoint->clear();
    try {
        const hw::EndpointProfiles profiles = hw::EndpointProfiles::load(m_profilesPath.toStdString());
        for (const auto& p : profiles.all())
            m_endpoint->addItem(QString::fromStdString(p.name));
    } catch (const std::exception& e) {
        m_hint->setText(QString::fromUtf8(e.what()));
    }
    const QString wanted = current.isEmpty() ? QString(prefs::defaultEndpoint) : current;
    const int i = m_endpoint->findText(wanted);
    if (i >= 0)
        m_endpoint->setCurrentIndex(i);
}

void StartJobDialog::editEndpoints()
{
    EndpointSettingsDialog dialog(m_profilesPath, this);
    dialog.exec();
    reloadEndpoints();
}

void StartJobDialog::updateFields()
{
    const QString kind = m_kind->currentData().toString();
    auto show = [&](QWidget* field, bool on) { m_form->setRowVisible(field, on); };
    const bool llm = kind != QLatin1String("aggregate");
    m_form->setRowVisible(2, llm);
    show(m_mode, kind == QLatin1String("regenerate"));
    show(m_samples, kind == QLatin1String("regenerate"));
    show(m_hardShare, kind == QLatin1String("regenerate"));
    show(m_k, kind == QLatin1String("aggregate"));
    show(m_perPersona, kind == QLatin1String("imagine"));
    show(m_limit, kind != QLatin1String("aggregate") && kind != QLatin1String("imagine"));
    show(m_concurrency, llm);
    if (kind == QLatin1String("relabel"))
        m_hint->setText(tr("Asks the controller for 3 better agent turns per original dialogue that has none yet."));
    else if (kind == QLatin1String("regenerate"))
        m_hint->setText(tr("Keeps each dialogue up to the replaced turn and lets the forward model write the rest."));
    else if (kind == QLatin1String("label"))
        m_hint->setText(tr("Asks the reward model to score every unlabelled regeneration."));
    else if (kind == QLatin1String("aggregate"))
        m_hint->setText(tr("Originals plus labelled regenerations, up to k times the originals."));
    else
        m_hint->setText(tr("Whole dialogues from the task description and each persona."));
    adjustSize();
}

std::optional<PipelineRequest> StartJobDialog::request(QString* error) const
{
    auto fail = [&](const QString& why) -> std::optional<PipelineRequest> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    PipelineRequest r;
    r.kind = m_kind->currentData().toString();
    const std::string task = m_task->currentText().toStdString();
    if (task.empty())
        return fail(tr("The project has no task yet: import dialogues first."));
    const auto seed = static_cast<uint64_t>(m_seed->value());
    const int concurrency = m_concurrency->value();
    if (r.kind == QLatin1String("relabel"))
        r.config = {{"task", task}, {"limit", m_limit->value()}, {"seed", seed}};
    else if (r.kind == QLatin1String("regenerate"))
        r.config = {{"task", task}, {"mode", m_mode->currentData().toString().toStdString()},
                    {"samples", m_samples->value()}, {"hardShare", m_hardShare->value()},
                    {"limit", m_limit->value()}, {"seed", seed}};
    else if (r.kind == QLatin1String("label"))
        r.config = {{"task", task}, {"limit", m_limit->value()}, {"seed", seed}};
    else if (r.kind == QLatin1String("aggregate"))
        r.config = {{"task", task}, {"k", m_k->value()}, {"seed", seed}};
    else
        r.config = {{"task", task}, {"perPersona", m_perPersona->value()}, {"seed", seed}};
    if (r.kind != QLatin1String("aggregate")) {
        const QString name = m_endpoint->currentText();
        if (name.isEmpty())
            return fail(tr("Add an endpoint profile first (Endpoints…)."));
        try {
            const auto p = hw::EndpointProfiles::load(m_profilesPath.toStdString()).find(name.toStdString());
            if (!p)
                return fail(tr("No endpoint profile named '%1'.").arg(name));
            r.endpoint = *p;
        } catch (const std::exception& e) {
            return fail(QString::fromUtf8(e.what()));
        }
        r.concurrency = concurrency > 0 ? concurrency : r.endpoint.maxInFlight;
        r.config["concurrency"] = r.concurrency;
    }
    r.label = QStringLiteral("%1 %2").arg(r.kind, QString::fromStdString(task));
    return r;
}

} // namespace hw::ui
