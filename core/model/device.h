#pragma once
#include <string>

namespace hw {

// The compute device every model, trainer and generator uses: CUDA when the linked libtorch
// has it and a GPU is visible (unless HW_DEVICE=cpu), else the CPU.
std::string defaultDeviceName();   // "cuda" | "cpu"
// The device a --device option names: "auto" or "" = defaultDeviceName(), "cpu", "cuda" or
// "cuda:N" (the trainers' "device" key takes the same names). Throws hw::Error for another name,
// or for CUDA when the linked libtorch has none or no GPU is visible.
std::string deviceFromOption(const std::string& option);

// CPU set-up, applied once at start-up by the mains (see README: threads): libtorch's intra-op
// thread count, and the caching CPU allocator (core/model/cpu_caching_allocator.h).
void configureTorchThreads();

} // namespace hw
