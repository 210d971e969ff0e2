#include "ui/dialogs/import_dialog.h"

#include "ui/project_session.h"
#include "ui/settings/workbench_settings.h"
#include "ui/style/ui_style.h"
#include "ui/workers/import_worker.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace hw::ui {

ImportDialog::ImportDialog(ProjectSession* session, QWidget* parent)
    : QDialog(parent),
      m_session(session),
      m_format(new QComboBox(this)),
      m_hint(new QLabel(this)),
      m_paths(new QListWidget(this)),
      m_addFiles(new QPushButton(tr("Add Files…"), this)),
      m_addFolder(new QPushButton(tr("Add Folder…"), this)),
      m_remove(new QPushButton(tr("Remove"), this)),
      m_defaultTask(new QComboBox(this)),
      m_defaultTaskLabel(new QLabel(tr("Task of lines without \"task\":"), this)),
      m_progress(new QProgressBar(this)),
      m_status(new QLabel(this)),
      m_error(new QPlainTextEdit(this)),
      m_import(new QPushButton(tr("Import"), this)),
      m_cancel(new QPushButton(tr("Close"), this)),
      m_job(this, m_progress, m_status, m_error)
{
    setWindowTitle(tr("Import Dialogues"));
    setObjectName(QStringLiteral("importDialog"));
    resize(640, 460);

    m_format->addItem(tr("ESConv — JSON Lines (Hugging Face) or JSON array"), int(hw::ImportFormat::Esconv));
    m_format->addItem(tr("PersuasionForGood — full_dialog.csv + full_info.csv"), int(hw::ImportFormat::P4g));
    m_format->addItem(tr("JSONL — chat layout (id, task, messages, reward, metadata)"), int(hw::ImportFormat::Jsonl));
    try {
        setFormat(hw::importFormatFromString(prefs::lastImportFormat.get().toStdString()));
    } catch (const std::exception&) {
        setFormat(hw::ImportFormat::Jsonl);
    }
    m_hint->setWordWrap(true);
    m_hint->setStyleSheet(style::secondaryTextCss());
    m_paths->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_paths->setObjectName(QStringLiteral("importPaths"));
    m_defaultTask->setEditable(true);
    m_defaultTask->addItems({QStringLiteral("counseling"), QStringLiteral("persuasion")});
    m_progress->setTextVisible(true);
    m_error->setObjectName(QStringLiteral("importError"));
    m_error->setMaximumHeight(110);
    m_error->hide();
    m_import->setDefault(true);

    auto* pathButtons = new QVBoxLayout;
    pathButtons->addWidget(m_addFiles);
    pathButtons->addWidget(m_addFolder);
    pathButtons->addWidget(m_remove);
    pathButtons->addStretch(1);
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_paths, 1);
    pathRow->addLayout(pathButtons);

    auto* form = new QFormLayout;
    form->addRow(tr("Format:"), m_format);
    m_format->setToolTip(tr("The file layout: ESConv JSON, PersuasionForGood CSV, or chat JSON Lines (one dialogue "
                            "per line); Auto-detect reads the first bytes"));
    m_defaultTask->setToolTip(tr("The task given to JSONL lines that do not name one with a \"task\" field"));
    m_paths->setToolTip(tr("The files to import; a folder imports every file in it that the format reads"));
    form->addRow(QString(), m_hint);
    form->addRow(m_defaultTaskLabel, m_defaultTask);

    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_import);
    buttons->addWidget(m_cancel);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("Files or folders:"), this));
    layout->addLayout(pathRow, 1);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_error);
    layout->addLayout(buttons);

    connect(m_format, &QComboBox::currentIndexChanged, this, &ImportDialog::updateUi);
    connect(m_addFiles, &QPushButton::clicked, this, &ImportDialog::addFiles);
    connect(m_addFolder, &QPushButton::clicked, this, &ImportDialog::addFolder);
    connect(m_remove, &QPushButton::clicked, this, [this] { qDeleteAll(m_paths->selectedItems()); updateUi(); });
    connect(m_paths, &QListWidget::itemSelectionChanged, this, &ImportDialog::updateUi);
    connect(m_import, &QPushButton::clicked, this, &ImportDialog::startImport);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (isRunning())
            cancelImport();
        else
            reject();
    });
    updateUi();
}

void ImportDialog::setFormat(hw::ImportFormat format)
{
    m_format->setCurrentIndex(m_format->findData(int(format)));
}

hw::ImportFormat ImportDialog::format() const
{
    return static_cast<hw::ImportFormat>(m_format->currentData().toInt());
}

void ImportDialog::setPaths(const QStringList& paths)
{
    m_paths->clear();
    m_paths->addItems(paths);
    updateUi();
}

QStringList ImportDialog::paths() const
{
    QStringList out;
    for (int i = 0; i < m_paths->count(); ++i)
        out << m_paths->item(i)->text();
    return out;
}

QString ImportDialog::errorText() const { return m_error->isVisible() || !m_error->toPlainText().isEmpty() ? m_error->toPlainText() : QString(); }
QString ImportDialog::summaryText() const { return m_status->text(); }

QString ImportDialog::formatHint() const
{
    switch (format()) {
    case hw::ImportFormat::Esconv:
        return tr("Counseling dialogues. Reward = initial − final emotion intensity; dialogues without a "
                  "final intensity are imported unlabeled. Add the files or the ESConv folder.");
    case hw::ImportFormat::P4g:
        return tr("Persuasion dialogues. Reward = the persuadee's donation, clipped to [0, 2] (raw value "
                  "kept and flagged when outside). Add the folder holding both CSV files, or the two files.");
    case hw::ImportFormat::Jsonl:
        return tr("One dialogue per line in the TRL / OpenAI chat layout; what `hindsight export` writes.");
    }
    return {};
}

void ImportDialog::addFiles()
{
    const QString filter = format() == hw::ImportFormat::P4g ? tr("CSV files (*.csv);;All files (*)")
        : format() == hw::ImportFormat::Esconv ? tr("JSON (*.json *.jsonl);;All files (*)")
                                                : tr("JSON Lines (*.jsonl *.json);;All files (*)");
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Add Files"), prefs::lastImportDir, filter);
    if (files.isEmpty())
        return;
    prefs::lastImportDir = QFileInfo(files.first()).absolutePath();
    for (const QString& f : files)
        if (!paths().contains(f))
            m_paths->addItem(f);
    updateUi();
}

void ImportDialog::addFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Add Folder"), prefs::lastImportDir);
    if (dir.isEmpty())
        return;
    prefs::lastImportDir = dir;
    if (!paths().contains(dir))
        m_paths->addItem(dir);
    updateUi();
}

void ImportDialog::updateUi()
{
    const bool running = isRunning();
    m_hint->setText(formatHint());
    const bool jsonl = format() == hw::ImportFormat::Jsonl;
    m_defaultTask->setVisible(jsonl);
    m_defaultTaskLabel->setVisible(jsonl);
    for (QWidget* w : std::initializer_list<QWidget*>{m_format, m_paths, m_addFiles, m_addFolder, m_defaultTask})
        w->setEnabled(!running);
    m_remove->setEnabled(!running && !m_paths->selectedItems().isEmpty());
    m_import->setEnabled(!running && m_paths->count() > 0 && m_session->isOpen());
    m_cancel->setText(running ? tr("Cancel") : tr("Close"));
}

void ImportDialog::startImport()
{
    if (isRunning() || !m_session->isOpen() || m_paths->count() == 0)
        return;
    prefs::lastImportFormat = QString::fromStdString(hw::toString(format()));
    ImportRequest request;
    request.projectPath = m_session->path();
    request.format = format();
    request.paths = paths();
    request.defaultTask = m_defaultTask->currentText().trimmed();

    auto* worker = new ImportWorker;
    // The importer's stage and message; the job draws the bar from the same signal.
    connect(worker, &ImportWorker::progress, this,
            [this](qint64, qint64, const QString& msg) { m_status->setText(msg); });
    connect(worker, &ImportWorker::finished, this, [this](const hw::ImportResult& r) {
        const QLocale loc;
        m_job.finish(DialogJob::Outcome::Done,
                     tr("Imported %1 new dialogues (%2 read, %3 already in the project, %4 unlabeled, %5 flagged).")
                         .arg(loc.toString(static_cast<qlonglong>(r.inserted)),
                              loc.toString(static_cast<qlonglong>(r.read)),
                              loc.toString(static_cast<qlonglong>(r.duplicates)),
                              loc.toString(static_cast<qlonglong>(r.unlabeled)),
                              loc.toString(static_cast<qlonglong>(r.flagged))));
        m_session->showStatus(m_status->text(), 10000);
        if (r.inserted > 0)
            m_session->notifyDialoguesChanged();
        updateUi();
        Q_EMIT importFinished(r);
    });
    connect(worker, &ImportWorker::failed, this, [this](const QString& msg) {
        m_job.finish(DialogJob::Outcome::Failed, tr("Nothing was imported; the project is unchanged."));
        m_job.showError(msg);
        updateUi();
        Q_EMIT importFailed(msg);
    });
    connect(worker, &ImportWorker::cancelled, this, [this] {
        m_job.finish(DialogJob::Outcome::Cancelled, tr("Cancelled; the project is unchanged."));
        updateUi();
        Q_EMIT importCancelled();
    });
    // The busy bar stays until the importer knows its total.
    m_job.start(worker, QStringLiteral("import"), tr("Reading…"), request);
    updateUi();
}

void ImportDialog::cancelImport()
{
    m_job.cancel();
}

void ImportDialog::reject()
{
    // Closing while running means cancel; the import rolls back, then the dialog closes.
    if (!m_job.cancelOnClose())
        QDialog::reject();
}

} // namespace hw::ui
