#pragma once
// FNV-1a over the token ids of a trainer's examples: the ranks of a data-parallel run check with
// ProcessGroup::requireSame that they hold the same training data.
#include <cstdint>

namespace hw {

template <typename Rows, typename Tokens>
uint64_t tokensHash(const Rows& rows, Tokens tokensOf)
{
    uint64_t h = 1469598103934665603ull;
    for (const auto& r : rows) {
        for (auto t : tokensOf(r)) {
            h ^= static_cast<uint64_t>(t);
            h *= 1099511628211ull;
        }
        h ^= 0xffu;
        h *= 1099511628211ull;
    }
    return h;
}

} // namespace hw
