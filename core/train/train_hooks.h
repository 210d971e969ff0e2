#pragma once
#include "core/dist/process_group.h"
#include "core/train/metrics_sink.h"
#include "core/train/train_state.h"
#include "core/util/progress.h"

#include <cstdint>
#include <string>

namespace hw {

// Where a training session reports and saves (LM, reward model; ILQL extends it).
struct TrainHooks {
    std::string outDir;            // checkpoints go to OUT/step-N; "" = no checkpoints
    MetricsSink* sink = nullptr;   // RunRecorder for the project file; nullptr = nowhere
    ProgressFn progress;
    StopToken stop;                // Ctrl+C / GUI cancel: stops after the current step, checkpoints
    // Data-parallel training (core/dist): each rank trains on its shard of every batch; only rank 0
    // writes checkpoints (outDir) and metrics (sink). nullptr = one process.
    ProcessGroup* dist = nullptr;

    // Data-parallel rank 0, or the only process: the one that writes checkpoints and metrics.
    bool writer() const { return !dist || dist->rank() == 0; }
};

// What every trainer's train() reports about a session; LmTrainResult and IlqlTrainResult extend it.
struct TrainRunResult {
    bool stopped = false;          // true: stopped early (resumable from checkpointDir)
    TrainState state;
    std::string checkpointDir;     // last checkpoint written ("" without outDir)
    MetricValues lastTrain;        // the last log row (loss components, lr, grad_norm, tokens_per_s)
    MetricValues lastEval;         // the last evaluation (eval_loss, ...)
    int64_t totalSteps = 0;
    int64_t trainExamples = 0;
    int64_t validExamples = 0;
    double tokensPerSecond = 0.0;  // over this session
};

} // namespace hw
