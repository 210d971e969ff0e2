#pragma once
// The worker-thread plumbing of a dialog that runs one long job (Import, Export): the worker
// QObject moves to its own QThread, reports to the dialog's progress bar and status line, and is
// cancelled through its atomic stop flag; closing the dialog while it runs cancels first and
// closes once the worker has stopped. A worker type needs
//   void cancel();                              // thread-safe
//   void run(const Request&);                   // slot, runs on the worker thread
//   Q_SIGNAL void progress(qint64 done, qint64 total, const QString& message);
// plus result signals that the dialog connects itself; each of them must end in finish().
//
//   m_job(this, m_progress, m_status, m_error)   // member, after the widgets
//   auto* worker = new ExportWorker;
//   connect(worker, &ExportWorker::finished, this, [this](...) { m_job.finish(DialogJob::Outcome::Done, ...); });
//   m_job.start(worker, QStringLiteral("export"), tr("Writing…"), request);
#include <QCoreApplication>
#include <QDialog>
#include <QMetaObject>
#include <QString>

#include <functional>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QThread;

namespace hw::ui {

class DialogJob {
    Q_DECLARE_TR_FUNCTIONS(hw::ui::DialogJob)
public:
    enum class Outcome { Done, Failed, Cancelled };

    // The widgets belong to the dialog. The bar starts at 0 of 1, the status line wraps and the
    // error box is read-only and red; the dialog decides the error box's size and visibility.
    DialogJob(QDialog* dialog, QProgressBar* progress, QLabel* status, QPlainTextEdit* error);
    // Cancels a running job and waits for its thread (the dialog's widgets are still alive when a
    // member is destroyed).
    ~DialogJob();
    DialogJob(const DialogJob&) = delete;
    DialogJob& operator=(const DialogJob&) = delete;

    bool isRunning() const { return m_thread != nullptr; }

    // Clears the error box, shows statusText over a busy bar, then runs worker->run(request) on a
    // new thread named threadName; the job owns the worker from here. Connect the worker's result
    // signals before calling: it may finish before this returns.
    template <class Worker, class Request>
    void start(Worker* worker, const QString& threadName, const QString& statusText, const Request& request)
    {
        QObject::connect(worker, &Worker::progress, m_dialog,
                         [this](qint64 done, qint64 total) { showProgress(done, total); });
        launch(worker, threadName, statusText, [worker] { worker->cancel(); },
               [worker, request] { worker->run(request); });
    }

    // From the handler of the worker's last signal: waits for the thread to end, then shows the
    // outcome on the bar and statusText on the status line.
    void finish(Outcome outcome, const QString& statusText);
    // Asks a running worker to stop; it then emits its cancelled (or final) signal.
    void cancel();
    // For the dialog's reject(): while running, cancels and returns true; the dialog closes once
    // the worker has stopped. False when nothing runs (close now).
    bool cancelOnClose();
    void showError(const QString& message);

private:
    void launch(QObject* worker, const QString& threadName, const QString& statusText,
                std::function<void()> cancel, std::function<void()> run);
    void showProgress(qint64 done, qint64 total);
    void finishThread();

    QDialog* m_dialog;
    QProgressBar* m_progress;
    QLabel* m_status;
    QPlainTextEdit* m_error;
    QThread* m_thread = nullptr;
    std::function<void()> m_cancel; // set while the worker runs
    bool m_closeWhenDone = false;   // closed while running: close once the worker has stopped
};

} // namespace hw::ui
