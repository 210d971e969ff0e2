#pragma once
// Runs one core export (hw::exportJsonl) off the GUI thread; the counterpart of ImportWorker:
//   auto* worker = new ExportWorker;          // one worker per export
//   worker->moveToThread(thread);
//   QMetaObject::invokeMethod(worker, [=] { worker->run(request); }, Qt::QueuedConnection);
//   ... worker->cancel() from the GUI thread at any time; then thread->quit(); thread->wait();
// The worker opens its own read-only Database on the project path. The core writes next to the
// output file and renames at the end, so a failed or cancelled export leaves no partial file and
// an existing file at that path untouched.
#include "core/io/jsonl_export.h"
#include "core/util/progress.h"

#include <QMetaType>
#include <QObject>
#include <QString>

namespace hw::ui {

struct ExportRequest {
    QString projectPath;
    QString outputPath;
    QString task;             // "" = every task
    bool labeledOnly = false;
    bool plainMessages = false; // messages with role and content only (OpenAI / TRL)
};

class ExportWorker : public QObject {
    Q_OBJECT
public:
    explicit ExportWorker(QObject* parent = nullptr);

    // Thread-safe: asks the running export to stop; it then removes its partial file and emits
    // cancelled().
    void cancel() { m_stop.requestStop(); }

public Q_SLOTS:
    void run(const hw::ui::ExportRequest& request);

Q_SIGNALS:
    // total = 0 when unknown. Emitted at most every ~50 ms.
    void progress(qint64 done, qint64 total, const QString& message);
    void finished(const hw::ExportResult& result);
    void failed(const QString& message);
    void cancelled();

private:
    hw::StopToken m_stop;
};

} // namespace hw::ui

Q_DECLARE_METATYPE(hw::ui::ExportRequest)
Q_DECLARE_METATYPE(hw::ExportResult)
