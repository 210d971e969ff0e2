#include "core/eval/statistics.h"

#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <tuple>

namespace hw::stats {
namespace {

// Tolerance when comparing permuted statistics with the observed one: sums of the same numbers
// in another order may differ in the last bits, and ties must count as "as extreme".
constexpr double kTieEpsilon = 1e-9;

} // namespace

double mean(const std::vector<double>& x)
{
    if (x.empty())
        return 0.0;
    return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}

double sampleStd(const std::vector<double>& x)
{
    if (x.size() < 2)
        return 0.0;
    const double m = mean(x);
    double ss = 0.0;
    for (double v : x)
        ss += (v - m) * (v - m);
    return std::sqrt(ss / static_cast<double>(x.size() - 1));
}

double quantile(std::vector<double> x, double q)
{
    if (x.empty())
        return 0.0;
    std::sort(x.begin(), x.end());
    const double pos = q * static_cast<double>(x.size() - 1);
    const auto lo = static_cast<size_t>(std::floor(pos));
    const size_t hi = std::min(lo + 1, x.size() - 1);
    const double frac = pos - static_cast<double>(lo);
    return x[lo] + (x[hi] - x[lo]) * frac;
}

std::pair<double, double> bootstrapMeanCi(const std::vector<double>& x, const Options& options)
{
    if (x.size() < 2) {
        const double m = mean(x);
        return {m, m};
    }
    if (options.resamples < 1)
        throw Error("bootstrap: resamples must be positive");
    std::mt19937_64 rng(options.seed);
    std::uniform_int_distribution<size_t> pick(0, x.size() - 1);
    std::vector<double> means(static_cast<size_t>(options.resamples));
    for (auto& m : means) {
        double s = 0.0;
        for (size_t i = 0; i < x.size(); ++i)
            s += x[pick(rng)];
        m = s / static_cast<double>(x.size());
    }
    const double tail = (1.0 - options.level) / 2.0;
    std::sort(means.begin(), means.end());
    return {quantile(means, tail), quantile(means, 1.0 - tail)};
}

Summary summarize(const std::vector<double>& x, const Options& options)
{
    Summary s;
    s.n = static_cast<int64_t>(x.size());
    s.mean = mean(x);
    s.std = sampleStd(x);
    std::tie(s.ciLow, s.ciHigh) = bootstrapMeanCi(x, options);
    return s;
}

double signFlipPValue(const std::vector<double>& d, const Options& options, bool* exact)
{
    const size_t n = d.size();
    if (exact)
        *exact = false;
    if (n == 0)
        return 1.0;
    const double observed = std::fabs(std::accumulate(d.begin(), d.end(), 0.0));
    const double threshold = observed - kTieEpsilon * (1.0 + observed);
    if (static_cast<int>(n) <= options.exactUpTo) {
        // Every sign pattern, the observed one included: the exact permutation distribution.
        const uint64_t patterns = uint64_t(1) << n;
        uint64_t extreme = 0;
        for (uint64_t mask = 0; mask < patterns; ++mask) {
            double s = 0.0;
            for (size_t i = 0; i < n; ++i)
                s += (mask >> i & 1u) ? -d[i] : d[i];
            if (std::fabs(s) >= threshold)
                ++extreme;
        }
        if (exact)
            *exact = true;
        return static_cast<double>(extreme) / static_cast<double>(patterns);
    }
    if (options.permutations < 1)
        throw Error("permutation test: permutations must be positive");
    // Monte Carlo with the observed statistic counted once, so p is never 0 (Phipson & Smyth).
    std::mt19937_64 rng(options.seed ^ 0x9e3779b97f4a7c15ull);
    uint64_t extreme = 0;
    for (int r = 0; r < options.permutations; ++r) {
        double s = 0.0;
        uint64_t bits = 0;
        for (size_t i = 0; i < n; ++i) {
            if (i % 64 == 0)
                bits = rng();
            s += (bits & 1u) ? -d[i] : d[i];
            bits >>= 1;
        }
        if (std::fabs(s) >= threshold)
            ++extreme;
    }
    return static_cast<double>(extreme + 1) / static_cast<double>(options.permutations + 1);
}

PairedTest pairedTest(const std::vector<double>& a, const std::vector<double>& b, const Options& options)
{
    if (a.size() != b.size())
        throw Error("paired test: " + std::to_string(a.size()) + " episodes against "
                    + std::to_string(b.size()) + " (episodes must be paired one to one)");
    std::vector<double> d(a.size());
    for (size_t i = 0; i < a.size(); ++i)
        d[i] = a[i] - b[i];
    PairedTest t;
    t.n = static_cast<int64_t>(d.size());
    t.diff = mean(d);
    std::tie(t.ciLow, t.ciHigh) = bootstrapMeanCi(d, options);
    t.p = signFlipPValue(d, options, &t.exact);
    return t;
}

namespace {

std::vector<double> averageRanks(const std::vector<double>& x)
{
    std::vector<size_t> order(x.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) { return x[i] < x[j]; });
    std::vector<double> ranks(x.size());
    for (size_t i = 0; i < order.size();) {
        size_t j = i;
        while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]])
            ++j;
        const double r = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
        for (size_t k = i; k <= j; ++k)
            ranks[order[k]] = r;
        i = j + 1;
    }
    return ranks;
}

} // namespace

double spearman(const std::vector<double>& x, const std::vector<double>& y)
{
    if (x.size() != y.size())
        throw Error("spearman: samples of different sizes");
    if (x.size() < 2)
        return 0.0;
    const auto rx = averageRanks(x);
    const auto ry = averageRanks(y);
    const double mx = mean(rx), my = mean(ry);
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < rx.size(); ++i) {
        sxy += (rx[i] - mx) * (ry[i] - my);
        sxx += (rx[i] - mx) * (rx[i] - mx);
        syy += (ry[i] - my) * (ry[i] - my);
    }
    if (sxx == 0 || syy == 0)
        return 0.0;
    return sxy / std::sqrt(sxx * syy);
}

double meanAbsoluteError(const std::vector<double>& x, const std::vector<double>& y)
{
    if (x.size() != y.size())
        throw Error("mean absolute error: samples of different sizes");
    if (x.empty())
        return 0.0;
    double s = 0;
    for (size_t i = 0; i < x.size(); ++i)
        s += std::fabs(x[i] - y[i]);
    return s / static_cast<double>(x.size());
}

std::vector<double> holm(const std::vector<double>& p)
{
    const size_t m = p.size();
    std::vector<size_t> order(m);
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) { return p[i] < p[j]; });
    std::vector<double> out(m, 1.0);
    double running = 0.0;
    for (size_t rank = 0; rank < m; ++rank) {
        const size_t i = order[rank];
        const double adj = std::min(1.0, static_cast<double>(m - rank) * p[i]);
        running = std::max(running, adj); // step-down: never below a smaller p's adjustment
        out[i] = running;
    }
    return out;
}

} // namespace hw::stats
