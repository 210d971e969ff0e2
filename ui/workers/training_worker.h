#pragma once
// Trains one run off the GUI thread through hw::launchRun (core/train/run_launcher.h). The run
// shows up on the runs page through the metrics poller like any other; this worker only reports
// progress lines and the end. Usage:
//   auto* worker = new TrainingWorker;  worker->moveToThread(thread);  thread->start();
//   QMetaObject::invokeMethod(worker, [=] { worker->run(request); }, Qt::QueuedConnection);
//   worker->stop();   // from the GUI thread: stops after the current step, with a checkpoint
#include "core/train/run_launcher.h"
#include "core/util/progress.h"

#include <QMetaType>
#include <QObject>
#include <QString>

namespace hw::ui {

class TrainingWorker : public QObject {
    Q_OBJECT
public:
    explicit TrainingWorker(QObject* parent = nullptr);

    // Thread-safe.
    void stop() { m_stop.requestStop(); }
    bool stopRequested() const { return m_stop.stopRequested(); }

public Q_SLOTS:
    void run(const hw::RunLaunchRequest& request);

Q_SIGNALS:
    void progress(qint64 done, qint64 total, const QString& message);
    void note(const QString& line);
    // status: "done" or "stopped"
    void finished(qint64 runId, const QString& status, const QString& checkpointDir);
    void failed(const QString& message);

private:
    hw::StopToken m_stop;
};

} // namespace hw::ui

Q_DECLARE_METATYPE(hw::RunLaunchRequest)
