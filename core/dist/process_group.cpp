#include "core/dist/process_group.h"

#include "core/util/error.h"

#include <chrono>

// Distributed support is decided by what the compiler finds: libtorch's c10d headers (Debian's
// libtorch-dev and the official libtorch ship them) and, for Gloo, gloo's own headers (Debian:
// libgloo-dev). USE_C10D_GLOO / USE_C10D_NCCL come from the Torch CMake package: they say what
// libtorch itself was built with.
#if defined(__has_include)
#if __has_include(<torch/csrc/distributed/c10d/TCPStore.hpp>)
#define HW_HAVE_C10D 1
#endif
#if defined(USE_C10D_GLOO) && !__has_include(<gloo/config.h>)
#undef USE_C10D_GLOO
#endif
#endif

#ifdef HW_HAVE_C10D
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#endif

#include <cstdlib>

namespace hw {

namespace {

[[noreturn]] void failCollective(const DistConfig& c, const char* op, const std::string& what)
{
    throw Error("distributed training: " + std::string(op) + " failed on rank " + std::to_string(c.rank) + " of "
                + std::to_string(c.worldSize) + ": " + what
                + " (another rank has probably died or stopped; process-group timeout "
                + std::to_string(static_cast<long long>(c.timeoutSeconds)) + " s)");
}

// c10d messages carry a C++ backtrace after the first line; the first line is what matters.
std::string firstLine(const std::string& s)
{
    const auto nl = s.find('\n');
    return nl == std::string::npos ? s : s.substr(0, nl);
}

} // namespace

#ifdef HW_HAVE_C10D

struct ProcessGroup::Work::Impl {
    c10::intrusive_ptr<c10d::Work> work;
    DistConfig config;
    const char* op = "all-reduce";
};

struct ProcessGroup::Impl {
    DistConfig config;
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroup> pg;
    std::string backend;
};

bool ProcessGroup::available() { return !builtBackends().empty(); }

std::string ProcessGroup::builtBackends()
{
    std::string s;
#ifdef USE_C10D_GLOO
    s += "gloo";
#endif
#ifdef USE_C10D_NCCL
    s += s.empty() ? "nccl" : ", nccl";
#endif
    return s;
}

ProcessGroup::ProcessGroup(const DistConfig& config) : m(std::make_unique<Impl>())
{
    config.validate();
    m->config = config;
    const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(config.timeoutSeconds * 1000.0));
    std::string backend = config.backend;
    if (backend == "auto")
        backend = torch::cuda::is_available() ? "nccl" : "gloo";
#ifndef USE_C10D_NCCL
    if (backend == "nccl" && config.backend == "auto")
        backend = "gloo";   // a CUDA machine, but this libtorch has no NCCL: Gloo works on CPU tensors
#endif
    m->backend = backend;
    try {
        c10d::TCPStoreOptions so;
        so.port = static_cast<std::uint16_t>(config.masterPort);
        so.isServer = config.rank == 0;
        so.numWorkers = static_cast<std::size_t>(config.worldSize);
        so.waitWorkers = true;
        so.timeout = timeout;
        m->store = c10::make_intrusive<c10d::TCPStore>(config.masterAddr, so);
        if (backend == "gloo") {
#ifdef USE_C10D_GLOO
            auto options = c10d::ProcessGroupGloo::Options::create(timeout);
            if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
                options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
            else if (config.masterAddr == "127.0.0.1" || config.masterAddr == "localhost")
                options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
            else
                options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
            // Two threads run the collectives while the trainer's thread computes the backward pass.
            options->threads = 2;
            m->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(m->store, config.rank, config.worldSize, options);
#else
            throw Error("this build has no Gloo process group: libgloo-dev was missing at build time, or libtorch "
                        "was built without USE_C10D_GLOO (see README, \"Distributed training\")");
#endif
        } else {
#ifdef USE_C10D_NCCL
            auto options = c10d::ProcessGroupNCCL::Options::create();
            options->timeout = timeout;
            m->pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(m->store, config.rank, config.worldSize, options);
#else
            throw Error("this build has no NCCL process group (a CPU libtorch, or one built without NCCL); "
                        "use backend gloo");
#endif
        }
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("distributed training: rank " + std::to_string(config.rank) + " of "
                    + std::to_string(config.worldSize) + " could not join the group at " + config.masterAddr + ":"
                    + std::to_string(config.masterPort) + " (" + backend + "): " + firstLine(e.what()));
    }
}

ProcessGroup::~ProcessGroup() = default;

int ProcessGroup::rank() const { return m->config.rank; }
int ProcessGroup::worldSize() const { return m->config.worldSize; }
const DistConfig& ProcessGroup::config() const { return m->config; }
std::string ProcessGroup::backendName() const { return m->backend; }

ProcessGroup::Work::Work() = default;
ProcessGroup::Work::~Work() = default;
ProcessGroup::Work::Work(Work&&) noexcept = default;
ProcessGroup::Work& ProcessGroup::Work::operator=(Work&&) noexcept = default;

bool ProcessGroup::Work::pending() const { return m && m->work; }

void ProcessGroup::Work::wait()
{
    if (!pending())
        return;
    auto w = std::move(m->work);
    try {
        w->wait();
    } catch (const std::exception& e) {
        failCollective(m->config, m->op, firstLine(e.what()));
    }
}

ProcessGroup::Work ProcessGroup::allreduceSumAsync(torch::Tensor tensor)
{
    Work w;
    w.m = std::make_unique<Work::Impl>();
    w.m->config = m->config;
    std::vector<at::Tensor> ts{std::move(tensor)};
    try {
        w.m->work = m->pg->allreduce(ts);
    } catch (const std::exception& e) {
        failCollective(m->config, "all-reduce", firstLine(e.what()));
    }
    return w;
}

void ProcessGroup::allreduceSum(torch::Tensor tensor) { allreduceSumAsync(std::move(tensor)).wait(); }

void ProcessGroup::broadcast(torch::Tensor tensor, int root)
{
    std::vector<at::Tensor> ts{std::move(tensor)};
    c10d::BroadcastOptions o;
    o.rootRank = root;
    try {
        m->pg->broadcast(ts, o)->wait();
    } catch (const std::exception& e) {
        failCollective(m->config, "broadcast", firstLine(e.what()));
    }
}

void ProcessGroup::barrier()
{
    try {
        m->pg->barrier()->wait();
    } catch (const std::exception& e) {
        failCollective(m->config, "barrier", firstLine(e.what()));
    }
}


void ProcessGroup::requireSame(const std::string& what, uint64_t value)
{
    // Two 32-bit halves summed in doubles: exact for any realistic world size.
    const double hi = static_cast<double>(value >> 32), lo = static_cast<double>(value & 0xffffffffu);
    auto t = torch::tensor({hi, lo}, torch::kFloat64);
    allreduceSum(t);
    const double w = static_cast<double>(worldSize());
    if (t[0].item<double>() != hi * w || t[1].item<double>() != lo * w)
        throw Error("distributed training: rank " + std::to_string(rank()) + " has different " + what
                    + " from the other ranks (every rank must see the same project, training set and tokenizer)");
}

#else // !HW_HAVE_C10D

struct ProcessGroup::Work::Impl {};
struct ProcessGroup::Impl {};

bool ProcessGroup::available() { return false; }
std::string ProcessGroup::builtBackends() { return ""; }

ProcessGroup::ProcessGroup(const DistConfig&)
{
    throw Error("this hindsight was built without distributed training: the c10d headers of libtorch "
                "(torch/csrc/distributed/c10d/ProcessGroupGloo.hpp) or libgloo-dev were missing at configure "
                "time; install libgloo-dev (Debian) and reconfigure (see README, \"Distributed training\")");
}
ProcessGroup::~ProcessGroup() = default;
int ProcessGroup::rank() const { return 0; }
int ProcessGroup::worldSize() const { return 1; }
const DistConfig& ProcessGroup::config() const
{
    static const DistConfig c;
    return c;
}
std::string ProcessGroup::backendName() const { return ""; }
ProcessGroup::Work::Work() = default;
ProcessGroup::Work::~Work() = default;
ProcessGroup::Work::Work(Work&&) noexcept = default;
ProcessGroup::Work& ProcessGroup::Work::operator=(Work&&) noexcept = default;
bool ProcessGroup::Work::pending() const { return false; }
void ProcessGroup::Work::wait() {}
ProcessGroup::Work ProcessGroup::allreduceSumAsync(torch::Tensor) { return {}; }
void ProcessGroup::allreduceSum(torch::Tensor) {}
void ProcessGroup::broadcast(torch::Tensor, int) {}
void ProcessGroup::barrier() {}
void ProcessGroup::requireSame(const std::string&, uint64_t) {}

#endif

} // namespace hw
