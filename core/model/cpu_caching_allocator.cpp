#include "core/model/cpu_caching_allocator.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>

#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace hw {
namespace {

constexpr size_t kMinCached = size_t(256) << 10;

struct Block {
    void* ptr = nullptr;
    size_t size = 0;
};

class CachingCpuAllocator final : public c10::Allocator {
public:
    explicit CachingCpuAllocator(size_t capBytes) : m_cap(capBytes) {}

    c10::DataPtr allocate(size_t n) const override
    {
        if (n < kMinCached) {
            void* p = c10::alloc_cpu(n);
            return {p, p, &c10::free_cpu, c10::Device(c10::DeviceType::CPU)};
        }
        const size_t size = cpuCacheSizeClass(n);
        Block* block = nullptr;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            auto it = m_free.find(size);
            if (it != m_free.end() && !it->second.empty()) {
                block = it->second.back();
                it->second.pop_back();
                m_cached -= size;
                ++m_hits;
            } else {
                ++m_misses;
            }
            m_live += size;
        }
        if (!block) {
            block = new Block{nullptr, size};
            try {
                block->ptr = c10::alloc_cpu(size);
            } catch (...) {
                // Out of memory: give the cache back and try once more before failing.
                delete block;
                releaseAll();
                block = new Block{c10::alloc_cpu(size), size};
            }
        }
        return {block->ptr, block, &CachingCpuAllocator::release, c10::Device(c10::DeviceType::CPU)};
    }

    static void release(void* ctx);

    void giveBack(Block* block) const
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_live -= block->size;
            if (m_cached + block->size <= m_cap) {
                m_free[block->size].push_back(block);
                m_cached += block->size;
                return;
            }
        }
        c10::free_cpu(block->ptr);
        delete block;
    }

    void releaseAll() const
    {
        std::vector<Block*> blocks;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            for (auto& [size, list] : m_free)
                blocks.insert(blocks.end(), list.begin(), list.end());
            m_free.clear();
            m_cached = 0;
        }
        for (Block* b : blocks) {
            c10::free_cpu(b->ptr);
            delete b;
        }
    }

    CpuCacheStats stats() const
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return {m_hits, m_misses, m_cached, m_live};
    }

private:
    size_t m_cap;
    mutable std::mutex m_mutex;
    mutable std::unordered_map<size_t, std::vector<Block*>> m_free;
    mutable size_t m_cached = 0;
    mutable size_t m_live = 0;
    mutable uint64_t m_hits = 0;
    mutable uint64_t m_misses = 0;
};

// Never destroyed: tensors may outlive static destruction.
CachingCpuAllocator* g_allocator = nullptr;
std::once_flag g_once;

void CachingCpuAllocator::release(void* ctx) { g_allocator->giveBack(static_cast<Block*>(ctx)); }

size_t capFromEnvironment()
{
    if (const char* v = std::getenv("HW_CPU_CACHE_MB")) {
        char* end = nullptr;
        const unsigned long long mb = std::strtoull(v, &end, 10);
        if (end != v)
            return static_cast<size_t>(mb) << 20;
    }
    return size_t(4) << 30;
}

} // namespace

size_t cpuCacheSizeClass(size_t bytes)
{
    if (bytes < kMinCached)
        return bytes;
    size_t pow2 = kMinCached;
    while (pow2 < bytes)
        pow2 <<= 1;
    const size_t step = pow2 / 16; // classes at 9/16, 10/16, ... 16/16 of pow2: <= 12.5% slack
    return (bytes + step - 1) / step * step;
}

bool installCachingCpuAllocator()
{
    std::call_once(g_once, [] {
        const size_t cap = capFromEnvironment();
        if (cap == 0)
            return;
        g_allocator = new CachingCpuAllocator(cap);
        c10::SetCPUAllocator(g_allocator, /*priority=*/1);
    });
    return g_allocator != nullptr;
}

bool cachingCpuAllocatorInstalled() { return g_allocator != nullptr; }

CpuCacheStats cpuCacheStats() { return g_allocator ? g_allocator->stats() : CpuCacheStats{}; }

void releaseCachedCpuMemory()
{
    if (g_allocator)
        g_allocator->releaseAll();
}

} // namespace hw
