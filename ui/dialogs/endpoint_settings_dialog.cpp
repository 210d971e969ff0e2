#include "ui/dialogs/endpoint_settings_dialog.h"

#include "core/llm/llm_client.h"
#include "core/util/error.h"
#include "ui/pages/jobs/jobs_prefs.h"
#include "ui/style/ui_style.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QRegularExpression>
#include <QtConcurrent/QtConcurrentRun>

namespace hw::ui {

EndpointSettingsDialog::EndpointSettingsDialog(const QString& path, QWidget* parent)
    : QDialog(parent), m_path(path.isEmpty() ? QString::fromStdString(hw::EndpointProfiles::defaultPath()) : path),
      m_list(new QListWidget), m_add(new QPushButton(tr("Add"))), m_remove(new QPushButton(tr("Remove"))),
      m_default(new QCheckBox(tr("Default for new jobs"))), m_name(new QLineEdit), m_url(new QLineEdit),
      m_replicas(new QLineEdit), m_model(new QLineEdit), m_keyEnv(new QLineEdit), m_keyStatus(new QLabel), m_temperature(new QDoubleSpinBox),
      m_maxTokens(new QSpinBox), m_timeout(new QDoubleSpinBox), m_maxInFlight(new QSpinBox),
      m_pricePrompt(new QDoubleSpinBox), m_priceCompletion(new QDoubleSpinBox),
      m_test(new QPushButton(tr("Test connection"))), m_result(new QLabel), m_error(new QLabel), m_form(new QWidget)
{
    setWindowTitle(tr("LLM endpoints"));
    resize(820, 500);

    m_url->setPlaceholderText(QStringLiteral("http://127.0.0.1:8000/v1"));
    m_model->setPlaceholderText(QStringLiteral("meta-llama/Llama-3.1-8B-Instruct"));
    m_keyEnv->setPlaceholderText(tr("e.g. OPENAI_API_KEY (empty: no key)"));
    m_keyEnv->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[A-Za-z_][A-Za-z0-9_]*")), m_keyEnv));
    m_keyEnv->setToolTip(tr("The name of the environment variable that holds the API key. The key itself is never "
                            "written to the project, the settings or any log."));
    m_temperature->setRange(0, 2);
    m_temperature->setSingleStep(0.1);
    m_temperature->setDecimals(2);
    m_maxTokens->setRange(1, 1'000'000);
    m_timeout->setRange(1, 3600);
    m_timeout->setSuffix(tr(" s"));
    m_maxInFlight->setRange(1, 1024);
    for (QDoubleSpinBox* p : {m_pricePrompt, m_priceCompletion}) {
        p->setRange(0, 1000);
        p->setDecimals(5);
        p->setSingleStep(0.0005);
        p->setSpecialValueText(tr("not tracked"));
    }
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_result->setMinimumHeight(40);
    m_result->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(style::errorTextCss());

    auto* form = new QFormLayout(m_form);
    form->addRow(tr("Name"), m_name);
    m_name->setToolTip(tr("How jobs and the CLI (--endpoint NAME) refer to this profile"));
    m_url->setToolTip(tr("An OpenAI-compatible base URL, e.g. https://api.openai.com/v1 or http://127.0.0.1:8000/v1"));
    m_model->setToolTip(tr("The model name sent with each request"));
    m_keyEnv->setToolTip(tr("The name of the environment variable holding the API key (the key itself is never "
                            "stored)"));
    m_temperature->setToolTip(tr("Sampling temperature of every call"));
    m_maxTokens->setToolTip(tr("The most tokens a reply may have"));
    m_timeout->setToolTip(tr("Seconds to wait for one reply before the call counts as failed (and is retried)"));
    m_maxInFlight->setToolTip(tr("How many requests may be open at once"));
    m_pricePrompt->setToolTip(tr("For the cost figures of jobs: price per 1000 prompt tokens"));
    m_priceCompletion->setToolTip(tr("For the cost figures of jobs: price per 1000 completion tokens"));
    m_default->setToolTip(tr("Preselect this profile when starting a job"));
    form->addRow(tr("Base URL"), m_url);
    m_replicas->setObjectName(QStringLiteral("replicasEdit"));
    m_replicas->setPlaceholderText(tr("optional: more servers of this model, separated by spaces"));
    m_replicas->setToolTip(tr("Replicas of the same model (e.g. several vLLM servers): requests go to the one with "
                              "the fewest in flight (the limit below applies to each); a server that fails is "
                              "left out for a while. Cached calls are keyed by the model, not the server."));
    form->addRow(tr("Replicas"), m_replicas);
    form->addRow(tr("Model"), m_model);
    auto* keyRow = new QHBoxLayout;
    keyRow->addWidget(m_keyEnv, 1);
    keyRow->addWidget(m_keyStatus);
    form->addRow(tr("API key variable"), keyRow);
    form->addRow(tr("Temperature"), m_temperature);
    form->addRow(tr("Max tokens"), m_maxTokens);
    form->addRow(tr("Timeout"), m_timeout);
    form->addRow(tr("Requests in flight"), m_maxInFlight);
    form->addRow(tr("Price per 1k prompt tokens"), m_pricePrompt);
    form->addRow(tr("Price per 1k completion tokens"), m_priceCompletion);
    form->addRow(QString(), m_default);
    auto* testRow = new QHBoxLayout;
    testRow->addWidget(m_test);
    testRow->addStretch(1);
    form->addRow(QString(), testRow);
    form->addRow(tr("Result"), m_result);

    auto* left = new QVBoxLayout;
    left->addWidget(m_list, 1);
    auto* listButtons = new QHBoxLayout;
    listButtons->addWidget(m_add);
    listButtons->addWidget(m_remove);
    left->addLayout(listButtons);

    auto* top = new QHBoxLayout;
    top->addLayout(left, 1);
    top->addWidget(m_form, 3);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (save())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top, 1);
    layout->addWidget(m_error);
    auto* where = new QLabel(tr("Saved in %1").arg(m_path));
    where->setStyleSheet(style::mutedTextCss());
    layout->addWidget(where);
    layout->addWidget(buttons);

    connect(m_list, &QListWidget::currentRowChanged, this, &EndpointSettingsDialog::showProfile);
    connect(m_add, &QPushButton::clicked, this, &EndpointSettingsDialog::addProfile);
    connect(m_remove, &QPushButton::clicked, this, &EndpointSettingsDialog::removeCurrent);
    connect(m_test, &QPushButton::clicked, this, &EndpointSettingsDialog::testConnection);
    connect(m_keyEnv, &QLineEdit::textChanged, this, &EndpointSettingsDialog::updateKeyStatus);
    for (QLineEdit* e : {m_name, m_url, m_replicas, m_model, m_keyEnv})
        connect(e, &QLineEdit::textEdited, this, &EndpointSettingsDialog::storeForm);
    for (QDoubleSpinBox* s : {m_temperature, m_timeout, m_pricePrompt, m_priceCompletion})
        connect(s, &QDoubleSpinBox::valueChanged, this, &EndpointSettingsDialog::storeForm);
    for (QSpinBox* s : {m_maxTokens, m_maxInFlight})
        connect(s, &QSpinBox::valueChanged, this, &EndpointSettingsDialog::storeForm);
    connect(m_default, &QCheckBox::toggled, this, &EndpointSettingsDialog::storeForm);
    load();
}

EndpointSettingsDialog::~EndpointSettingsDialog()
{
    m_testStop.requestStop();
}

void EndpointSettingsDialog::done(int result)
{
    m_testStop.requestStop();
    QDialog::done(result);
}

void EndpointSettingsDialog::load()
{
    try {
        m_profiles = hw::EndpointProfiles::load(m_path.toStdString()).all();
    } catch (const std::exception& e) {
        m_error->setText(QString::fromUtf8(e.what()));
    }
    m_list->clear();
    for (const auto& p : m_profiles)
        m_list->addItem(QString::fromStdString(p.name));
    setFormEnabled(!m_profiles.empty());
    if (!m_profiles.empty()) {
        const int def = m_list->findItems(prefs::defaultEndpoint, Qt::MatchExactly).isEmpty()
            ? 0 : m_list->row(m_list->findItems(prefs::defaultEndpoint, Qt::MatchExactly).first());
        m_list->setCurrentRow(def);
    }
}

void EndpointSettingsDialog::setFormEnabled(bool on)
{
    m_form->setEnabled(on);
    m_remove->setEnabled(on);
}

void EndpointSettingsDialog::showProfile(int row)
{
    m_current = row;
    if (row < 0 || row >= static_cast<int>(m_profiles.size())) {
        setFormEnabled(false);
        return;
    }
    setFormEnabled(true);
    m_loading = true;
    const hw::EndpointProfile& p = m_profiles[static_cast<size_t>(row)];
    m_name->setText(QString::fromStdString(p.name));
    m_url->setText(QString::fromStdString(p.baseUrl));
    QStringList replicas;
    for (const auto& r : p.replicas)
        replicas << QString::fromStdString(r);
    m_replicas->setText(replicas.join(QLatin1Char(' ')));
    m_model->setText(QString::fromStdString(p.model));
    m_keyEnv->setText(QString::fromStdString(p.apiKeyEnv));
    m_temperature->setValue(p.temperature);
    m_maxTokens->setValue(p.maxTokens);
    m_timeout->setValue(p.timeoutS);
    m_maxInFlight->setValue(p.maxInFlight);
    m_pricePrompt->setValue(p.pricePromptPer1k);
    m_priceCompletion->setValue(p.priceCompletionPer1k);
    m_default->setChecked(QString::fromStdString(p.name) == QString(prefs::defaultEndpoint));
    m_result->clear();
    m_loading = false;
    updateKeyStatus();
}

void EndpointSettingsDialog::storeForm()
{
    if (m_loading || m_current < 0 || m_current >= static_cast<int>(m_profiles.size()))
        return;
    hw::EndpointProfile& p = m_profiles[static_cast<size_t>(m_current)];
    const std::string oldName = p.name;
    p.name = m_name->text().trimmed().toStdString();
    p.baseUrl = m_url->text().trimmed().toStdString();
    p.replicas.clear();
    for (const QString& r : m_replicas->text().split(QRegularExpression(QStringLiteral("[\\s,]+")), Qt::SkipEmptyParts))
        p.replicas.push_back(r.toStdString());
    p.model = m_model->text().trimmed().toStdString();
    p.apiKeyEnv = m_keyEnv->text().trimmed().toStdString();
    p.temperature = m_temperature->value();
    p.maxTokens = m_maxTokens->value();
    p.timeoutS = m_timeout->value();
    p.maxInFlight = m_maxInFlight->value();
    p.pricePromptPer1k = m_pricePrompt->value();
    p.priceCompletionPer1k = m_priceCompletion->value();
    if (QListWidgetItem* item = m_list->item(m_current))
        item->setText(QString::fromStdString(p.name));
    m_error->clear();
}

void EndpointSettingsDialog::updateKeyStatus()
{
    const QString var = m_keyEnv->text().trimmed();
    if (var.isEmpty()) {
        m_keyStatus->setText(tr("no key sent"));
        m_keyStatus->setStyleSheet(style::mutedTextCss());
    } else if (qEnvironmentVariableIsEmpty(var.toLocal8Bit().constData())) {
        m_keyStatus->setText(tr("✗ not set in this environment"));
        m_keyStatus->setStyleSheet(style::warningTextCss());
    } else {
        m_keyStatus->setText(tr("✓ set"));
        m_keyStatus->setStyleSheet(style::okTextCss());
    }
}

void EndpointSettingsDialog::addProfile()
{
    hw::EndpointProfile p;
    QString name = tr("endpoint");
    for (int i = 2;; ++i) {
        bool taken = false;
        for (const auto& q : m_profiles)
            taken |= QString::fromStdString(q.name) == name;
        if (!taken)
            break;
        name = tr("endpoint-%1").arg(i);
    }
    p.name = name.toStdString();
    p.baseUrl = "http://127.0.0.1:8000/v1";
    m_profiles.push_back(p);
    m_list->addItem(name);
    m_list->setCurrentRow(static_cast<int>(m_profiles.size()) - 1);
    m_name->setFocus();
    m_name->selectAll();
}

void EndpointSettingsDialog::removeCurrent()
{
    const int row = m_list->currentRow();
    if (row < 0 || row >= static_cast<int>(m_profiles.size()))
        return;
    m_profiles.erase(m_profiles.begin() + row);
    m_current = -1;
    delete m_list->takeItem(row);
    if (m_profiles.empty())
        setFormEnabled(false);
}

bool EndpointSettingsDialog::save()
{
    storeForm();
    hw::EndpointProfiles out;
    try {
        for (const auto& p : m_profiles) {
            if (p.name.empty())
                throw hw::Error("every endpoint profile needs a name");
            if (out.find(p.name))
                throw hw::Error("two endpoint profiles are named '" + p.name + "'");
            out.upsert(p);
        }
        out.save(m_path.toStdString());
    } catch (const std::exception& e) {
        m_error->setText(QString::fromUtf8(e.what()));
        return false;
    }
    if (m_current >= 0 && m_current < static_cast<int>(m_profiles.size())) {
        const QString name = QString::fromStdString(m_profiles[static_cast<size_t>(m_current)].name);
        if (m_default->isChecked())
            prefs::defaultEndpoint = name;
        else if (QString(prefs::defaultEndpoint) == name)
            prefs::defaultEndpoint = QString();
    }
    return true;
}

void EndpointSettingsDialog::testConnection()
{
    storeForm();
    if (m_current < 0 || m_current >= static_cast<int>(m_profiles.size()))
        return;
    const hw::EndpointProfile profile = m_profiles[static_cast<size_t>(m_current)];
    // Newest request wins: an older test still in flight is stopped and its answer ignored.
    m_testStop.requestStop();
    m_testStop = hw::StopToken();
    const int generation = ++m_testGeneration;
    m_result->setText(tr("Sending a tiny request to %1 …").arg(QString::fromStdString(profile.chatCompletionsUrl())));
    m_result->setStyleSheet(QString());
    const hw::StopToken stop = m_testStop;
    QtConcurrent::run([profile, stop] { return hw::testConnection(profile, stop); })
        .then(this, [this, generation](const hw::ConnectionTest& r) {
            if (generation != m_testGeneration)
                return;
            const QString msg = QString::fromStdString(r.message);
            m_result->setText(r.ok ? tr("✓ %1").arg(msg) : tr("✗ %1").arg(msg));
            m_result->setStyleSheet(r.ok ? style::okTextCss() : style::errorTextCss());
            Q_EMIT testFinished(r.ok, msg);
        });
}

} // namespace hw::ui
