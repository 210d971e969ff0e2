#pragma once
// Runs one core import (hw::importFiles) off the GUI thread. Usage (see ImportDialog):
//   auto* worker = new ImportWorker;          // one worker per import
//   worker->moveToThread(thread);
//   QMetaObject::invokeMethod(worker, [=] { worker->run(request); }, Qt::QueuedConnection);
//   ... worker->cancel() from the GUI thread at any time; then thread->quit(); thread->wait();
// The worker opens its own Database on the project path (a connection belongs to one thread).
#include "core/io/import.h"
#include "core/util/progress.h"

#include <QMetaType>
#include <QObject>
#include <QStringList>

namespace hw::ui {

struct ImportRequest {
    QString projectPath;
    hw::ImportFormat format = hw::ImportFormat::Jsonl;
    QStringList paths;
    QString defaultTask; // JSONL lines without "task"
};

class ImportWorker : public QObject {
    Q_OBJECT
public:
    explicit ImportWorker(QObject* parent = nullptr);

    // Thread-safe: asks the running import to stop; it then rolls back and emits cancelled().
    void cancel() { m_stop.requestStop(); }

public Q_SLOTS:
    void run(const hw::ui::ImportRequest& request);

Q_SIGNALS:
    // total = 0 when unknown. Emitted at most every ~50 ms.
    void progress(qint64 done, qint64 total, const QString& message);
    void finished(const hw::ImportResult& result);
    // The import changed nothing; message is "FILE:LINE: reason" for malformed input.
    void failed(const QString& message);
    void cancelled();

private:
    hw::StopToken m_stop;
};

} // namespace hw::ui

Q_DECLARE_METATYPE(hw::ui::ImportRequest)
Q_DECLARE_METATYPE(hw::ImportResult)
