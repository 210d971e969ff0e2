#pragma once
// Where a rank of a data-parallel run finds the others: the same environment variables torchrun
// sets (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), so torchrun, Slurm srun (through
// a wrapper exporting them) or a Kubernetes indexed job start `hindsight train` unchanged.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace hw {

struct DistConfig {
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;                  // which GPU this rank uses (CUDA)
    std::string masterAddr = "127.0.0.1";
    int masterPort = 29500;
    std::string backend = "auto";       // auto (nccl on CUDA, else gloo) | gloo | nccl
    double timeoutSeconds = 300;        // a collective waiting longer fails the run (dead rank)

    bool distributed() const { return worldSize > 1; }
    bool isMain() const { return rank == 0; }
    // Checks ranges (rank < worldSize, port, timeout); throws hw::Error naming the field.
    void validate() const;

    // From RANK / WORLD_SIZE / LOCAL_RANK / MASTER_ADDR / MASTER_PORT (+ HW_DIST_BACKEND,
    // HW_DIST_TIMEOUT seconds). nullopt when WORLD_SIZE is unset. Malformed values throw hw::Error.
    static std::optional<DistConfig> fromEnvironment();
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DistConfig, rank, worldSize, localRank, masterAddr, masterPort,
                                                backend, timeoutSeconds)

} // namespace hw
