#pragma once
// Which rows of a batch a rank trains on in data-parallel training.
//
//   batch [r0 r1 r2 r3 r4]  world 2  ->  rank 0: r0 r2 r4   rank 1: r1 r3
//
// Strided, so that ranks get rows of similar lengths from a length-bucketed batch. Deterministic:
// every rank draws the same global batch from the same seeded stream, then keeps its own shard.
// A rank left without a row (a batch smaller than the world) gets a padding shard: one row of the
// batch, run like the others so that the gradient collectives still match, with its loss
// multiplied by zero.
#include <cstdint>
#include <vector>

namespace hw {

struct BatchShard {
    std::vector<int64_t> rows;
    bool padding = false;   // true: rows are a stand-in; this rank's contribution must be zero
};

BatchShard shardBatch(const std::vector<int64_t>& batch, int rank, int worldSize);

} // namespace hw
