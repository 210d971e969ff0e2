#include "ui/pages/jobs/start_job_dialog.h"

#include "core/llm/endpoint_profile.h"
#include "core/pipeline/stage_registry.h"
#include "core/store/dialogue_store.h"
#include "core/store/run_store.h"
#include "ui/dialogs/endpoint_settings_dialog.h"
#include "ui/pages/jobs/jobs_prefs.h"
#include "ui/pages/jobs/stage_option_field.h"
#include "ui/project_session.h"
#include "ui/style/ui_style.h"
#include "ui/workers/pipeline_worker_host.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>
#include <set>

namespace hw::ui {
namespace {

// The roles a front end can fill, in the order the form shows them.
struct RoleField {
    const char* role;
    const char* label;
    std::vector<std::string> runKinds;   // runs whose checkpoints fit the role
};

const std::vector<RoleField>& roleFields()
{
    static const std::vector<RoleField> fields = {
        {hw::role::kController, QT_TRANSLATE_NOOP("StartJobDialog", "Controller"), {}},
        {hw::role::kForward, QT_TRANSLATE_NOOP("StartJobDialog", "Forward model"), {"lm-forward", "lm-forward-hard"}},
        {hw::role::kForwardHard, QT_TRANSLATE_NOOP("StartJobDialog", "Hard forward model"), {"lm-forward-hard", "lm-forward"}},
        {hw::role::kLabeler, QT_TRANSLATE_NOOP("StartJobDialog", "Reward model"), {"lm-reward"}},
        {hw::role::kGenerator, QT_TRANSLATE_NOOP("StartJobDialog", "Generator"), {}},
        {hw::role::kCritic, QT_TRANSLATE_NOOP("StartJobDialog", "Critic"), {}},
    };
    return fields;
}

// Backend kinds any registered stage accepts for `role`.
std::set<std::string> acceptedKinds(const std::string& role)
{
    std::set<std::string> out;
    for (const auto& k : hw::stageKinds())
        if (const auto it = k.roles.find(role); it != k.roles.end())
            out.insert(it->second.begin(), it->second.end());
    return out;
}

QString encode(const hw::StageBackend& b) { return QString::fromStdString(nlohmann::json(b).dump()); }

std::optional<hw::StageBackend> decode(const QVariant& v)
{
    const auto j = nlohmann::json::parse(v.toString().toStdString(), nullptr, false);
    if (!j.is_object())
        return std::nullopt;
    return j.get<hw::StageBackend>();
}

} // namespace

StartJobDialog::StartJobDialog(ProjectSession* session, const QString& profilesPath, QWidget* parent)
    : QDialog(parent), m_session(session), m_profilesPath(profilesPath), m_form(new QFormLayout), m_kind(new QComboBox),
      m_task(new QComboBox), m_onlySelected(new QCheckBox), m_limit(new QSpinBox), m_seed(new QSpinBox),
      m_samples(new QSpinBox), m_hardShare(new QDoubleSpinBox), m_concurrency(new QSpinBox), m_hint(new QLabel)
{
    setWindowTitle(tr("Start a pipeline job"));
    m_kind->addItem(tr("Offline pipeline: relabel → regenerate → label → aggregate"), pipelineKind());
    for (const auto& k : hw::stageKinds())
        m_kind->addItem(QString::fromStdString(k.title), QString::fromStdString(k.name));
    if (session && session->isOpen()) {
        try {
            for (const hw::Task& t : hw::DialogueStore(session->db()).tasks())
                m_task->addItem(QString::fromStdString(t.name));
        } catch (const std::exception&) {
        }
    }
    m_limit->setRange(0, 10'000'000);
    m_limit->setSpecialValueText(tr("no limit"));
    m_seed->setRange(0, std::numeric_limits<int>::max());
    m_samples->setRange(1, 64);
    m_hardShare->setRange(0, 1);
    m_hardShare->setSingleStep(0.05);
    m_concurrency->setRange(0, 256);
    m_concurrency->setSpecialValueText(tr("endpoint's limit"));
    m_onlySelected->setText(tr("Only the dialogues selected on the Dialogues page"));
    m_onlySelected->setEnabled(false);
    m_hint->setWordWrap(true);
    m_hint->setStyleSheet(style::mutedTextCss());

    m_form->addRow(tr("Job"), m_kind);
    m_form->addRow(tr("Task"), m_task);
    for (const auto& f : roleFields()) {
        auto* box = new QComboBox;
        auto* row = new QWidget;
        auto* layout = new QHBoxLayout(row);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->addWidget(box, 1);
        const std::set<std::string> kinds = acceptedKinds(f.role);
        if (kinds.count("llm")) {
            auto* edit = new QPushButton(tr("Endpoints…"));
            layout->addWidget(edit);
            connect(edit, &QPushButton::clicked, this, &StartJobDialog::editEndpoints);
        }
        if (kinds.count("checkpoint")) {
            auto* browse = new QPushButton(tr("Folder…"));
            layout->addWidget(browse);
            const std::string role = f.role;
            connect(browse, &QPushButton::clicked, this, [this, role] { browseCheckpoint(role); });
        }
        m_backends[f.role] = box;
        m_backendRows[f.role] = row;
        m_form->addRow(tr(f.label), row);
    }
    m_form->addRow(QString(), m_onlySelected);
    m_form->addRow(tr("Samples per prefix"), m_samples);
    m_form->addRow(tr("Hard forward model share"), m_hardShare);
    // Each stage's own options, as its registry entry declares them.
    for (const auto& k : hw::stageKinds())
        for (const auto& f : k.fields)
            if (QWidget* w = makeStageOptionWidget(f, k.options.at(f.key))) {
                m_options[{k.name, f.key}] = w;
                const bool checkBox = k.options.at(f.key).is_boolean(); // labelled by its own text
                m_form->addRow(checkBox ? QString() : QString::fromStdString(f.label), w);
            }
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
            m_hint->setText(QStringLiteral("<span style='color:%1'>%2</span>")
                                .arg(style::errorText().name(), why.toHtmlEscaped()));
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(m_form);
    layout->addWidget(m_hint);
    layout->addWidget(buttons);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &StartJobDialog::updateFields);
    connect(m_hardShare, &QDoubleSpinBox::valueChanged, this, &StartJobDialog::updateFields);
    reloadBackends();
    updateFields();
}

QComboBox* StartJobDialog::backendBox(const std::string& role) const
{
    const auto it = m_backends.find(role);
    return it == m_backends.end() ? nullptr : it->second;
}

QWidget* StartJobDialog::optionField(const std::string& kind, const std::string& key) const
{
    const auto it = m_options.find({kind, key});
    return it == m_options.end() ? nullptr : it->second;
}

void StartJobDialog::setKind(const QString& kind)
{
    const int i = m_kind->findData(kind);
    if (i >= 0)
        m_kind->setCurrentIndex(i);
}

void StartJobDialog::setDialogueSelection(const QList<qint64>& dialogueIds)
{
    m_selection = dialogueIds;
    m_onlySelected->setText(tr("Only the %n dialogue(s) selected on the Dialogues page", nullptr,
                               static_cast<int>(dialogueIds.size())));
    m_onlySelected->setEnabled(!dialogueIds.isEmpty());
    if (dialogueIds.isEmpty())
        m_onlySelected->setChecked(false);
}

void StartJobDialog::reloadBackends()
{
    hw::EndpointProfiles profiles;
    try {
        profiles = hw::EndpointProfiles::load(m_profilesPath.toStdString());
    } catch (const std::exception& e) {
        m_hint->setText(QString::fromUtf8(e.what()));
    }
    std::vector<hw::RunSummary> runs;
    if (m_session && m_session->isOpen()) {
        try {
            runs = hw::RunStore(m_session->db()).runs();
        } catch (const std::exception&) {
        }
    }
    for (const auto& f : roleFields()) {
        QComboBox* box = m_backends[f.role];
        const QString current = box->currentData().toString();
        box->clear();
        const std::set<std::string> kinds = acceptedKinds(f.role);
        if (kinds.count("llm")) {
            // The default endpoint first.
            std::vector<hw::EndpointProfile> ordered = profiles.all();
            std::stable_partition(ordered.begin(), ordered.end(), [](const hw::EndpointProfile& p) {
                return QString::fromStdString(p.name) == QString(prefs::defaultEndpoint);
            });
            for (const auto& p : ordered)
                box->addItem(tr("Endpoint: %1 (%2)").arg(QString::fromStdString(p.name), QString::fromStdString(p.model)),
                             encode(hw::StageBackend::llm(p)));
        }
        if (kinds.count("retrieval"))
            box->addItem(tr("Retrieval controller (offline, BM25 over top-quartile dialogues)"),
                         encode(hw::StageBackend::retrieval()));
        if (kinds.count("checkpoint"))
            for (const auto& run : runs)
                if (!run.checkpointDir.empty()
                    && std::find(f.runKinds.begin(), f.runKinds.end(), run.kind) != f.runKinds.end())
                    box->addItem(tr("Checkpoint: run %1 (%2, step %3)")
                                     .arg(QString::fromStdString(run.name), QString::fromStdString(run.kind))
                                     .arg(run.step),
                                 encode(hw::StageBackend::local(run.checkpointDir)));
        const int i = box->findData(current);
        if (i >= 0)
            box->setCurrentIndex(i);
    }
}

void StartJobDialog::addCheckpointChoice(const std::string& role, const QString& dir)
{
    QComboBox* box = backendBox(role);
    if (!box || dir.isEmpty())
        return;
    const QString data = encode(hw::StageBackend::local(dir.toStdString()));
    int i = box->findData(data);
    if (i < 0) {
        box->addItem(tr("Checkpoint: %1").arg(dir), data);
        i = box->count() - 1;
    }
    box->setCurrentIndex(i);
}

bool StartJobDialog::chooseBackend(const std::string& role, const QString& kind)
{
    QComboBox* box = backendBox(role);
    if (!box)
        return false;
    for (int i = 0; i < box->count(); ++i)
        if (const auto b = decode(box->itemData(i)); b && QString::fromStdString(b->kind) == kind) {
            box->setCurrentIndex(i);
            return true;
        }
    return false;
}

void StartJobDialog::browseCheckpoint(const std::string& role)
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Checkpoint or run folder"));
    addCheckpointChoice(role, dir);
}

void StartJobDialog::editEndpoints()
{
    EndpointSettingsDialog dialog(m_profilesPath, this);
    dialog.exec();
    reloadBackends();
}

std::vector<std::string> StartJobDialog::plannedKinds() const
{
    const QString kind = m_kind->currentData().toString();
    if (kind == pipelineKind())
        return {"relabel", "regenerate", "label", "aggregate"};
    return {kind.toStdString()};
}

void StartJobDialog::updateFields()
{
    const std::vector<std::string> kinds = plannedKinds();
    auto plans = [&](const char* k) { return std::find(kinds.begin(), kinds.end(), k) != kinds.end(); };
    std::set<std::string> roles;
    bool usesItems = false, usesLimit = false;
    for (const auto& k : kinds)
        if (const hw::StageKind* sk = hw::findStageKind(k)) {
            for (const auto& [r, accepted] : sk->roles)
                roles.insert(r);
            usesItems = usesItems || sk->usesItems;
            usesLimit = usesLimit || (sk->usesItems && sk->usesLimit);
        }
    for (const auto& [role, row] : m_backendRows) {
        bool on = roles.count(role) > 0;
        if (role == hw::role::kForwardHard)
            on = on && m_hardShare->value() > 0;
        m_form->setRowVisible(row, on);
    }
    auto show = [&](QWidget* field, bool on) { m_form->setRowVisible(field, on); };
    show(m_onlySelected, plans("relabel"));
    show(m_samples, plans("regenerate"));
    show(m_hardShare, plans("regenerate"));
    for (const auto& [where, field] : m_options)
        show(field, plans(where.first.c_str()));
    show(m_limit, usesLimit);
    show(m_concurrency, usesItems);
    const QString kind = m_kind->currentData().toString();
    if (kind == pipelineKind())
        m_hint->setText(tr("The four stages of the hindsight method in a row, each its own resumable job. The limit "
                           "counts the dialogues relabelled."));
    else if (const hw::StageKind* sk = hw::findStageKind(kind.toStdString()))
        m_hint->setText(QString::fromStdString(sk->role));
    adjustSize();
}

bool StartJobDialog::execAndStart(PipelineWorkerHost* host)
{
    if (exec() != QDialog::Accepted)
        return false;
    QString why;
    auto r = request(&why);
    if (!r) {
        if (m_session)
            m_session->showStatus(why);
        return false;
    }
    host->start(std::move(*r));
    return true;
}

std::optional<PipelineRequest> StartJobDialog::request(QString* error) const
{
    auto fail = [&](const QString& why) -> std::optional<PipelineRequest> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    const std::string task = m_task->currentText().toStdString();
    if (task.empty())
        return fail(tr("The project has no task yet: import dialogues first."));
    const bool pipeline = m_kind->currentData().toString() == pipelineKind();
    PipelineRequest r;
    for (const std::string& kind : plannedKinds()) {
        hw::StageDescription d;
        d.kind = kind;
        d.task = task;
        d.seed = static_cast<uint64_t>(m_seed->value());
        d.concurrency = m_concurrency->value();
        // In the pipeline the limit counts the dialogues relabelled, as `hindsight pipeline --limit`.
        d.limit = !pipeline || kind == "relabel" ? m_limit->value() : 0;
        if (kind == "relabel" && m_onlySelected->isChecked())
            d.dialogueIds.assign(m_selection.begin(), m_selection.end());
        if (kind == "regenerate") {
            d.samples = m_samples->value();
            d.hardShare = m_hardShare->value();
        }
        if (const hw::StageKind* sk = hw::findStageKind(kind)) {
            if (!sk->usesLimit)
                d.limit = 0;
            for (const auto& f : sk->fields)
                if (const QWidget* w = optionField(kind, f.key))
                    d.options[f.key] = stageOptionValue(w, sk->options.at(f.key));
        }
        try {
            for (const std::string& role : hw::stageNeeds(d)) {
                const QComboBox* box = backendBox(role);
                const auto b = box ? decode(box->currentData()) : std::nullopt;
                if (!b) {
                    const bool llmOnly = acceptedKinds(role) == std::set<std::string>{"llm"};
                    return fail(llmOnly ? tr("Add an endpoint profile first (Endpoints…).")
                                        : tr("Choose where the %1 runs.").arg(QString::fromStdString(role)));
                }
                d.backends[role] = *b;
            }
            r.stages.push_back(hw::normalizeStage(d));
        } catch (const std::exception& e) {
            return fail(QString::fromUtf8(e.what()));
        }
    }
    try {
        r.profiles = hw::EndpointProfiles::load(m_profilesPath.toStdString());
    } catch (const std::exception& e) {
        return fail(QString::fromUtf8(e.what()));
    }
    r.label = pipeline ? tr("pipeline %1").arg(QString::fromStdString(task))
                       : QStringLiteral("%1 %2").arg(r.kind(), QString::fromStdString(task));
    return r;
}

} // namespace hw::ui
