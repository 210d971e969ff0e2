#include "ui/workers/training_worker.h"

#include "core/util/error.h"

#include <QElapsedTimer>

#include <exception>

namespace hw::ui {

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<hw::RunLaunchRequest>();
}

void TrainingWorker::run(const hw::RunLaunchRequest& request)
{
    QElapsedTimer sinceLast;
    sinceLast.start();
    const hw::ProgressFn onProgress = [&](const hw::Progress& p) {
        // A few updates a second are plenty; the metrics themselves come through the project file.
        if (sinceLast.elapsed() < 200 && !(p.total > 0 && p.done >= p.total))
            return;
        sinceLast.restart();
        QString msg = QString::fromStdString(p.stage);
        if (!p.message.empty())
            msg += QStringLiteral(": ") + QString::fromStdString(p.message);
        Q_EMIT progress(p.done, p.total, msg);
    };
    try {
        const auto r = hw::launchRun(request, onProgress, m_stop,
                                     [this](const std::string& line) { Q_EMIT note(QString::fromStdString(line)); });
        Q_EMIT finished(r.runId, QString::fromStdString(r.status), QString::fromStdString(r.checkpointDir));
    } catch (const hw::Cancelled&) {
        Q_EMIT finished(0, QStringLiteral("stopped"), QString());
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromUtf8(e.what()));
    }
}

} // namespace hw::ui
