// The caching CPU allocator: large blocks are reused, contents and sizes are right, small ones
// bypass it, the cap holds, and training through it gives the same numbers.
#include <torch/torch.h>

#include "core/model/cpu_caching_allocator.h"

#include <QtTest>

#include <cstdlib>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

using namespace hw;

namespace {

// The cap is read from HW_CPU_CACHE_MB once per process, when the allocator is installed: a test
// of another cap runs this same binary again, with the variable set and only that test function
// (QTest runs the functions named on its command line). Returns the child's exit status.
int runSelf(const char* function, const char* capMb)
{
    const std::string exe = "/proc/self/exe";
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e)
        if (std::string(*e).rfind("HW_CPU_CACHE_MB=", 0) != 0)
            env.emplace_back(*e);
    env.push_back(std::string("HW_CPU_CACHE_MB=") + capMb);
    std::vector<char*> envp;
    for (auto& e : env)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string name = function;
    std::string self = exe;
    char* argv[] = {self.data(), name.data(), nullptr};
    pid_t pid = 0;
    if (posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv, envp.data()) != 0)
        return -1;
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The variable's value in this process, or -1 when unset (the default cap of 4 GiB).
long long capMbHere()
{
    const char* v = std::getenv("HW_CPU_CACHE_MB");
    return v ? std::atoll(v) : -1;
}

} // namespace

class TestCpuAllocator : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // HW_CPU_CACHE_MB=0 turns the cache off: nothing is installed.
        QCOMPARE(installCachingCpuAllocator(), capMbHere() != 0);
        QCOMPARE(cachingCpuAllocatorInstalled(), capMbHere() != 0);
    }

    // With HW_CPU_CACHE_MB=8, freed blocks are kept up to 8 MiB and the rest go back to the
    // system: of three freed 4 MiB blocks two are kept, and asking for three again reuses two.
    void capHoldsFreeMemory()
    {
        if (capMbHere() != 8) {
            QCOMPARE(runSelf("capHoldsFreeMemory", "8"), 0);
            return;
        }
        const size_t mib = size_t(1) << 20;
        const size_t block = cpuCacheSizeClass(size_t(1000) * 1000 * 4); // a 1000 x 1000 float tensor
        QCOMPARE(block, 4 * mib);
        releaseCachedCpuMemory();
        {
            auto a = torch::ones({1000, 1000}), b = torch::ones({1000, 1000}), c = torch::ones({1000, 1000});
            QCOMPARE(cpuCacheStats().liveBytes, 3 * block);
        }
        QCOMPARE(cpuCacheStats().cachedBytes, 2 * block);
        QCOMPARE(cpuCacheStats().liveBytes, size_t(0));
        const auto before = cpuCacheStats();
        {
            auto a = torch::ones({1000, 1000}), b = torch::ones({1000, 1000}), c = torch::ones({1000, 1000});
            QCOMPARE((a + b + c).sum().item<double>(), 3e6);
        }
        const auto after = cpuCacheStats();
        QCOMPARE(after.hits - before.hits, uint64_t(2));
        // c's block and the sum's temporary were new; every block freed at the end fits the cap again.
        QVERIFY(after.misses - before.misses >= 1);
        QVERIFY(after.cachedBytes <= 8 * mib);
    }

    // HW_CPU_CACHE_MB=0: libtorch's own allocator serves everything; nothing is counted or kept.
    void zeroTurnsTheCacheOff()
    {
        if (capMbHere() != 0) {
            QCOMPARE(runSelf("zeroTurnsTheCacheOff", "0"), 0);
            return;
        }
        QVERIFY(!cachingCpuAllocatorInstalled());
        {
            auto t = torch::ones({1000, 1000});
            QCOMPARE(t.sum().item<double>(), 1e6);
        }
        const auto s = cpuCacheStats();
        QCOMPARE(s.hits + s.misses, uint64_t(0));
        QCOMPARE(s.cachedBytes, size_t(0));
        releaseCachedCpuMemory(); // harmless without a cache
    }

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
