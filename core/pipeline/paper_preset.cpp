#include "core/pipeline/paper_preset.h"

#include "core/util/error.h"

#include <algorithm>
#include <cmath>

namespace hw {
namespace {

std::vector<RunPreset> presets()
{
    RunPreset standard;
    standard.name = "default";

    RunPreset paper;
    paper.name = "paper";
    paper.aggregateK = 5.0;          // the paper aggregates its regenerations to 5x the original data
    paper.samplesForK = true;        // ... so each dialogue is regenerated often enough to get there
    paper.hardShare = 0.25;          // a quarter by the hard forward model (difficult users)
    paper.cqlLossWeight = 0.0;       // Table 3: alpha (CQL weight) = 0.0
    return {standard, paper};
}

} // namespace

const RunPreset& runPreset(const std::string& name)
{
    static const std::vector<RunPreset> all = presets();
    for (const auto& p : all)
        if (p.name == name)
            return p;
    std::string known;
    for (const auto& p : all)
        known += (known.empty() ? "" : ", ") + p.name;
    throw Error("unknown preset '" + name + "' (known: " + known + ")");
}

std::vector<std::string> runPresetNames() { return {"default", "paper"}; }

int regenerationsFor(double k)
{
    const double needed = std::max(0.0, k - 1.0);
    const int base = static_cast<int>(std::ceil(needed - 1e-9));
    const int spare = std::max(1, static_cast<int>(std::ceil(needed * 0.25 - 1e-9)));
    return std::max(1, base + spare);
}

} // namespace hw
