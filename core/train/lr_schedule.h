#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>

namespace hw {

// Linear warm-up from 0 to peakLr over warmupSteps, then cosine decay to minLrRatio * peakLr at
// totalSteps (held there afterwards). Stateless: the learning rate is a function of the optimizer
// step, so a checkpoint only needs the step to resume the schedule exactly.
//
//   lr  peak ┤   ╭──╮
//            │  ╱    ╲___
//        min ┤ ╱         ╲______
//            └┴────────────────┴── step
//             warmup         total
struct LrScheduleConfig {
    double peakLr = 3e-4;
    int64_t warmupSteps = 0;
    int64_t totalSteps = 0;   // 0 = constant peakLr after warm-up
    double minLrRatio = 0.1;  // floor of the cosine, as a fraction of peakLr
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LrScheduleConfig, peakLr, warmupSteps, totalSteps,
                                                minLrRatio)

class WarmupCosineSchedule {
public:
    explicit WarmupCosineSchedule(LrScheduleConfig config) : m_config(config) {}
    // Learning rate for the optimizer step with 0-based index `step` (the step about to be taken).
    double lrAt(int64_t step) const;
    const LrScheduleConfig& config() const { return m_config; }

private:
    LrScheduleConfig m_config;
};

} // namespace hw
