#include "ui/pages/tasks/tasks_page.h"

#include "core/data/task_json.h"
#include "core/io/atomic_file.h"
#include "core/io/text_util.h"
#include "core/llm/llm_client.h"
#include "core/pipeline/task_drafter.h"
#include "core/prompts/prompt_library.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "ui/commands/task_definition_command.h"
#include "ui/project_session.h"
#include "ui/style/ui_style.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStyle>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <exception>

namespace hw::ui {
namespace {

constexpr int kNameRole = Qt::UserRole;

// A starting point for a new task: every field present, so the researcher fills in values.
hw::Task newTaskTemplate()
{
    hw::Task t;
    t.name = "new-task";
    t.description = "What the conversation is for, in one paragraph.";
    t.agentRole = "agent";
    t.agentRoleDescription = "Who the agent is and what it tries to achieve.";
    t.userRole = "user";
    t.userRoleDescription = "Who the user is and what they keep hidden.";
    t.opener = "agent";
    t.turnCap = 12;
    t.rewardName = "what the reward measures";
    t.rewardMin = 0;
    t.rewardMax = 5;
    t.rewardRubric = "How the score is given.";
    t.outcomeQuestion = "The question put to the user at the end, answered with the score.";
    return t;
}

} // namespace

QIcon TasksPage::icon() const { return style()->standardIcon(QStyle::SP_FileIcon); }

TasksPage::TasksPage(ProjectSession* session, QWidget* parent)
    : Page(session, parent),
      m_list(new QListWidget(this)),
      m_editor(new QPlainTextEdit(this)),
      m_status(new QLabel(this)),
      m_save(new QPushButton(tr("Save"), this)),
      m_draft(new QPushButton(tr("Draft from description…"), this))
{
    setObjectName(QStringLiteral("tasksPage"));
    m_editor->setObjectName(QStringLiteral("taskDefinitionEditor"));
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* newButton = new QPushButton(tr("New"), this);
    auto* importButton = new QPushButton(tr("Import…"), this);
    auto* exportButton = new QPushButton(tr("Export…"), this);
    auto* buttons = new QHBoxLayout;
    for (QPushButton* b : {newButton, m_draft, importButton, exportButton})
        buttons->addWidget(b);
    buttons->addStretch(1);
    buttons->addWidget(m_save);

    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addLayout(buttons);
    rightLayout->addWidget(m_editor, 1);
    rightLayout->addWidget(m_status);

    auto* splitter = new QSplitter(this);
    splitter->addWidget(m_list);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 6);
    layout->addWidget(splitter);

    connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
        if (item)
            selectTask(item->data(kNameRole).toString());
    });
    connect(m_editor, &QPlainTextEdit::textChanged, this, &TasksPage::check);
    connect(m_save, &QPushButton::clicked, this, &TasksPage::save);
    connect(newButton, &QPushButton::clicked, this, [this] { selectTask({}); });
    connect(m_draft, &QPushButton::clicked, this, &TasksPage::askForDraft);
    connect(importButton, &QPushButton::clicked, this, &TasksPage::askForImport);
    connect(exportButton, &QPushButton::clicked, this, &TasksPage::askForExport);
    connect(session, &ProjectSession::opened, this, &TasksPage::markStale);
    connect(session, &ProjectSession::closed, this, &TasksPage::markStale);
    connect(session, &ProjectSession::dialoguesChanged, this, &TasksPage::markStale);
}

TasksPage::~TasksPage() { m_draftStop.requestStop(); }

void TasksPage::activated()
{
    if (m_stale)
        refresh();
}

void TasksPage::markStale()
{
    m_stale = true;
    if (isVisible())
        refresh();
}

void TasksPage::refresh()
{
    m_stale = false;
    const QString current = m_list->currentItem() ? m_list->currentItem()->data(kNameRole).toString() : QString();
    const QSignalBlocker block(m_list);
    m_list->clear();
    if (!session()->isOpen()) {
        m_editor->clear();
        showMessage(tr("No project open."), false);
        return;
    }
    try {
        hw::DialogueStore store(session()->db());
        for (const auto& t : store.tasks()) {
            QString label = QString::fromStdString(t.name);
            if (t.builtin())
                label += tr(" (built-in)");
            try {
                hw::validateTask(t);
            } catch (const hw::TaskDefinitionError&) {
                label += tr(" (incomplete)");
            }
            auto* item = new QListWidgetItem(label, m_list);
            item->setData(kNameRole, QString::fromStdString(t.name));
            if (item->data(kNameRole).toString() == current)
                m_list->setCurrentItem(item);
        }
    } catch (const std::exception& e) {
        showMessage(tr("Cannot read the tasks: %1").arg(QString::fromUtf8(e.what())), true);
    }
}

void TasksPage::selectTask(const QString& name)
{
    hw::Task task = newTaskTemplate();
    if (!name.isEmpty() && session()->isOpen()) {
        try {
            if (const auto t = hw::DialogueStore(session()->db()).task(name.toStdString()))
                task = *t;
        } catch (const std::exception& e) {
            showMessage(QString::fromUtf8(e.what()), true);
            return;
        }
    }
    m_editor->setPlainText(QString::fromStdString(hw::taskToJson(task).dump(2)));
}

void TasksPage::showMessage(const QString& text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: %1;").arg(style::errorText().name())
                                  : QStringLiteral("color: %1;").arg(style::okText().name()));
}

void TasksPage::check()
{
    try {
        const hw::Task t = hw::parseTaskJson(m_editor->toPlainText().toStdString(), "definition");
        m_problem.clear();
        showMessage(tr("Valid definition of task '%1'.").arg(QString::fromStdString(t.name)), false);
    } catch (const std::exception& e) {
        m_problem = QString::fromUtf8(e.what());
        showMessage(m_problem, true);
    }
    m_save->setEnabled(m_problem.isEmpty() && session()->isOpen());
}

bool TasksPage::save()
{
    if (!session()->isOpen())
        return false;
    hw::Task task;
    try {
        task = hw::parseTaskJson(m_editor->toPlainText().toStdString(), "definition");
        hw::DialogueStore store(session()->db());
        if (const auto existing = store.task(task.name)) {
            auto* command = new TaskDefinitionCommand(session(), *existing, task);
            session()->undoStack()->push(command);
        } else {
            hw::Transaction tx(session()->db());
            store.createTask(task);
            tx.commit();
            session()->notifyDialoguesChanged();
        }
    } catch (const std::exception& e) {
        showMessage(QString::fromUtf8(e.what()), true);
        return false;
    }
    refresh();
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->data(kNameRole).toString() == QString::fromStdString(task.name)) {
            const QSignalBlocker block(m_list);
            m_list->setCurrentRow(i);
        }
    showMessage(tr("Saved task '%1'.").arg(QString::fromStdString(task.name)), false);
    return true;
}

bool TasksPage::importFile(const QString& path)
{
    try {
        const hw::Task t = hw::parseTaskJson(hw::text::readFile(path.toStdString()), path.toStdString());
        m_editor->setPlainText(QString::fromStdString(hw::taskToJson(t).dump(2)));
    } catch (const std::exception& e) {
        m_editor->setPlainText(QString());
        showMessage(QString::fromUtf8(e.what()), true);
        return false;
    }
    return save();
}

bool TasksPage::exportFile(const QString& path)
{
    try {
        const hw::Task t = hw::parseTaskJson(m_editor->toPlainText().toStdString(), "definition");
        hw::AtomicFileWriter out(path.toStdString());
        out.write(hw::taskToJson(t).dump(2) + "\n");
        out.commit();
    } catch (const std::exception& e) {
        showMessage(QString::fromUtf8(e.what()), true);
        return false;
    }
    showMessage(tr("Exported to %1.").arg(path), false);
    return true;
}

void TasksPage::startDraft(const hw::EndpointProfile& profile, const QString& description, const QString& name)
{
    // Newest request wins: an older draft still in flight is stopped and its answer ignored.
    m_draftStop.requestStop();
    m_draftStop = hw::StopToken();
    const int generation = ++m_draftGeneration;
    const hw::StopToken stop = m_draftStop;
    hw::TaskDraftConfig config;
    config.description = description.toStdString();
    config.name = name.toStdString();
    showMessage(tr("Drafting with %1 …").arg(QString::fromStdString(profile.model)), false);
    m_draft->setEnabled(false);
    struct Outcome {
        bool ok = false;
        std::string json;
        std::string error;
    };
    QtConcurrent::run([profile, config, stop] {
        Outcome out;
        try {
            hw::LlmClient llm(profile);
            const hw::TaskDraftResult r = hw::draftTask(llm, hw::PromptLibrary(), config, stop);
            out.json = hw::taskToJson(r.task).dump(2);
            out.ok = true;
        } catch (const std::exception& e) {
            out.error = e.what();
        }
        return out;
    }).then(this, [this, generation](const Outcome& out) {
        if (generation != m_draftGeneration)
            return;
        m_draft->setEnabled(true);
        if (!out.ok) {
            showMessage(tr("Draft failed: %1").arg(QString::fromStdString(out.error)), true);
            Q_EMIT draftFinished(false, QString::fromStdString(out.error));
            return;
        }
        {
            const QSignalBlocker block(m_list);
            m_list->setCurrentItem(nullptr);
        }
        m_editor->setPlainText(QString::fromStdString(out.json)); // not saved: the researcher edits, then Save
        Q_EMIT draftFinished(true, m_problem);
    });
}

void TasksPage::askForDraft()
{
    const auto profiles = hw::EndpointProfiles::load(hw::EndpointProfiles::defaultPath()).all();
    if (profiles.empty()) {
        showMessage(tr("No LLM endpoint profile: add one in the endpoint settings first."), true);
        return;
    }
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Draft a task"));
    auto* description = new QPlainTextEdit(&dialog);
    description->setPlaceholderText(tr("Describe the task: who talks with whom, about what, what the agent "
                                       "must find out, and what counts as success."));
    auto* name = new QLineEdit(&dialog);
    name->setPlaceholderText(tr("optional: the LLM proposes one"));
    auto* endpoint = new QComboBox(&dialog);
    for (const auto& p : profiles)
        endpoint->addItem(QString::fromStdString(p.name));
    auto* box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    auto* form = new QFormLayout(&dialog);
    form->addRow(tr("Description"), description);
    form->addRow(tr("Name"), name);
    form->addRow(tr("Endpoint"), endpoint);
    form->addRow(box);
    connect(box, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted || description->toPlainText().trimmed().isEmpty())
        return;
    startDraft(profiles[static_cast<size_t>(endpoint->currentIndex())], description->toPlainText(), name->text().trimmed());
}

void TasksPage::askForImport()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import task definition"), {}, tr("Task definitions (*.json)"));
    if (!path.isEmpty())
        importFile(path);
}

void TasksPage::askForExport()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export task definition"), {}, tr("Task definitions (*.json)"));
    if (!path.isEmpty())
        exportFile(path);
}

} // namespace hw::ui
