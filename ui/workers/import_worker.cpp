#include "ui/workers/import_worker.h"

#include "core/store/database.h"
#include "core/util/error.h"

#include <QElapsedTimer>

#include <exception>

namespace hw::ui {

ImportWorker::ImportWorker(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<hw::ui::ImportRequest>();
    qRegisterMetaType<hw::ImportResult>();
}

void ImportWorker::run(const hw::ui::ImportRequest& request)
{
    QElapsedTimer sinceLast;
    sinceLast.start();
    std::string lastStage;
    const hw::ProgressFn onProgress = [&](const hw::Progress& p) {
        // Core may report per dialogue; the GUI needs a few updates a second, not 100k.
        const bool done = p.total > 0 && p.done >= p.total;
        if (p.stage != lastStage || done || sinceLast.elapsed() >= 50) {
            lastStage = p.stage;
            sinceLast.restart();
            QString msg = QString::fromStdString(p.stage);
            if (!p.message.empty())
                msg += QStringLiteral(": ") + QString::fromStdString(p.message);
            Q_EMIT progress(p.done, p.total, msg);
        }
    };
    try {
        auto db = hw::Database::open(request.projectPath.toStdString());
        std::vector<std::string> paths;
        for (const QString& p : request.paths)
            paths.push_back(p.toStdString());
        hw::ImportOptions options;
        options.defaultTask = request.defaultTask.toStdString();
        const hw::ImportResult result = hw::importFiles(db, request.format, paths, options, onProgress, m_stop);
        Q_EMIT finished(result);
    } catch (const hw::Cancelled&) {
        Q_EMIT cancelled();
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromUtf8(e.what()));
    }
}

} // namespace hw::ui
