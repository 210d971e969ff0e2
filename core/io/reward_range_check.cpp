#include "core/io/reward_range_check.h"

#include "core/io/import_limits.h"
#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace hw {

void checkRewardNotFarOutside(double reward, const Task& task)
{
    const double span = std::max(task.rewardMax - task.rewardMin, 1.0);
    const double lo = task.rewardMin - import_limits::kFarOutsideSpans * span;
    const double hi = task.rewardMax + import_limits::kFarOutsideSpans * span;
    if (std::isfinite(reward) && reward >= lo && reward <= hi)
        return;
    std::ostringstream msg;
    msg << "reward " << reward << " is far outside the range [" << task.rewardMin << ", " << task.rewardMax
        << "] of task '" << task.name << "' (more than " << import_limits::kFarOutsideSpans
        << " times the range away); fix the value or import it under a task with a matching range";
    throw Error(msg.str());
}

} // namespace hw
