#pragma once
// Self time per op name over one call of `step`, from the legacy autograd profiler's push/pop
// ranges (per-thread stacks; self = inclusive - children). Shared by the benchmark programs.
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace hwbench {

template <typename Step>
void printOpProfile(const char* what, Step step, size_t rowsShown = 30, bool byShape = false)
{
    using namespace torch::autograd::profiler;
    enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU, byShape));
    const auto t0 = std::chrono::steady_clock::now();
    step();
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto lists = disableProfilerLegacy();
    std::map<std::string, std::pair<double, int>> self;
    for (const auto& list : lists) {
        struct Open {
            const LegacyEvent* e;
            double children;
        };
        std::vector<Open> stack;
        for (const auto& e : list) {
            if (e.kindStr() == "push") {
                stack.push_back({&e, 0.0});
            } else if (e.kindStr() == "pop" && !stack.empty()) {
                const Open o = stack.back();
                stack.pop_back();
                const double incl = o.e->cpuElapsedUs(e);
                std::string key = o.e->name();
                if (byShape) {
                    for (const auto& shape : o.e->shapes()) {
                        key += " [";
                        for (size_t d = 0; d < shape.size(); ++d)
                            key += (d ? "," : "") + std::to_string(shape[d]);
                        key += "]";
                    }
                }
                auto& s = self[key];
                s.first += incl - o.children;
                s.second += 1;
                if (!stack.empty())
                    stack.back().children += incl;
            }
        }
    }
    std::vector<std::pair<std::string, std::pair<double, int>>> rows(self.begin(), self.end());
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
    std::printf("%s: %.3f s (profiled)\n%-72s %10s %6s\n", what, total, "op (self time)", "ms", "calls");
    for (size_t i = 0; i < std::min(rows.size(), rowsShown); ++i)
        std::printf("%-72s %10.1f %6d\n", rows[i].first.c_str(), rows[i].second.first / 1e3, rows[i].second.second);
}

} // namespace hwbench
