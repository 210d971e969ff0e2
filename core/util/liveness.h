#pragma once
// What a long-running process records so that other processes can tell whether it is still
// there (job leases in core/pipeline/job_lease.h, training runs in core/store/run_liveness.h):
// its host and pid, checked at once on the same host, and a heartbeat on a shared clock for
// everything else.
#include <cstdint>
#include <string>

namespace hw {

// Seconds since the epoch (the heartbeat clock).
double unixSeconds();
// This machine's host name ("" when unknown) and this process's id.
std::string currentHostName();
int64_t currentProcessId();
// Whether a process with this pid exists on this host. True when it cannot be told (EPERM: it
// belongs to someone else; platforms without a check), which leaves the heartbeat to decide.
bool processExists(int64_t pid);

} // namespace hw
