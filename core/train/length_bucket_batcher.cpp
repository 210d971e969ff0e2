#include "core/train/length_bucket_batcher.h"

#include "core/util/error.h"

#include <algorithm>
#include <numeric>
#include <random>

namespace hw {
namespace {

template <typename T>
void fisherYates(std::vector<T>& v, std::mt19937_64& rng)
{
    for (size_t i = v.size(); i > 1; --i) {
        const size_t j = static_cast<size_t>(rng() % i);
        std::swap(v[i - 1], v[j]);
    }
}

uint64_t epochSeed(uint64_t seed, int64_t epoch)
{
    // splitmix64 of (seed, epoch): nearby seeds and epochs give unrelated streams.
    uint64_t z = seed + 0x9E3779B97F4A7C15ull * static_cast<uint64_t>(epoch + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

} // namespace

LengthBucketBatcher::LengthBucketBatcher(std::vector<int64_t> lengths, BatcherOptions options)
    : m_lengths(std::move(lengths)), m_options(options)
{
    if (m_options.batchSize < 1)
        throw Error("batch size must be at least 1");
    if (m_options.poolBatches < 1)
        m_options.poolBatches = 1;
    if (m_options.maxTokens > 0)
        for (size_t i = 0; i < m_lengths.size(); ++i)
            if (m_lengths[i] > m_options.maxTokens)
                throw Error("example " + std::to_string(i) + " has " + std::to_string(m_lengths[i])
                            + " tokens, more than the batch token budget ("
                            + std::to_string(m_options.maxTokens) + ")");
}

std::vector<std::vector<int64_t>> LengthBucketBatcher::epochBatches(int64_t epoch) const
{
    std::vector<int64_t> order(m_lengths.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(epochSeed(m_options.seed, epoch));
    if (m_options.shuffle)
        fisherYates(order, rng);

    std::vector<std::vector<int64_t>> batches;
    const size_t pool = static_cast<size_t>(m_options.poolBatches * m_options.batchSize);
    for (size_t start = 0; start < order.size(); start += pool) {
        const size_t end = std::min(order.size(), start + pool);
        std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(start),
                         order.begin() + static_cast<std::ptrdiff_t>(end),
                         [&](int64_t a, int64_t b) { return m_lengths[a] > m_lengths[b]; });
        std::vector<int64_t> cur;
        int64_t longest = 0;
        for (size_t i = start; i < end; ++i) {
            const int64_t idx = order[i];
            const int64_t newLongest = std::max(longest, m_lengths[idx]);
            const bool full = static_cast<int64_t>(cur.size()) >= m_options.batchSize
                              || (m_options.maxTokens > 0
                                  && newLongest * static_cast<int64_t>(cur.size() + 1) > m_options.maxTokens);
            if (!cur.empty() && full) {
                batches.push_back(std::move(cur));
                cur.clear();
                longest = 0;
            }
            cur.push_back(idx);
            longest = std::max(longest, m_lengths[idx]);
        }
        if (!cur.empty())
            batches.push_back(std::move(cur));
    }
    if (m_options.shuffle)
        fisherYates(batches, rng);
    return batches;
}

double LengthBucketBatcher::paddingRatio(int64_t epoch) const
{
    int64_t padded = 0, real = 0;
    for (const auto& b : epochBatches(epoch)) {
        int64_t longest = 0;
        for (auto i : b) {
            longest = std::max(longest, m_lengths[i]);
            real += m_lengths[i];
        }
        padded += longest * static_cast<int64_t>(b.size());
    }
    return real > 0 ? static_cast<double>(padded) / static_cast<double>(real) : 1.0;
}

BatchStream::BatchStream(LengthBucketBatcher batcher, DataCursor start)
    : m_batcher(std::move(batcher)), m_cursor(start)
{
    if (m_batcher.size() == 0)
        throw Error("no training examples");
}

std::vector<int64_t> BatchStream::next()
{
    for (;;) {
        if (m_loadedEpoch != m_cursor.epoch) {
            m_epoch = m_batcher.epochBatches(m_cursor.epoch);
            m_loadedEpoch = m_cursor.epoch;
        }
        if (m_cursor.batch < static_cast<int64_t>(m_epoch.size()))
            return m_epoch[static_cast<size_t>(m_cursor.batch++)];
        ++m_cursor.epoch;
        m_cursor.batch = 0;
    }
}

void BatchStream::restore(const DataCursor& cursor)
{
    m_cursor = cursor;
}

int64_t BatchStream::batchesInEpoch(int64_t epoch) const
{
    return static_cast<int64_t>(m_batcher.epochBatches(epoch).size());
}

} // namespace hw
