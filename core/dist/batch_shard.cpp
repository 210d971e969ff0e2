#include "core/dist/batch_shard.h"

#include "core/util/error.h"

#include <string>

namespace hw {

BatchShard shardBatch(const std::vector<int64_t>& batch, int rank, int worldSize)
{
    if (worldSize < 1 || rank < 0 || rank >= worldSize)
        throw Error("shardBatch: rank " + std::to_string(rank) + " outside a world of " + std::to_string(worldSize));
    BatchShard s;
    for (size_t i = static_cast<size_t>(rank); i < batch.size(); i += static_cast<size_t>(worldSize))
        s.rows.push_back(batch[i]);
    if (s.rows.empty() && !batch.empty()) {
        s.rows.push_back(batch[static_cast<size_t>(rank) % batch.size()]);
        s.padding = true;
    }
    return s;
}

} // namespace hw
