#pragma once
// Gradient averaging for data-parallel training, overlapped with the backward pass (the scheme of
// PyTorch's DistributedDataParallel):
//
//   parameters, in reverse registration order (roughly the order backward produces gradients)
//     -> buckets of ~bucketMegabytes, each one flat float buffer
//   backward: a post-hook on each parameter's gradient accumulator marks it ready; when a bucket
//     is complete its gradients are copied into the buffer and its all-reduce starts
//     (asynchronously, on the process group's threads) while backward goes on with earlier layers
//   finish(): waits for the buckets in order, writes the reduced values back into .grad
//
// Buckets start strictly in index order on every rank (a complete bucket waits for the ones
// before it), so the collectives match across ranks whatever order the hooks fire in. Parameters
// that got no gradient in this backward pass count as zeros; their buckets (and, to keep the order,
// the ones after them) start in finish(), so a model should not hand it parameters it never uses
// (frozen ones are left out: only requires_grad tensors are reduced).
//
// Only the backward pass after arm() reduces: with gradient accumulation, arm before the last
// micro-batch, so the earlier ones accumulate locally (DDP's no_sync).
#include "core/dist/process_group.h"

#include <torch/torch.h>

#include <memory>
#include <vector>

namespace hw {

struct GradBucketReducerConfig {
    // Smaller than DDP's 25 MB: the models trained here hold 5-100 MB of gradients, and a bucket
    // can only start when complete (the small config's 19.8 MB would be one bucket, no overlap).
    double bucketMegabytes = 4.0;
    // true: gradients divided by the world size (each rank's loss is a mean over its own shard);
    // false: summed (each rank's loss was already divided by the units of the global batch).
    bool average = false;
};

struct GradBucketReducerStats {
    int64_t buckets = 0;
    int64_t bytesPerStep = 0;        // gradient bytes each rank all-reduces per step
    int64_t steps = 0;               // finish() calls
    int64_t bucketsStartedInBackward = 0;   // overlapped with compute (the rest started in finish())
    double waitSeconds = 0;          // time finish() spent waiting (communication not hidden)
};

class GradBucketReducer {
public:
    // params: the trained tensors (requires_grad leaves), e.g. AdamW::params(); duplicates ignored.
    GradBucketReducer(ProcessGroup& group, std::vector<torch::Tensor> params, GradBucketReducerConfig config = {});
    ~GradBucketReducer();   // removes its hooks
    GradBucketReducer(const GradBucketReducer&) = delete;
    GradBucketReducer& operator=(const GradBucketReducer&) = delete;

    // Copies rank 0's parameter values to every rank (start of training).
    void broadcastParameters();
    // The next backward pass reduces its gradients.
    void arm();
    // Waits for every bucket and writes the reduced gradients into .grad. Throws hw::Error when a
    // peer failed (the process group's timeout bounds the wait).
    void finish();

    const GradBucketReducerStats& stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace hw
