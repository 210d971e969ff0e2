#pragma once
// Data-parallel runs of the training verbs (`train`, `train-lm`):
//   --nproc N      this process becomes a launcher: N ranks of the same command on this machine
//                  (core/dist/local_launcher.h), each one a process of this program
//   RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT in the environment (set by --nproc, torchrun, a
//                  Slurm or Kubernetes wrapper): this process is one rank and joins the group
#include "app/cli/args.h"
#include "core/dist/process_group.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hw::cli {

// With --nproc N (N > 1) outside a distributed run: starts the N ranks of `command argv`
// (without --nproc), waits for them and returns the exit code for the whole run; a failed rank
// stops the others and is named on stderr. nullopt: run in this process as usual.
std::optional<int> launchRanksIfAsked(const std::string& command, const std::vector<std::string>& argv,
                                      const Args& args);

// The process group of this rank when the environment makes this process one rank of several
// (WORLD_SIZE > 1); null otherwise. Throws hw::Error when the build has no distributed support.
std::unique_ptr<ProcessGroup> joinProcessGroupFromEnvironment();

} // namespace hw::cli
