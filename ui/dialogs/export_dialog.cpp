#include "ui/dialogs/export_dialog.h"

#include "core/store/dialogue_store.h"
#include "ui/project_session.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include <exception>

namespace hw::ui {

ExportDialog::ExportDialog(ProjectSession* session, QWidget* parent)
    : QDialog(parent),
      m_session(session),
      m_task(new QComboBox(this)),
      m_labeledOnly(new QCheckBox(tr("Only dialogues with a reward"), this)),
      m_plain(new QCheckBox(tr("Plain messages: role and content only (strict OpenAI / TRL layout; "
                               "turn annotations such as strategies are left out)"), this)),
      m_path(new QLineEdit(this)),
      m_browse(new QPushButton(tr("Browse…"), this)),
      m_progress(new QProgressBar(this)),
      m_status(new QLabel(this)),
      m_error(new QPlainTextEdit(this)),
      m_export(new QPushButton(tr("Export"), this)),
      m_cancel(new QPushButton(tr("Close"), this)),
      m_job(this, m_progress, m_status, m_error)
{
    setWindowTitle(tr("Export Dialogues"));
    setObjectName(QStringLiteral("exportDialog"));
    resize(620, 320);

    m_task->addItem(tr("All tasks"), QString());
    if (m_session->isOpen()) {
        try {
            for (const auto& t : hw::DialogueStore(m_session->db()).tasks())
                m_task->addItem(QString::fromStdString(t.name), QString::fromStdString(t.name));
        } catch (const std::exception& e) {
            m_job.showError(QString::fromUtf8(e.what()));
        }
    }
    m_plain->setObjectName(QStringLiteral("exportPlain"));
    m_path->setObjectName(QStringLiteral("exportPath"));
    m_path->setText(defaultPath());
    m_error->setObjectName(QStringLiteral("exportError"));
    m_error->setMaximumHeight(90);
    m_error->setVisible(!m_error->toPlainText().isEmpty());
    m_export->setDefault(true);

    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(m_browse);
    auto* form = new QFormLayout;
    form->addRow(tr("Task:"), m_task);
    m_task->setToolTip(tr("Export the dialogues of one task, or of every task"));
    m_labeledOnly->setToolTip(tr("Leave out dialogues that have no reward label yet"));
    m_plain->setToolTip(tr("Write only role and content per message, without rewards or metadata, for trainers "
                           "that reject extra fields"));
    m_path->setToolTip(tr("The JSON Lines file to write (one dialogue per line)"));
    form->addRow(QString(), m_labeledOnly);
    form->addRow(QString(), m_plain);
    form->addRow(tr("JSONL file:"), pathRow);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_export);
    buttons->addWidget(m_cancel);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addStretch(1);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_error);
    layout->addLayout(buttons);

    connect(m_task, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_pathEdited)
            m_path->setText(defaultPath());
    });
    connect(m_path, &QLineEdit::textEdited, this, [this] { m_pathEdited = true; updateUi(); });
    connect(m_browse, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(m_export, &QPushButton::clicked, this, &ExportDialog::startExport);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (isRunning())
            cancelExport();
        else
            reject();
    });
    updateUi();
}

void ExportDialog::setTask(const QString& task)
{
    const int i = m_task->findData(task);
    m_task->setCurrentIndex(i >= 0 ? i : 0);
}

QString ExportDialog::task() const { return m_task->currentData().toString(); }

void ExportDialog::setOutputPath(const QString& path)
{
    m_path->setText(path);
    m_pathEdited = true;
    updateUi();
}

QString ExportDialog::outputPath() const { return m_path->text().trimmed(); }
void ExportDialog::setLabeledOnly(bool on) { m_labeledOnly->setChecked(on); }
void ExportDialog::setPlainMessages(bool on) { m_plain->setChecked(on); }
QString ExportDialog::errorText() const { return m_error->toPlainText(); }
QString ExportDialog::summaryText() const { return m_status->text(); }

QString ExportDialog::defaultPath() const
{
    if (!m_session->isOpen())
        return QString();
    const QFileInfo project(m_session->path());
    const QString name = task().isEmpty() ? project.completeBaseName()
                                          : project.completeBaseName() + QLatin1Char('-') + task();
    return project.absoluteDir().filePath(name + QStringLiteral(".jsonl"));
}

void ExportDialog::browse()
{
    // The file dialog asks before replacing an existing file.
    const QString file = QFileDialog::getSaveFileName(this, tr("Export Dialogues"), outputPath(),
                                                      tr("JSON Lines (*.jsonl);;All files (*)"));
    if (!file.isEmpty())
        setOutputPath(file);
}

void ExportDialog::updateUi()
{
    const bool running = isRunning();
    for (QWidget* w : std::initializer_list<QWidget*>{m_task, m_labeledOnly, m_plain, m_path, m_browse})
        w->setEnabled(!running);
    m_export->setEnabled(!running && m_session->isOpen() && !outputPath().isEmpty());
    m_cancel->setText(running ? tr("Cancel") : tr("Close"));
}

void ExportDialog::startExport()
{
    if (isRunning() || !m_session->isOpen() || outputPath().isEmpty())
        return;
    ExportRequest request;
    request.projectPath = m_session->path();
    request.outputPath = outputPath();
    request.task = task();
    request.labeledOnly = m_labeledOnly->isChecked();
    request.plainMessages = m_plain->isChecked();

    auto* worker = new ExportWorker;
    connect(worker, &ExportWorker::finished, this, [this](const hw::ExportResult& r) {
        const QLocale loc;
        m_job.finish(DialogJob::Outcome::Done,
                     tr("Wrote %1 dialogues (%2 turns) to %3.")
                         .arg(loc.toString(static_cast<qlonglong>(r.dialogues)),
                              loc.toString(static_cast<qlonglong>(r.turns)),
                              QString::fromStdString(r.path)));
        m_session->showStatus(m_status->text(), 10000);
        updateUi();
        Q_EMIT exportFinished(r);
    });
    connect(worker, &ExportWorker::failed, this, [this](const QString& msg) {
        m_job.finish(DialogJob::Outcome::Failed, tr("Nothing was written."));
        m_job.showError(msg);
        updateUi();
        Q_EMIT exportFailed(msg);
    });
    connect(worker, &ExportWorker::cancelled, this, [this] {
        m_job.finish(DialogJob::Outcome::Cancelled, tr("Cancelled; nothing was written."));
        updateUi();
        Q_EMIT exportCancelled();
    });
    m_job.start(worker, QStringLiteral("export"), tr("Writing %1…").arg(request.outputPath), request);
    updateUi();
}

void ExportDialog::cancelExport()
{
    m_job.cancel();
}

void ExportDialog::reject()
{
    // Closing while running means cancel; the partial file is removed, then the dialog closes.
    if (!m_job.cancelOnClose())
        QDialog::reject();
}

} // namespace hw::ui
