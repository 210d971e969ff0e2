#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace hw {

using MetricValues = std::vector<std::pair<std::string, double>>;

// Where a trainer reports what happens, as it happens. RunRecorder writes the project file's
// runs/metrics/checkpoints tables; tests use a MemoryMetricsSink; nullptr = nowhere.
// Called from the training thread only.
class MetricsSink {
public:
    virtual ~MetricsSink() = default;
    // Scalars measured at an optimizer step (names: loss, eval_loss, lr, grad_norm, tokens_per_s...).
    virtual void log(int64_t step, const MetricValues& values) = 0;
    // A checkpoint was written (path is the checkpoint directory).
    virtual void checkpoint(int64_t step, const std::string& path, const nlohmann::json& metrics) = 0;
    // A new best held-out value (lower is better).
    virtual void bestEval(double value) {}
    // An older checkpoint was deleted (keepCheckpoints): its record goes too.
    virtual void checkpointRemoved(const std::string& path) {}
    // Whether someone outside this process asked the run to stop (the workbench stopping a CLI
    // run through the project file). Polled by TrainLoop next to its StopToken, once per step.
    virtual bool stopRequested() { return false; }
};

// Keeps everything in memory (tests, benchmarks).
class MemoryMetricsSink : public MetricsSink {
public:
    struct Row {
        int64_t step;
        std::string name;
        double value;
    };
    void log(int64_t step, const MetricValues& values) override
    {
        for (const auto& [n, v] : values)
            rows.push_back({step, n, v});
    }
    void checkpoint(int64_t step, const std::string& path, const nlohmann::json&) override
    {
        checkpoints.emplace_back(step, path);
    }
    std::vector<double> series(const std::string& name) const
    {
        std::vector<double> out;
        for (const auto& r : rows)
            if (r.name == name)
                out.push_back(r.value);
        return out;
    }
    std::vector<Row> rows;
    std::vector<std::pair<int64_t, std::string>> checkpoints;
};

} // namespace hw
