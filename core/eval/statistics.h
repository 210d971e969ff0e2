#pragma once
// The numbers an evaluation reports, and the ones papers leave out: mean ± std (as the paper
// prints), a seeded percentile-bootstrap 95% interval, paired differences against a baseline with
// a paired sign-flip permutation test, and Holm's step-down correction across agents.
//
//   Summary s = summarize(rewards, {.seed = 7});                 // n, mean, std, ci_low, ci_high
//   PairedTest t = pairedTest(agentRewards, baselineRewards, {}); // diff, ci, p
//   std::vector<double> adj = holm({t1.p, t2.p});                 // family-wise corrected p
//
// Every resampling is seeded: the same samples and options give the same figures on every run.
#include <cstdint>
#include <utility>
#include <vector>

namespace hw::stats {

struct Options {
    uint64_t seed = 0;
    int resamples = 10000;        // bootstrap resamples (>= 10,000 as the issue asks)
    double level = 0.95;          // interval coverage
    // Sign-flip test: exact enumeration of all 2^n sign patterns up to this n, Monte Carlo with
    // `permutations` draws above it.
    int exactUpTo = 16;
    int permutations = 100000;
    double alpha = 0.05;          // "significant" threshold applied to Holm-corrected p
};

struct Summary {
    int64_t n = 0;
    double mean = 0.0;
    double std = 0.0;             // sample standard deviation (n - 1); 0 when n < 2
    double ciLow = 0.0;           // bootstrap percentile interval of the mean; = mean when n < 2
    double ciHigh = 0.0;
};

struct PairedTest {
    int64_t n = 0;                // pairs
    double diff = 0.0;            // mean of a[i] - b[i]
    double ciLow = 0.0;           // bootstrap interval of the mean difference
    double ciHigh = 0.0;
    double p = 1.0;               // two-sided sign-flip permutation p-value
    bool exact = false;           // p from full enumeration (else Monte Carlo, (1+k)/(1+R))
};

double mean(const std::vector<double>& x);
double sampleStd(const std::vector<double>& x);
// Quantile q in [0, 1] with linear interpolation between order statistics (numpy's default).
double quantile(std::vector<double> x, double q);

// Percentile bootstrap interval of the mean: (low, high).
std::pair<double, double> bootstrapMeanCi(const std::vector<double>& x, const Options& options);

Summary summarize(const std::vector<double>& x, const Options& options = {});

// Two-sided paired sign-flip test of mean(a - b) = 0. a and b must have the same length
// (throws hw::Error otherwise): episode i of both came from the same persona and seed.
double signFlipPValue(const std::vector<double>& diffs, const Options& options, bool* exact = nullptr);
PairedTest pairedTest(const std::vector<double>& a, const std::vector<double>& b, const Options& options = {});

// Spearman's rank correlation (average ranks for ties); 0 when n < 2 or a side is constant.
double spearman(const std::vector<double>& x, const std::vector<double>& y);
double meanAbsoluteError(const std::vector<double>& x, const std::vector<double>& y);

// Holm–Bonferroni adjusted p-values, in the input's order (monotone, capped at 1).
std::vector<double> holm(const std::vector<double>& p);

} // namespace hw::stats
