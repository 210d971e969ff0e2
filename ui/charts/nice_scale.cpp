#include "ui/charts/nice_scale.h"

#include <algorithm>
#include <cmath>

namespace hw::ui {

namespace {

// The 1/2/5 x 10^k number nearest to x (round) or at least x (!round).
double niceNumber(double x, bool round)
{
    const double exp = std::floor(std::log10(x));
    const double f = x / std::pow(10.0, exp);
    double nf;
    if (round)
        nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    else
        nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nf * std::pow(10.0, exp);
}

} // namespace

NiceScale niceScale(double lo, double hi, int maxTicks, bool integerStep)
{
    NiceScale s;
    if (!std::isfinite(lo) || !std::isfinite(hi))
        return s;
    if (lo > hi)
        std::swap(lo, hi);
    maxTicks = std::max(2, maxTicks);
    if (hi - lo <= std::abs(hi) * 1e-12) {
        // One value: a small window around it.
        const double half = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
        lo -= half;
        hi += half;
    }
    const double range = niceNumber(hi - lo, false);
    double step = niceNumber(range / (maxTicks - 1), true);
    if (integerStep)
        step = std::max(step, 1.0);
    s.step = step;
    s.min = std::floor(lo / step) * step;
    s.max = std::ceil(hi / step) * step;
    if (s.max <= s.min)
        s.max = s.min + step;
    s.ticks = static_cast<int>(std::lround((s.max - s.min) / step)) + 1;
    s.decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
    // Avoid "-0" at the bounds.
    if (std::abs(s.min) < step * 1e-9)
        s.min = 0;
    if (std::abs(s.max) < step * 1e-9)
        s.max = 0;
    return s;
}

} // namespace hw::ui
