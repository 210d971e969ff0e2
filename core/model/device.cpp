#include "core/model/device.h"

#include <torch/torch.h>

#include <cstdlib>
#include <string>

namespace hw {

std::string defaultDeviceName()
{
    const char* forced = std::getenv("HW_DEVICE");
    if (forced && std::string(forced) == "cpu")
        return "cpu";
    return torch::cuda::is_available() ? "cuda" : "cpu";
}

void configureTorchThreads()
{
    // OpenBLAS runs its own pool; libtorch's intra-op pool is sized by HW_TORCH_THREADS when set
    // (the launchers set it from the benchmark's choice), otherwise left at libtorch's default.
    if (const char* n = std::getenv("HW_TORCH_THREADS")) {
        const int threads = std::atoi(n);
        if (threads > 0)
            torch::set_num_threads(threads);
    }
}

} // namespace hw
