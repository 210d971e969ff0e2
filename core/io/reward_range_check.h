#pragma once
#include "core/data/task.h"

#include <string>

namespace hw {

// An imported reward outside its task's range is kept and flagged (a data glitch the user may want
// to see), but one far outside it (beyond import_limits::kFarOutsideSpans times the range, e.g.
// 1e308 on counseling's [-4, 4]) cannot be a real label: every mean and normalisation it enters
// becomes meaningless, so it is refused. Throws hw::Error with the reason only (the caller adds
// "FILE:LINE: ").
void checkRewardNotFarOutside(double reward, const Task& task);

} // namespace hw
