#include "core/store/run_liveness.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <sys/types.h>
#include <unistd.h>

namespace hw {

double unixSeconds()
{
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string currentHostName()
{
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0)
        return {};
    return buf;
}

int64_t currentProcessId() { return static_cast<int64_t>(::getpid()); }

bool processExists(int64_t pid)
{
    if (pid <= 0)
        return false;
    if (::kill(static_cast<pid_t>(pid), 0) == 0)
        return true;
    return errno != ESRCH; // EPERM: it exists, owned by someone else
}

bool runTrainerGone(const std::string& host, int64_t pid, double heartbeat, double now, double staleAfterS)
{
    if (pid > 0 && !host.empty() && host == currentHostName())
        return !processExists(pid);
    return heartbeat <= 0 || now - heartbeat > staleAfterS;
}

} // namespace hw
