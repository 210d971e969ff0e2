#include "core/train/checkpoint_staging.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <unistd.h>

namespace hw {
namespace fs = std::filesystem;
namespace {

// "step-00000120.tmp-4711" -> 4711; -1 for any other name.
long stagingPid(const std::string& name)
{
    const auto p = name.rfind(".tmp-");
    if (p == std::string::npos || p == 0 || p + 5 >= name.size())
        return -1;
    const std::string digits = name.substr(p + 5);
    if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return -1;
    return std::stol(digits);
}

bool processAlive(long pid)
{
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

} // namespace

std::vector<std::string> removeStaleCheckpointStaging(const std::string& outDir)
{
    std::vector<fs::path> stale;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(outDir, ec)) {
        std::error_code ec2;
        if (!e.is_directory(ec2) || e.is_symlink(ec2))
            continue;
        const long pid = stagingPid(e.path().filename().string());
        if (pid > 0 && pid != ::getpid() && !processAlive(pid))
            stale.push_back(e.path());
    }
    std::sort(stale.begin(), stale.end());
    std::vector<std::string> removed;
    for (const auto& p : stale) {
        fs::remove_all(p, ec);
        if (!ec)
            removed.push_back(p.string());
    }
    return removed;
}

} // namespace hw
