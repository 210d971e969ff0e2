#pragma once
#include <nlohmann/json.hpp>

namespace hw {

// The torch random generators' states (CPU, and CUDA when present), for exact resume of anything
// that draws from them (dropout, sampling, init). Serialized as base64 in JSON:
//   {"torch_cpu": "<base64>", "torch_cuda": "<base64>"}
nlohmann::json captureTorchRng();
// Restores what captureTorchRng saved. A CUDA state is ignored when no GPU is present (a CPU
// resume of a GPU run is allowed; it then is not bit-exact). Throws hw::Error on a bad state.
void restoreTorchRng(const nlohmann::json& state, const std::string& origin);

// Seeds every generator the trainers use (torch CPU + CUDA).
void seedTorch(uint64_t seed);

} // namespace hw
