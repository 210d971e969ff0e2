#pragma once
// Axis ranges a reader can use: round bounds and ticks at 1, 2 or 5 times a power of ten
// (Heckbert, "Nice numbers for graph labels", Graphics Gems 1990), instead of the data's own
// min/max (14.9, 7.08, -0.693), with as many decimals as the tick step needs.
namespace hw::ui {

struct NiceScale {
    double min = 0;
    double max = 1;
    double step = 0.2;
    int ticks = 6;     // min, min + step, ..., max
    int decimals = 1;  // digits after the point that tell the ticks apart
};

// lo/hi: the data's range (any order; equal is fine). maxTicks >= 2. integerStep: the step is
// at least 1 (an optimizer-step axis never shows 2.5).
NiceScale niceScale(double lo, double hi, int maxTicks = 6, bool integerStep = false);

} // namespace hw::ui
