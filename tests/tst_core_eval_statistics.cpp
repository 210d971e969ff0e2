// Evaluation statistics (core/eval/statistics.h) against values computed independently with numpy
// (tests/fixtures/eval/make_statistics.py -> statistics.json): mean/std, bootstrap intervals,
// the exact and Monte Carlo sign-flip test, Holm's correction.
#include "core/eval/statistics.h"
#include "core/util/error.h"

#include "support/test_paths.h"

#include <QtTest>

#include <fstream>
#include <nlohmann/json.hpp>

namespace {

std::vector<double> vec(const nlohmann::json& j) { return j.get<std::vector<double>>(); }

} // namespace

class TestEvalStatistics : public QObject {
    Q_OBJECT

    nlohmann::json m_expected;

private Q_SLOTS:
    void initTestCase()
    {
        std::ifstream in(hwtest::fixture("eval/statistics.json"));
        QVERIFY(in.good());
        m_expected = nlohmann::json::parse(in);
    }

    void meanAndStd()
    {
        const auto a = vec(m_expected["a"]);
        QVERIFY(std::fabs(hw::stats::mean(a) - m_expected["mean_a"].get<double>()) < 1e-12);
        QVERIFY(std::fabs(hw::stats::sampleStd(a) - m_expected["std_a"].get<double>()) < 1e-12);
        QCOMPARE(hw::stats::sampleStd({1.5}), 0.0);
    }

    void quantileMatchesNumpy()
    {
        const auto data = vec(m_expected["quantile_data"]);
        const auto qs = vec(m_expected["quantile_q"]);
        const auto want = vec(m_expected["quantile_expected"]);
        for (size_t i = 0; i < qs.size(); ++i)
            QVERIFY2(std::fabs(hw::stats::quantile(data, qs[i]) - want[i]) < 1e-12, qPrintable(QString::number(qs[i])));
    }

    // Numpy drew 400,000 resamples with its own generator; ours draws 10,000 with another, so the
    // two percentile intervals agree up to Monte Carlo error (about 0.005 here).
    void bootstrapIntervalMatchesNumpy()
    {
        const auto a = vec(m_expected["a"]);
        hw::stats::Options o;
        o.seed = 11;
        const auto s = hw::stats::summarize(a, o);
        QCOMPARE(s.n, qint64(40));
        QVERIFY2(std::fabs(s.ciLow - m_expected["ci_a"][0].get<double>()) < 0.02, qPrintable(QString::number(s.ciLow)));
        QVERIFY2(std::fabs(s.ciHigh - m_expected["ci_a"][1].get<double>()) < 0.02, qPrintable(QString::number(s.ciHigh)));
        QVERIFY(s.ciLow < s.mean && s.mean < s.ciHigh);
        // Seeded: the same figures again; another seed moves them a little.
        const auto again = hw::stats::summarize(a, o);
        QCOMPARE(again.ciLow, s.ciLow);
        QCOMPARE(again.ciHigh, s.ciHigh);
        o.seed = 12;
        const auto other = hw::stats::summarize(a, o);
        QVERIFY(other.ciLow != s.ciLow || other.ciHigh != s.ciHigh);
    }

    void pairedTestMatchesNumpy()
    {
        const auto t = hw::stats::pairedTest(vec(m_expected["a"]), vec(m_expected["b"]), {});
        QVERIFY(!t.exact);
        QVERIFY(std::fabs(t.diff - m_expected["diff_ab"].get<double>()) < 1e-12);
        QVERIFY(std::fabs(t.ciLow - m_expected["ci_diff_ab"][0].get<double>()) < 0.02);
        QVERIFY(std::fabs(t.ciHigh - m_expected["ci_diff_ab"][1].get<double>()) < 0.02);
        QVERIFY2(std::fabs(t.p - m_expected["p_mc_ab"].get<double>()) < 0.003, qPrintable(QString::number(t.p)));
    }

    void exactSignFlipMatchesEnumeration()
    {
        const auto t = hw::stats::pairedTest(vec(m_expected["small_a"]), vec(m_expected["small_b"]), {});
        QVERIFY(t.exact);
        QVERIFY(std::fabs(t.diff - m_expected["diff_small"].get<double>()) < 1e-12);
        QVERIFY(std::fabs(t.p - m_expected["p_exact_small"].get<double>()) < 1e-15);
    }

    void identicalAgentsAreNotSignificant()
    {
        const auto a = vec(m_expected["a"]);
        const auto t = hw::stats::pairedTest(a, a, {});
        QCOMPARE(t.diff, 0.0);
        QCOMPARE(t.p, 1.0);
    }

    void holmMatchesDefinition()
    {
        const auto got = hw::stats::holm(vec(m_expected["p_list"]));
        const auto want = vec(m_expected["holm"]);
        QCOMPARE(got.size(), want.size());
        for (size_t i = 0; i < got.size(); ++i)
            QVERIFY(std::fabs(got[i] - want[i]) < 1e-12);
        QVERIFY(hw::stats::holm({}).empty());
    }

    void fidelityMeasuresMatchNumpy()
    {
        const auto sim = vec(m_expected["sim"]);
        const auto real = vec(m_expected["real"]);
        QVERIFY(std::fabs(hw::stats::spearman(sim, real) - m_expected["spearman"].get<double>()) < 1e-12);
        QVERIFY(std::fabs(hw::stats::meanAbsoluteError(sim, real) - m_expected["mae"].get<double>()) < 1e-12);
        QCOMPARE(hw::stats::spearman({1, 2, 3}, {3, 2, 1}), -1.0);
        QCOMPARE(hw::stats::spearman({1, 1, 1}, {3, 2, 1}), 0.0);
    }

    void unpairedSamplesAreRefused()
    {
        QVERIFY_THROWS_EXCEPTION(hw::Error, hw::stats::pairedTest({1.0, 2.0}, {1.0}, {}));
    }
};

QTEST_APPLESS_MAIN(TestEvalStatistics)
#include "tst_core_eval_statistics.moc"
