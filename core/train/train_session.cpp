#include "core/train/train_session.h"

#include "core/train/checkpoint.h"

namespace hw {

std::function<std::string(const TrainState&)> checkpointAndPrune(const TrainHooks& hooks, int keep,
                                                                 std::function<std::string(const std::string& dir)> save)
{
    if (hooks.outDir.empty() || !hooks.writer())
        return {};
    const std::string outDir = hooks.outDir;
    MetricsSink* sink = hooks.sink;
    return [outDir, sink, keep, save = std::move(save)](const TrainState& state) {
        const auto dir = save(stepCheckpointDir(outDir, state.step));
        for (const auto& gone : pruneCheckpoints(outDir, keep))
            if (sink)
                sink->checkpointRemoved(gone);
        return dir;
    };
}

void runTrainSession(TrainLoop& loop, const TrainHooks& hooks, const TrainState& state, TrainRunResult& result)
{
    loop.setMetricsSink(hooks.writer() ? hooks.sink : nullptr);
    loop.setDistributed(hooks.dist);
    loop.setProgress(hooks.progress);
    loop.setStopToken(hooks.stop);
    const double elapsedBefore = state.elapsedSeconds;
    const int64_t tokensBefore = state.tokensSeen;
    const auto outcome = loop.run();

    result.stopped = outcome == TrainLoop::Outcome::Stopped;
    result.state = state;
    result.checkpointDir = loop.lastCheckpoint();
    result.lastTrain = loop.lastTrainMetrics();
    result.lastEval = loop.lastEvalMetrics();
    const double dt = state.elapsedSeconds - elapsedBefore;
    result.tokensPerSecond = dt > 0 ? static_cast<double>(state.tokensSeen - tokensBefore) / dt : 0.0;
}

} // namespace hw
