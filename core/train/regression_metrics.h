#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace hw {

// How well predicted rewards match the true ones on a held-out split.
struct RegressionReport {
    int64_t n = 0;
    double mae = 0;            // mean absolute error
    double rmse = 0;
    double spearman = 0;       // rank correlation (average ranks for ties); 0 when undefined
    double pearson = 0;
    double baselineMae = 0;    // MAE of always predicting `baselineValue` (the training mean)
    double baselineValue = 0;
};
void to_json(nlohmann::json& j, const RegressionReport& r);

// Pearson correlation; 0 when either side has no variance or n < 2.
double pearson(const std::vector<double>& a, const std::vector<double>& b);
// Spearman rank correlation = Pearson of the average ranks.
double spearman(const std::vector<double>& a, const std::vector<double>& b);
// 1-based average ranks (ties share the mean of their positions).
std::vector<double> averageRanks(const std::vector<double>& v);

RegressionReport regressionReport(const std::vector<double>& predicted, const std::vector<double>& truth,
                                  double baselineValue);

} // namespace hw
