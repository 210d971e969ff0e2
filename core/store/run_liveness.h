#pragma once
// Is the process training a run still there? A trainer records its host and pid in its runs row
// and refreshes runs.heartbeat (unix seconds) while it trains (core/train/run_recorder.h). A run
// left 'running' by a process that died (kill -9, crash, power loss) can then be told apart from
// one that is training, shown as interrupted and resumed from its latest checkpoint.
//
//   same host, pid recorded:   gone  <=> no process with that pid exists (checked at once)
//   other host or no pid:      gone  <=> no heartbeat for staleAfterS seconds
//
// A live process on the same host counts as training even when its heartbeat is old (a long
// evaluation, a suspended terminal): resuming it would put two trainers on one run.
#include "core/util/liveness.h" // unixSeconds, currentHostName, currentProcessId, processExists

#include <cstdint>
#include <string>

namespace hw {

// Heartbeat age after which a run whose process cannot be checked counts as gone. Trainers beat
// at least every few seconds while stepping; evaluation and sampling can take minutes.
inline constexpr double kRunStaleAfterSeconds = 600.0;

// Whether the trainer of a 'running' run is gone (see above). heartbeat <= 0 = never beat.
bool runTrainerGone(const std::string& host, int64_t pid, double heartbeat, double now,
                    double staleAfterS = kRunStaleAfterSeconds);

} // namespace hw
