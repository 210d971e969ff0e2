#pragma once
// Environment the numeric libraries read once, when they are loaded: it must be in place before
// main() runs, so the programs re-execute themselves once with it (ensureRuntimeEnvironment).
//
// OPENBLAS_CORETYPE  Debian's OpenBLAS 0.3.21 does not know recent Xeon models (e.g. family 6
//                    model 207) and falls back to its generic "Prescott" SSE3 kernels: measured
//                    58 GFLOP/s for a 2048^3 float32 product on 2 cores, against 230-290 with the
//                    SkylakeX (AVX-512) kernels and 140-150 with Haswell (AVX2). The kernel is
//                    chosen from the CPU's feature flags instead of its model number.
// OMP_WAIT_POLICY    PASSIVE, so idle libtorch OpenMP workers sleep instead of spinning against
//                    OpenBLAS's threads (see configureTorchThreads).
// A value the user has set is never replaced.
#include <map>
#include <string>

namespace hw {

// The OpenBLAS kernel family for a /proc/cpuinfo "flags" line: "SkylakeX" (AVX-512 F/BW/DQ/VL),
// "Haswell" (AVX2 + FMA), or "" (leave OpenBLAS's own detection alone).
std::string openBlasCoreTypeForFlags(const std::string& flags);

// The flags line of this machine's /proc/cpuinfo ("" when unreadable, e.g. not Linux).
std::string cpuFlags();

// Variables that should be set and are not: name -> value.
std::map<std::string, std::string> missingRuntimeEnvironment();

// Sets the missing variables and re-executes /proc/self/exe with the same arguments, once
// (HW_RUNTIME_ENV=1 marks the second start; HW_NO_REEXEC=1 disables it). Returns normally when
// nothing is missing or exec is impossible. Call first thing in main(), before any thread starts.
void ensureRuntimeEnvironment(int argc, char** argv);

// One line for logs and --version: the values in effect.
std::string runtimeEnvironmentSummary();

} // namespace hw
