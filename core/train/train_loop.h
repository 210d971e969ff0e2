#pragma once
#include "core/dist/grad_bucket_reducer.h"
#include "core/train/adamw.h"
#include "core/train/length_bucket_batcher.h"
#include "core/train/lr_schedule.h"
#include "core/train/metrics_sink.h"
#include "core/train/train_state.h"
#include "core/util/progress.h"

#include <torch/torch.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hw {

struct LoopConfig {
    int64_t totalSteps = 100;      // optimizer steps of the whole run
    int64_t gradAccumSteps = 1;    // micro-batches per optimizer step
    double gradClip = 1.0;         // max global grad norm; <= 0 = no clipping
    int64_t logEvery = 10;         // optimizer steps between metric rows
    int64_t evalEvery = 0;         // 0 = evaluate at the end only
    int64_t checkpointEvery = 0;   // 0 = checkpoint at the end (and on stop) only
    double maxSeconds = 0;         // wall-time budget of this session; 0 = none (stops like a cancel)
    std::string bestMetric = "eval_loss"; // lower is better; tracked as runs.best_eval
};

// What one micro-batch did. `loss` is already divided by the accumulated step's normaliser, so the
// loop just calls backward(); `sums` are un-normalised sums over the batch's units (e.g.
// {"loss", sum of token NLLs}), which the loop divides by the units of the logging window.
struct MicroBatchResult {
    torch::Tensor loss;
    int64_t tokens = 0;    // real tokens processed (throughput)
    MetricValues sums;
};

// The optimizer-step loop every trainer shares (LM, reward model, ILQL):
//
//   for step in [state.step, totalSteps):
//     lr = schedule(step)
//     batches = gradAccumSteps x stream.next()
//     units = sum unitsOf(batch)          # tokens or rows the loss averages over
//     for b in batches: microStep(b, units).loss.backward()
//     grad_norm = clip(); optimizer.step(); afterOptimizerStep()
//     log every logEvery: <sums>/units, lr, grad_norm, tokens_per_s (+ extraMetrics())
//     evaluate every evalEvery, checkpoint every checkpointEvery
//     stop token / time budget / sink->stopRequested() -> checkpoint, return Stopped
//
// Dividing by the units of the whole accumulated step makes K micro-batches of size B exactly
// one batch of size K*B. The loop owns no tensors; the trainer keeps model and optimizer.
//
// Data-parallel (setDistributed, world > 1): every rank draws the same global batches, computes
// unitsOf on the whole batch (so the normaliser is the global one), runs microStep on its own
// shard (core/dist/batch_shard.h) and sums gradients over ranks with a GradBucketReducer armed
// for the last micro-batch; the sum of the ranks' shard losses is then exactly the loss of the
// whole batch, so every rank takes the optimizer step one process would take on the whole batch.
// Logged sums and token counts are summed over ranks; a stop (token, time budget, sink) on any
// rank stops all of them at the same step. Evaluation runs on every rank (identical results).
class TrainLoop {
public:
    enum class Outcome { Finished, Stopped };

    struct Callbacks {
        // Units (e.g. target tokens) in a batch of example indices; the loss is averaged over them.
        std::function<double(const std::vector<int64_t>&)> unitsOf;
        // Forward + loss for one micro-batch (do not call backward).
        std::function<MicroBatchResult(const std::vector<int64_t>&, double normaliser)> microStep;
        // Held-out metrics (e.g. {"eval_loss", x}); may be empty (no evaluation).
        std::function<MetricValues()> evaluate;
        // Writes a checkpoint of the current state and returns its directory; may be empty.
        std::function<std::string(const TrainState&)> saveCheckpoint;
        // Runs after each optimizer step (e.g. Polyak target update); may be empty.
        std::function<void(int64_t step)> afterOptimizerStep;
        // More metrics at each log row (e.g. mean Q); may be empty.
        std::function<MetricValues()> extraMetrics;
    };

    TrainLoop(LoopConfig config, WarmupCosineSchedule schedule, AdamW& optimizer, BatchStream& stream,
              TrainState& state, Callbacks callbacks);

    void setMetricsSink(MetricsSink* sink) { m_sink = sink; }
    void setProgress(ProgressFn fn) { m_progress = std::move(fn); }
    void setStopToken(StopToken token) { m_stop = std::move(token); }
    // Data-parallel training over `group` (null or world 1 = one process). The group must outlive run().
    void setDistributed(ProcessGroup* group, GradBucketReducerConfig reducer = {})
    {
        m_group = group;
        m_reducerConfig = reducer;
    }

    // Runs to totalSteps (Finished) or until stopped (Stopped, after a checkpoint).
    // Exceptions from the callbacks propagate (the run is then failed).
    Outcome run();

    // The last values logged, for result structs.
    const MetricValues& lastTrainMetrics() const { return m_lastTrain; }
    const MetricValues& lastEvalMetrics() const { return m_lastEval; }
    const std::string& lastCheckpoint() const { return m_lastCheckpoint; }

private:
    void evaluateNow();
    void checkpointNow();

    LoopConfig m_config;
    WarmupCosineSchedule m_schedule;
    AdamW& m_optimizer;
    BatchStream& m_stream;
    TrainState& m_state;
    Callbacks m_cb;
    MetricsSink* m_sink = nullptr;
    ProcessGroup* m_group = nullptr;
    GradBucketReducerConfig m_reducerConfig;
    ProgressFn m_progress;
    StopToken m_stop;
    MetricValues m_lastTrain, m_lastEval;
    std::string m_lastCheckpoint;
    int64_t m_lastCheckpointStep = -1;
};

} // namespace hw
