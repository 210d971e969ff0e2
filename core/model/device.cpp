#include "core/model/device.h"

#include "core/model/cpu_caching_allocator.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <cstdlib>
#include <string>
#include <thread>

namespace hw {

std::string defaultDeviceName()
{
    const char* forced = std::getenv("HW_DEVICE");
    if (forced && std::string(forced) == "cpu")
        return "cpu";
    return torch::cuda::is_available() ? "cuda" : "cpu";
}

std::string deviceFromOption(const std::string& option)
{
    if (option.empty() || option == "auto")
        return defaultDeviceName();
    if (option == "cpu")
        return option;
    if (option == "cuda" || option.rfind("cuda:", 0) == 0) {
        const std::string index = option.size() > 5 ? option.substr(5) : "0";
        if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos)
            throw Error("device '" + option + "': expected cuda or cuda:N");
        if (!torch::cuda::is_available())
            throw Error("device '" + option + "': this build's libtorch has no CUDA, or no GPU is visible "
                        "(use --device cpu or auto)");
        if (std::stoll(index) >= static_cast<long long>(torch::cuda::device_count()))
            throw Error("device '" + option + "': only " + std::to_string(torch::cuda::device_count())
                        + " GPU(s) visible");
        return option;
    }
    throw Error("device '" + option + "': expected cpu, cuda, cuda:N or auto");
}

void configureTorchThreads()
{
    // Large CPU tensors are recycled instead of mmap'ed and faulted in at every step.
    installCachingCpuAllocator();
    // OpenBLAS runs its own pool; libtorch's intra-op pool is sized by HW_TORCH_THREADS when set.
    // Otherwise, on a machine of 2 cores or fewer (the CPU target), one intra-op thread: there the
    // matrix products (the bulk of the work) already use both cores through OpenBLAS, and a second
    // OpenMP thread only competes with them. tests/bench/bench_model --compare-threads measured
    // 1 thread ahead of 2 in every run (both with OMP_WAIT_POLICY=PASSIVE; on a shared, loaded
    // machine): training step 5-12% faster, generation 6% to 3x faster. Larger machines keep
    // libtorch's default (not measured here).
    if (const char* n = std::getenv("HW_TORCH_THREADS")) {
        const int threads = std::atoi(n);
        if (threads > 0)
            torch::set_num_threads(threads);
        return;
    }
    if (std::thread::hardware_concurrency() <= 2)
        torch::set_num_threads(1);
}

} // namespace hw
