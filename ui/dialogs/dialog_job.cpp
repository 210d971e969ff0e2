#include "ui/dialogs/dialog_job.h"

#include "ui/style/ui_style.h"

#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QThread>

#include <utility>

namespace hw::ui {

DialogJob::DialogJob(QDialog* dialog, QProgressBar* progress, QLabel* status, QPlainTextEdit* error)
    : m_dialog(dialog), m_progress(progress), m_status(status), m_error(error)
{
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_status->setWordWrap(true);
    m_error->setReadOnly(true);
    m_error->setStyleSheet(QStringLiteral("QPlainTextEdit { color: %1; background: %2; }")
                               .arg(style::errorText().name(), style::errorBackground().name()));
}

DialogJob::~DialogJob()
{
    m_closeWhenDone = false; // the dialog is going away already
    if (m_cancel)
        m_cancel();
    finishThread();
}

void DialogJob::launch(QObject* worker, const QString& threadName, const QString& statusText,
                       std::function<void()> cancel, std::function<void()> run)
{
    m_error->clear();
    m_error->hide();
    m_status->setText(statusText);
    m_progress->setRange(0, 0); // busy until the first report with a total

    m_thread = new QThread(m_dialog);
    m_thread->setObjectName(threadName);
    m_cancel = std::move(cancel);
    worker->moveToThread(m_thread);
    QObject::connect(m_thread, &QThread::finished, worker, &QObject::deleteLater);
    m_thread->start();
    QMetaObject::invokeMethod(worker, std::move(run), Qt::QueuedConnection);
}

void DialogJob::showProgress(qint64 done, qint64 total)
{
    if (total <= 0)
        return;
    // QProgressBar is int-based; scale so 100k+ items still fit.
    m_progress->setRange(0, 1000);
    m_progress->setValue(static_cast<int>(1000 * done / total));
    m_progress->setFormat(QStringLiteral("%1 / %2").arg(QLocale().toString(done), QLocale().toString(total)));
}

void DialogJob::finish(Outcome outcome, const QString& statusText)
{
    finishThread();
    m_progress->setRange(0, 1);
    m_progress->setValue(outcome == Outcome::Done ? 1 : 0);
    m_progress->setFormat(outcome == Outcome::Done     ? tr("done")
                          : outcome == Outcome::Failed ? tr("failed")
                                                       : tr("cancelled"));
    m_status->setText(statusText);
}

void DialogJob::cancel()
{
    if (m_cancel) {
        m_cancel();
        m_status->setText(tr("Cancelling…"));
    }
}

bool DialogJob::cancelOnClose()
{
    if (!isRunning())
        return false;
    m_closeWhenDone = true;
    cancel();
    return true;
}

void DialogJob::showError(const QString& message)
{
    m_error->setPlainText(message);
    m_error->show();
}

void DialogJob::finishThread()
{
    if (!m_thread)
        return;
    m_thread->quit();
    m_thread->wait();
    delete m_thread; // the worker went with deleteLater on the thread's finished()
    m_thread = nullptr;
    m_cancel = nullptr;
    if (m_closeWhenDone) {
        m_closeWhenDone = false;
        // QDialog's own reject(): the dialog's override would only cancel again.
        QMetaObject::invokeMethod(m_dialog, [dialog = m_dialog] { dialog->QDialog::reject(); },
                                  Qt::QueuedConnection);
    }
}

} // namespace hw::ui
