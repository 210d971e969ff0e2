#pragma once
// Starts the ranks of a data-parallel run on this machine, as torchrun does: N child processes of
// a program, each with RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT
// set, so that each builds its ProcessGroup from the environment (DistConfig::fromEnvironment).
//
//   launcher --fork/exec--> rank 0 (stdout/stderr shared: its progress is the run's)
//            --fork/exec--> rank 1..N-1 (stderr shared, stdout dropped unless asked)
//   any rank exits non-zero or dies -> the others get SIGTERM, then SIGKILL after a grace period;
//   the result names the rank that failed first.
//
// POSIX only. Children die with the launcher (PR_SET_PDEATHSIG on Linux).
#include "core/util/progress.h"

#include <string>
#include <utility>
#include <vector>

namespace hw {

struct LocalLaunchConfig {
    std::string program;                 // executable to start (e.g. /proc/self/exe's target)
    std::vector<std::string> args;       // its arguments (argv[1..])
    int nproc = 2;
    std::string masterAddr = "127.0.0.1";
    int masterPort = 0;                  // 0 = a free local port
    std::vector<std::pair<std::string, std::string>> env;   // more variables for every rank
    bool otherRanksStdout = false;       // ranks > 0 print to stdout too
    double graceSeconds = 5.0;           // SIGTERM -> SIGKILL delay when stopping the others
};

struct LocalLaunchResult {
    bool ok = false;                     // every rank exited with 0
    int failedRank = -1;                 // the first rank that failed (-1: none)
    std::vector<int> exitCodes;          // per rank: exit code, or -signal when killed
    std::string message;                 // e.g. "rank 1 was killed by signal 9 (SIGKILL)"
};

// Runs the ranks to the end. `stop` forwards SIGINT to every rank (each stops at the same step
// and rank 0 checkpoints). Throws hw::Error when a process cannot be started.
LocalLaunchResult launchLocalRanks(const LocalLaunchConfig& config, StopToken stop = {});

// A TCP port on 127.0.0.1 free at the time of the call.
int freeLocalPort();

} // namespace hw
