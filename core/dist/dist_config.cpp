#include "core/dist/dist_config.h"

#include "core/util/error.h"

#include <cstdlib>

namespace hw {
namespace {

std::optional<std::string> env(const char* name)
{
    const char* v = std::getenv(name);
    if (!v || !*v)
        return std::nullopt;
    return std::string(v);
}

long long envInt(const char* name, long long fallback)
{
    const auto v = env(name);
    if (!v)
        return fallback;
    try {
        size_t used = 0;
        const long long x = std::stoll(*v, &used);
        if (used != v->size())
            throw std::invalid_argument(*v);
        return x;
    } catch (const std::exception&) {
        throw Error(std::string("environment variable ") + name + "='" + *v + "' is not an integer");
    }
}

} // namespace

void DistConfig::validate() const
{
    if (worldSize < 1)
        throw Error("WORLD_SIZE must be at least 1 (got " + std::to_string(worldSize) + ")");
    if (rank < 0 || rank >= worldSize)
        throw Error("RANK must be in [0, WORLD_SIZE) (got RANK=" + std::to_string(rank)
                    + ", WORLD_SIZE=" + std::to_string(worldSize) + ")");
    if (localRank < 0)
        throw Error("LOCAL_RANK must not be negative");
    if (masterPort <= 0 || masterPort > 65535)
        throw Error("MASTER_PORT must be in 1..65535 (got " + std::to_string(masterPort) + ")");
    if (!(timeoutSeconds > 0))
        throw Error("the process-group timeout must be positive");
    if (backend != "auto" && backend != "gloo" && backend != "nccl")
        throw Error("unknown distributed backend '" + backend + "' (auto, gloo or nccl)");
}

std::optional<DistConfig> DistConfig::fromEnvironment()
{
    if (!env("WORLD_SIZE"))
        return std::nullopt;
    DistConfig c;
    c.worldSize = static_cast<int>(envInt("WORLD_SIZE", 1));
    c.rank = static_cast<int>(envInt("RANK", 0));
    c.localRank = static_cast<int>(envInt("LOCAL_RANK", c.rank));
    c.masterAddr = env("MASTER_ADDR").value_or("127.0.0.1");
    c.masterPort = static_cast<int>(envInt("MASTER_PORT", 29500));
    c.backend = env("HW_DIST_BACKEND").value_or("auto");
    if (const auto t = env("HW_DIST_TIMEOUT")) {
        try {
            c.timeoutSeconds = std::stod(*t);
        } catch (const std::exception&) {
            throw Error("environment variable HW_DIST_TIMEOUT='" + *t + "' is not a number of seconds");
        }
    }
    c.validate();
    return c;
}

} // namespace hw
