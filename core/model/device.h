#pragma once
#include <string>

namespace hw {

// The compute device every model, trainer and generator uses: CUDA when the linked libtorch
// has it and a GPU is visible (unless HW_DEVICE=cpu), else the CPU.
std::string defaultDeviceName();   // "cuda" | "cpu"

// Thread set-up for the CPU path, applied once at start-up by the mains (see README: threads).
void configureTorchThreads();

} // namespace hw
