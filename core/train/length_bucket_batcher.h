#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace hw {

struct BatcherOptions {
    int64_t batchSize = 16;      // most sequences in a batch
    int64_t maxTokens = 0;       // most padded tokens (rows x longest) in a batch; 0 = no limit
    int64_t poolBatches = 32;    // sort by length within pools of this many batches
    bool shuffle = true;
    uint64_t seed = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BatcherOptions, batchSize, maxTokens, poolBatches,
                                                shuffle, seed)

// Where a BatchStream is in its data: epoch and the next batch of that epoch. This *is* the
// data-order RNG state: an epoch's batches are a pure function of (seed, epoch).
struct DataCursor {
    int64_t epoch = 0;
    int64_t batch = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DataCursor, epoch, batch)

// Length-bucketed batches with little padding but random order:
//   shuffle all examples (seeded per epoch) -> cut into pools of poolBatches*batchSize ->
//   sort each pool by length -> cut into batches (at most batchSize rows and maxTokens padded
//   tokens) -> shuffle the batches.
// Deterministic: the same (lengths, options, epoch) always gives the same batches, on every
// platform (own Fisher-Yates over std::mt19937_64, no std::shuffle).
class LengthBucketBatcher {
public:
    LengthBucketBatcher(std::vector<int64_t> lengths, BatcherOptions options);

    // The batches of one epoch, each a list of example indices, longest first.
    std::vector<std::vector<int64_t>> epochBatches(int64_t epoch) const;
    // Padded tokens / real tokens over one epoch (1.0 = no padding); for logs and tests.
    double paddingRatio(int64_t epoch = 0) const;
    size_t size() const { return m_lengths.size(); }
    const std::vector<int64_t>& lengths() const { return m_lengths; }
    const BatcherOptions& options() const { return m_options; }

private:
    std::vector<int64_t> m_lengths;
    BatcherOptions m_options;
};

// An endless stream of batches over epochs, resumable from its DataCursor.
class BatchStream {
public:
    explicit BatchStream(LengthBucketBatcher batcher, DataCursor start = {});
    // The next batch's example indices; advances the cursor (and the epoch at its end).
    std::vector<int64_t> next();
    const DataCursor& cursor() const { return m_cursor; }
    void restore(const DataCursor& cursor);
    // Number of batches in the given epoch (they may differ by epoch when maxTokens is set).
    int64_t batchesInEpoch(int64_t epoch) const;
    const LengthBucketBatcher& batcher() const { return m_batcher; }

private:
    LengthBucketBatcher m_batcher;
    DataCursor m_cursor;
    int64_t m_loadedEpoch = -1;
    std::vector<std::vector<int64_t>> m_epoch;
};

} // namespace hw
