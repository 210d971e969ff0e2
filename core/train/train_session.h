#pragma once
#include "core/train/train_hooks.h"
#include "core/train/train_loop.h"

#include <functional>
#include <string>

namespace hw {

// The glue every trainer (LM, reward model, ILQL) puts around TrainLoop, written once.

// The loop settings a trainer configuration holds under the same names (LmTrainConfig,
// IlqlTrainerConfig). Only the writer checkpoints on a schedule; without outDir nobody does.
template <class Config>
LoopConfig loopConfigOf(const Config& config, int64_t totalSteps, int64_t evalEvery, const TrainHooks& hooks)
{
    LoopConfig lc;
    lc.totalSteps = totalSteps;
    lc.gradAccumSteps = config.gradAccumSteps;
    lc.gradClip = config.gradClip;
    lc.logEvery = config.logEvery;
    lc.evalEvery = evalEvery;
    lc.checkpointEvery = hooks.outDir.empty() || !hooks.writer() ? 0 : config.checkpointEvery;
    lc.maxSeconds = config.maxSeconds;
    return lc;
}

// The loop's saveCheckpoint callback: `save` writes OUT/step-<state.step>, then all but the newest
// `keep` step directories are removed (0 = keep all) and each removal is reported to the sink.
// Empty (no checkpoints) without outDir or on a rank other than the writer.
std::function<std::string(const TrainState&)> checkpointAndPrune(const TrainHooks& hooks, int keep,
                                                                 std::function<std::string(const std::string& dir)> save);

// Wires the hooks into `loop` (sink on the writer only, process group, progress, stop), runs it and
// fills the session part of `result` (stopped, state, last checkpoint and metrics, tokens/s).
void runTrainSession(TrainLoop& loop, const TrainHooks& hooks, const TrainState& state, TrainRunResult& result);

} // namespace hw
