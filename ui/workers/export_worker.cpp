#include "ui/workers/export_worker.h"

#include "core/store/database.h"
#include "core/util/error.h"

#include <QElapsedTimer>

#include <exception>

namespace hw::ui {

ExportWorker::ExportWorker(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<hw::ui::ExportRequest>();
    qRegisterMetaType<hw::ExportResult>();
}

void ExportWorker::run(const hw::ui::ExportRequest& request)
{
    QElapsedTimer sinceLast;
    sinceLast.start();
    const hw::ProgressFn onProgress = [&](const hw::Progress& p) {
        // The GUI needs a few updates a second, not one per 500 dialogues of a 100k project.
        const bool done = p.total > 0 && p.done >= p.total;
        if (done || sinceLast.elapsed() >= 50) {
            sinceLast.restart();
            Q_EMIT progress(p.done, p.total, QString::fromStdString(p.stage));
        }
    };
    try {
        if (m_stop.stopRequested())
            throw hw::Cancelled();
        auto db = hw::Database::open(request.projectPath.toStdString(), hw::Database::Mode::ReadOnly);
        hw::ExportOptions options;
        options.task = request.task.toStdString();
        options.labeledOnly = request.labeledOnly;
        if (request.plainMessages)
            options.messages = hw::ChatMessageStyle::Plain;
        const hw::ExportResult result =
            hw::exportJsonl(db, request.outputPath.toStdString(), options, onProgress, m_stop);
        Q_EMIT finished(result);
    } catch (const hw::Cancelled&) {
        Q_EMIT cancelled();
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromUtf8(e.what()));
    }
}

} // namespace hw::ui
