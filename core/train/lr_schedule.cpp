#include "core/train/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace hw {

double WarmupCosineSchedule::lrAt(int64_t step) const
{
    const auto& c = m_config;
    // Step 0 gets a small non-zero rate: a zero first step would waste a batch.
    if (c.warmupSteps > 0 && step < c.warmupSteps)
        return c.peakLr * static_cast<double>(step + 1) / static_cast<double>(c.warmupSteps);
    if (c.totalSteps <= c.warmupSteps)
        return c.peakLr;
    const double span = static_cast<double>(c.totalSteps - c.warmupSteps);
    const double progress = std::clamp(static_cast<double>(step - c.warmupSteps) / span, 0.0, 1.0);
    const double minLr = c.peakLr * c.minLrRatio;
    return minLr + 0.5 * (c.peakLr - minLr) * (1.0 + std::cos(M_PI * progress));
}

} // namespace hw
