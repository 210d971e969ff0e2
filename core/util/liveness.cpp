#include "core/util/liveness.h"

#include <chrono>
#include <cstdlib>

#ifdef _WIN32
#include <process.h>
#else
#include <cerrno>
#include <csignal>
#include <sys/types.h>
#include <unistd.h>
#endif

namespace hw {

double unixSeconds()
{
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string currentHostName()
{
#ifdef _WIN32
    const char* h = std::getenv("COMPUTERNAME");
    return h ? h : "";
#else
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0)
        return {};
    return buf;
#endif
}

int64_t currentProcessId()
{
#ifdef _WIN32
    return _getpid();
#else
    return static_cast<int64_t>(::getpid());
#endif
}

bool processExists(int64_t pid)
{
    if (pid <= 0)
        return false;
#ifdef _WIN32
    return true;
#else
    if (::kill(static_cast<pid_t>(pid), 0) == 0)
        return true;
    return errno != ESRCH; // EPERM: it exists, owned by someone else
#endif
}

} // namespace hw
