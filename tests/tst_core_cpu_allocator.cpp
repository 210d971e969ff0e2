// The caching CPU allocator: large blocks are reused, contents and sizes are right, small ones
// bypass it, the cap holds, and training through it gives the same numbers.
#include <torch/torch.h>

#include "core/model/cpu_caching_allocator.h"

#include <QtTest>

using namespace hw;

class TestCpuAllocator : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(installCachingCpuAllocator()); }

    void sizeClasses()
    {
        QCOMPARE(cpuCacheSizeClass(100), size_t(100)); // below the threshold: unchanged
        const size_t mb = size_t(1) << 20;
        QCOMPARE(cpuCacheSizeClass(mb), mb);           // a power of two is its own class
        for (size_t n : {size_t(256) << 10, mb + 1, 3 * mb + 17, size_t(62) * mb + 5, size_t(1) << 33}) {
            const size_t c = cpuCacheSizeClass(n);
            QVERIFY(c >= n);
            QVERIFY2(double(c - n) / double(n) <= 0.125, qPrintable(QString::number(n)));
            QCOMPARE(cpuCacheSizeClass(c), c);         // classes are fixed points
        }
    }

    void largeBlocksAreReused()
    {
        releaseCachedCpuMemory();
        const auto before = cpuCacheStats();
        void* first = nullptr;
        {
            auto t = torch::empty({1000, 1000}); // 4 MB
            first = t.data_ptr();
            t.fill_(3.f);
        }
        QVERIFY(cpuCacheStats().cachedBytes >= 4000000);
        {
            auto u = torch::ones({1000, 1000});
            QCOMPARE(u.data_ptr(), first);            // the same block again
            QCOMPARE(u.sum().item<double>(), 1e6);    // and the new contents
            // While u holds it, a request of the same class gets another block.
            auto v = torch::empty({999, 1000});
            QVERIFY(v.data_ptr() != first);
        }
        const auto after = cpuCacheStats();
        QVERIFY(after.hits >= before.hits + 1);
        QCOMPARE(after.liveBytes, before.liveBytes);
        releaseCachedCpuMemory();
        QCOMPARE(cpuCacheStats().cachedBytes, size_t(0));
    }

    void smallTensorsBypassTheCache()
    {
        releaseCachedCpuMemory();
        const auto before = cpuCacheStats();
        for (int i = 0; i < 100; ++i)
            (void)torch::ones({16, 16}).sum();
        const auto after = cpuCacheStats();
        QCOMPARE(after.hits + after.misses, before.hits + before.misses);
        QCOMPARE(after.cachedBytes, size_t(0));
    }

    void trainingThroughTheCacheIsDeterministic()
    {
        // Two identical small training loops give identical weights (reused blocks hold stale
        // data: every op must still write before it reads).
        auto run = [] {
            torch::manual_seed(5);
            torch::nn::Linear a(512, 1024), b(1024, 512);
            torch::optim::SGD opt(std::vector<torch::Tensor>{a->weight, a->bias, b->weight, b->bias}, 0.01);
            const auto x = torch::randn({256, 512});
            for (int i = 0; i < 5; ++i) {
                opt.zero_grad();
                b->forward(torch::relu(a->forward(x))).pow(2).mean().backward();
                opt.step();
            }
            return b->weight.detach().clone();
        };
        const auto w1 = run();
        const auto w2 = run();
        QVERIFY(torch::equal(w1, w2));
        QVERIFY(cpuCacheStats().hits > 0);
    }
};

QTEST_APPLESS_MAIN(TestCpuAllocator)
#include "tst_core_cpu_allocator.moc"
