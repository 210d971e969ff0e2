#pragma once
// A c10d process group for data-parallel training: TCPStore rendezvous at MASTER_ADDR:MASTER_PORT
// (rank 0 serves the store), Gloo on CPU, NCCL on CUDA, every collective bounded by the
// configured timeout so that a dead rank fails the others instead of hanging them.
//
//   ProcessGroup pg(*DistConfig::fromEnvironment());
//   auto work = pg.allreduceSumAsync(flatGrads);   // overlaps with what follows
//   ...
//   work.wait();                                   // throws hw::Error if a peer died
//
// The c10d headers stay inside process_group.cpp: a build without them (headers or libgloo
// missing at configure time) still compiles, and constructing a group then throws an error that
// says how to build with distributed support.
#include "core/dist/dist_config.h"

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>

namespace hw {

class ProcessGroup {
public:
    // True when this build has the c10d process groups (Gloo; NCCL with a CUDA libtorch).
    static bool available();
    // The backends this build has, e.g. "gloo" or "gloo, nccl"; "" when none.
    static std::string builtBackends();

    // Rendezvous with the other ranks (waits up to config.timeoutSeconds). Throws hw::Error.
    explicit ProcessGroup(const DistConfig& config);
    ~ProcessGroup();
    ProcessGroup(const ProcessGroup&) = delete;
    ProcessGroup& operator=(const ProcessGroup&) = delete;

    int rank() const;
    int worldSize() const;
    const DistConfig& config() const;
    std::string backendName() const;   // "gloo" | "nccl"

    // A collective in flight. wait() rethrows a failure as hw::Error naming the rank.
    class Work {
    public:
        Work();
        ~Work();
        Work(Work&&) noexcept;
        Work& operator=(Work&&) noexcept;
        void wait();
        bool pending() const;

    private:
        friend class ProcessGroup;
        struct Impl;
        std::unique_ptr<Impl> m;
    };

    // In-place sum over all ranks, started now (the tensor must stay alive until wait()).
    Work allreduceSumAsync(torch::Tensor tensor);
    void allreduceSum(torch::Tensor tensor);
    // In-place copy of root's tensor to every rank.
    void broadcast(torch::Tensor tensor, int root = 0);
    void barrier();
    // Fails (hw::Error on the ranks that see a difference, which stops the others at their next
    // collective) unless every rank passes the same value, e.g. a hash of its training data.
    void requireSame(const std::string& what, uint64_t value);

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace hw
