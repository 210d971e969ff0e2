#include "core/train/regression_metrics.h"

#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace hw {

void to_json(nlohmann::json& j, const RegressionReport& r)
{
    j = {{"n", r.n},         {"mae", r.mae},         {"rmse", r.rmse},
         {"spearman", r.spearman}, {"pearson", r.pearson}, {"baseline_mae", r.baselineMae},
         {"baseline_value", r.baselineValue}};
}

double pearson(const std::vector<double>& a, const std::vector<double>& b)
{
    const size_t n = std::min(a.size(), b.size());
    if (n < 2)
        return 0.0;
    const double ma = std::accumulate(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(n), 0.0) / static_cast<double>(n);
    const double mb = std::accumulate(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n), 0.0) / static_cast<double>(n);
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    if (saa <= 0 || sbb <= 0)
        return 0.0;
    return sab / std::sqrt(saa * sbb);
}

std::vector<double> averageRanks(const std::vector<double>& v)
{
    std::vector<size_t> idx(v.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](size_t x, size_t y) { return v[x] < v[y]; });
    std::vector<double> ranks(v.size());
    for (size_t i = 0; i < idx.size();) {
        size_t j = i;
        while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]])
            ++j;
        const double r = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
        for (size_t k = i; k <= j; ++k)
            ranks[idx[k]] = r;
        i = j + 1;
    }
    return ranks;
}

double spearman(const std::vector<double>& a, const std::vector<double>& b)
{
    return pearson(averageRanks(a), averageRanks(b));
}

RegressionReport regressionReport(const std::vector<double>& predicted, const std::vector<double>& truth,
                                  double baselineValue)
{
    if (predicted.size() != truth.size())
        throw Error("regression report: " + std::to_string(predicted.size()) + " predictions for "
                    + std::to_string(truth.size()) + " values");
    RegressionReport r;
    r.n = static_cast<int64_t>(truth.size());
    r.baselineValue = baselineValue;
    if (truth.empty())
        return r;
    double ae = 0, se = 0, be = 0;
    for (size_t i = 0; i < truth.size(); ++i) {
        ae += std::abs(predicted[i] - truth[i]);
        se += (predicted[i] - truth[i]) * (predicted[i] - truth[i]);
        be += std::abs(baselineValue - truth[i]);
    }
    const double n = static_cast<double>(truth.size());
    r.mae = ae / n;
    r.rmse = std::sqrt(se / n);
    r.baselineMae = be / n;
    r.spearman = spearman(predicted, truth);
    r.pearson = pearson(predicted, truth);
    return r;
}

} // namespace hw
