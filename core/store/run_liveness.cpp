#include "core/store/run_liveness.h"

namespace hw {

bool runTrainerGone(const std::string& host, int64_t pid, double heartbeat, double now, double staleAfterS)
{
    if (pid > 0 && !host.empty() && host == currentHostName())
        return !processExists(pid);
    return heartbeat <= 0 || now - heartbeat > staleAfterS;
}

} // namespace hw
