#pragma once
// A caching allocator for large CPU tensors.
//
// glibc serves every allocation above its mmap threshold (at most 32 MiB) with a fresh mmap and
// returns it with munmap on free, so each training step pays page faults and kernel zeroing for
// its large activations and vocabulary-sized logits ([N, V] float32 is 62 MB for the small ILQL
// config). This allocator keeps freed blocks of 256 KiB and more in size-class free lists and
// hands them out again: the same shapes recur every step, so after the first step nothing is
// mapped or faulted. Sizes are rounded up to 1/8 of their power of two (at most 12.5% slack);
// smaller allocations go straight to c10's allocator. Free memory kept is capped (default
// 4 GiB, HW_CPU_CACHE_MB overrides; 0 disables caching); beyond it blocks go back to the system.
//
// tests/bench/bench_ilql_step measured the ILQL step of the small config at 3.97 s without it and
// about 2 s with it on the 2-core CPU target (OpenBLAS SkylakeX kernels).
#include <cstddef>
#include <cstdint>

namespace hw {

struct CpuCacheStats {
    uint64_t hits = 0;        // allocations served from the cache
    uint64_t misses = 0;      // cacheable allocations that went to the system
    size_t cachedBytes = 0;   // free bytes held now
    size_t liveBytes = 0;     // cacheable bytes handed out and not yet freed
};

// Installs the allocator as libtorch's CPU allocator (once; later calls do nothing). Tensors
// allocated before keep their own deleters. Returns false when HW_CPU_CACHE_MB=0.
bool installCachingCpuAllocator();
bool cachingCpuAllocatorInstalled();
CpuCacheStats cpuCacheStats();
// Returns every cached free block to the system (e.g. after training, before a long idle).
void releaseCachedCpuMemory();

// Size class of a cacheable request (exposed for tests).
size_t cpuCacheSizeClass(size_t bytes);

} // namespace hw
