// The decoding-step matrix product of a few rows (core/model/small_gemm.h): agrees with ATen's
// product, and is batch invariant — a row's result has the same bits alone, in any batch, at any
// place in it — for every instruction set this CPU runs.
#include "core/model/inference_kernels.h"
#include "core/model/small_gemm.h"

#include <QtTest>

#include <torch/torch.h>

#include <vector>

namespace {

std::vector<hw::GemmIsa> supportedIsas()
{
    std::vector<hw::GemmIsa> out;
    for (auto isa : {hw::GemmIsa::Portable, hw::GemmIsa::Avx2, hw::GemmIsa::Avx512})
        if (hw::gemmIsaSupported(isa))
            out.push_back(isa);
    return out;
}

torch::Tensor run(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b, hw::GemmIsa isa)
{
    auto y = torch::full({x.size(0), w.size(0)}, std::numeric_limits<float>::quiet_NaN());
    hw::smallGemm(x.data_ptr<float>(), x.size(0), x.size(1), w.data_ptr<float>(), w.size(0),
                  b.defined() ? b.data_ptr<float>() : nullptr, y.data_ptr<float>(), isa);
    return y;
}

} // namespace

class TestSmallGemm : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        torch::manual_seed(7);
        QVERIFY(hw::gemmIsaSupported(hw::bestGemmIsa()));
        qInfo("best kernel on this CPU: %s", hw::toString(hw::bestGemmIsa()));
    }

    // Odd sizes reach every tail: `in` not a multiple of the vector width, outputs not a multiple
    // of the tile, row counts past one row block.
    void matchesAtenProduct()
    {
        torch::NoGradGuard ng;
        for (auto isa : supportedIsas())
            for (int64_t in : {1, 7, 8, 9, 16, 17, 33, 256, 257, 688})
                for (int64_t out : {1, 2, 5, 13, 64})
                    for (int64_t n : {1, 2, 3, 5, 8, 9, 17, 33}) {
                        const auto x = torch::randn({n, in});
                        const auto w = torch::randn({out, in});
                        const auto b = torch::randn({out});
                        const auto want = torch::addmm(b, x, w.t());
                        const auto got = run(x, w, b, isa);
                        const double tol = 1e-5 * std::sqrt(double(in)) * (1 + want.abs().max().item<double>());
                        const double diff = (got - want).abs().max().item<double>();
                        if (!(diff <= tol))
                            QFAIL(qPrintable(QStringLiteral("%1: n %2 in %3 out %4: differs by %5 (tolerance %6)")
                                                 .arg(hw::toString(isa)).arg(n).arg(in).arg(out).arg(diff).arg(tol)));
                        const auto noBias = run(x, w, {}, isa);
                        QVERIFY(torch::allclose(noBias + b, got, 1e-5, 1e-5));
                    }
    }

    void rowsGiveTheSameBitsAloneAndInAnyBatch()
    {
        torch::NoGradGuard ng;
        for (auto isa : supportedIsas())
            for (int64_t in : {9, 256, 688}) {
                const int64_t out = 37, n = 21;
                const auto x = torch::randn({n, in});
                const auto w = torch::randn({out, in});
                const auto b = torch::randn({out});
                const auto batch = run(x, w, b, isa);
                for (int64_t r = 0; r < n; ++r) {
                    const auto alone = run(x.narrow(0, r, 1).contiguous(), w, b, isa);
                    QVERIFY2(torch::equal(alone, batch.narrow(0, r, 1)), hw::toString(isa));
                }
                // Another order puts every row in another place of another row block.
                const auto perm = torch::randperm(n);
                const auto shuffled = run(x.index_select(0, perm).contiguous(), w, b, isa);
                QVERIFY(torch::equal(shuffled, batch.index_select(0, perm)));
                // A smaller batch (rows 3..10) as well.
                QVERIFY(torch::equal(run(x.narrow(0, 3, 8).contiguous(), w, b, isa), batch.narrow(0, 3, 8)));
            }
    }

    // inferenceLinear (the decoding path of Transformer and the slot decoder) goes through it for up
    // to kSmallGemmMaxRows rows, any leading shape, and gives ATen's product.
    void inferenceLinearUsesIt()
    {
        torch::NoGradGuard ng;
        const auto w = torch::randn({24, 40});
        const auto b = torch::randn({24});
        const auto x = torch::randn({2, 3, 40});
        const auto y = hw::inferenceLinear(x, w, b);
        QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{2, 3, 24}));
        QVERIFY(torch::equal(y.reshape({6, 24}), run(x.reshape({6, 40}).contiguous(), w, b, hw::bestGemmIsa())));
        QVERIFY(torch::allclose(y, torch::nn::functional::linear(x, w, b), 1e-5, 1e-5));
        const auto many = torch::randn({hw::kSmallGemmMaxRows + 1, 40});
        QVERIFY(torch::allclose(hw::inferenceLinear(many, w, b), torch::nn::functional::linear(many, w, b), 1e-5, 1e-5));
    }
};

QTEST_APPLESS_MAIN(TestSmallGemm)
#include "tst_core_small_gemm.moc"
