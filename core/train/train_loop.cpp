#include "core/train/train_loop.h"

#include "core/dist/batch_shard.h"
#include "core/util/error.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <algorithm>
#include <map>
#include <memory>

namespace hw {
namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double>(b - a).count();
}

const double* find(const MetricValues& values, const std::string& name)
{
    for (const auto& [n, v] : values)
        if (n == name)
            return &v;
    return nullptr;
}

} // namespace

TrainLoop::TrainLoop(LoopConfig config, WarmupCosineSchedule schedule, AdamW& optimizer,
                     BatchStream& stream, TrainState& state, Callbacks callbacks)
    : m_config(std::move(config)), m_schedule(schedule), m_optimizer(optimizer), m_stream(stream),
      m_state(state), m_cb(std::move(callbacks))
{
    if (!m_cb.unitsOf || !m_cb.microStep)
        throw Error("TrainLoop: unitsOf and microStep are required");
    if (m_config.gradAccumSteps < 1)
        m_config.gradAccumSteps = 1;
    if (m_config.logEvery < 1)
        m_config.logEvery = 1;
    // The state is the truth (a resumed run's cursor comes from its checkpoint).
    m_stream.restore(m_state.cursor);
}

void TrainLoop::evaluateNow()
{
    if (!m_cb.evaluate)
        return;
    m_lastEval = m_cb.evaluate();
    if (m_lastEval.empty())
        return;
    if (m_sink)
        m_sink->log(m_state.step, m_lastEval);
    if (const double* v = find(m_lastEval, m_config.bestMetric)) {
        if (std::isfinite(*v) && (!m_state.bestEval || *v < *m_state.bestEval)) {
            m_state.bestEval = *v;
            if (m_sink)
                m_sink->bestEval(*v);
        }
    }
}

void TrainLoop::checkpointNow()
{
    if (!m_cb.saveCheckpoint || m_lastCheckpointStep == m_state.step)
        return;
    m_lastCheckpoint = m_cb.saveCheckpoint(m_state);
    m_lastCheckpointStep = m_state.step;
    if (m_sink && !m_lastCheckpoint.empty()) {
        nlohmann::json metrics = nlohmann::json::object();
        for (const auto& [n, v] : m_lastTrain)
            metrics[n] = v;
        for (const auto& [n, v] : m_lastEval)
            metrics[n] = v;
        m_sink->checkpoint(m_state.step, m_lastCheckpoint, metrics);
    }
}

TrainLoop::Outcome TrainLoop::run()
{
    const auto sessionStart = Clock::now();
    const int64_t startStep = m_state.step;
    const double elapsedBefore = m_state.elapsedSeconds;
    auto windowStart = sessionStart;
    std::map<std::string, double> windowSums;
    std::vector<std::string> sumOrder;
    double windowUnits = 0, windowNormSum = 0;
    int64_t windowTokens = 0, windowSteps = 0;

    auto timeUp = [&] {
        return m_config.maxSeconds > 0 && seconds(sessionStart, Clock::now()) >= m_config.maxSeconds;
    };

    const bool dist = m_group && m_group->worldSize() > 1;
    std::unique_ptr<GradBucketReducer> reducer;
    double commBefore = 0;
    int64_t overlapBefore = 0;
    if (dist) {
        std::vector<torch::Tensor> params;
        for (const auto& p : m_optimizer.params())
            params.push_back(p.tensor);
        reducer = std::make_unique<GradBucketReducer>(*m_group, params, m_reducerConfig);
        // Same starting point on every rank, whatever each one initialised.
        reducer->broadcastParameters();
    }
    // Any rank asking to stop stops all of them, at the same step.
    auto agreeStop = [&](bool local) {
        if (!dist)
            return local;
        auto flag = torch::tensor({local ? 1.0 : 0.0}, torch::kFloat64);
        m_group->allreduceSum(flag);
        return flag.item<double>() > 0;
    };

    while (m_state.step < m_config.totalSteps) {
        if (agreeStop(m_stop.stopRequested() || timeUp() || (m_sink && m_sink->stopRequested()))) {
            m_state.elapsedSeconds = elapsedBefore + seconds(sessionStart, Clock::now());
            checkpointNow();
            return Outcome::Stopped;
        }
        const double lr = m_schedule.lrAt(m_state.step);
        m_optimizer.setLr(lr);

        std::vector<std::vector<int64_t>> batches;
        double units = 0;
        for (int64_t k = 0; k < m_config.gradAccumSteps; ++k) {
            batches.push_back(m_stream.next());
            units += m_cb.unitsOf(batches.back());
        }
        m_state.cursor = m_stream.cursor();
        const double normaliser = units > 0 ? units : 1.0;

        m_optimizer.zeroGrad();
        MetricValues stepSums;   // in the callbacks' order, the same on every rank
        double stepTokens = 0;
        for (size_t k = 0; k < batches.size(); ++k) {
            BatchShard shard;
            if (dist) {
                shard = shardBatch(batches[k], m_group->rank(), m_group->worldSize());
                if (k + 1 == batches.size())
                    reducer->arm();
            } else {
                shard.rows = batches[k];
            }
            MicroBatchResult r = m_cb.microStep(shard.rows, normaliser);
            if (shard.padding && r.loss.defined())
                r.loss = r.loss * 0.0;   // keeps the graph (hooks fire, collectives match), adds nothing
            if (r.loss.defined() && r.loss.requires_grad())
                r.loss.backward();
            if (!shard.padding)
                stepTokens += static_cast<double>(r.tokens);
            for (const auto& [n, v] : r.sums) {
                auto it = std::find_if(stepSums.begin(), stepSums.end(), [&](const auto& kv) { return kv.first == n; });
                if (it == stepSums.end())
                    it = stepSums.insert(stepSums.end(), std::make_pair(n, 0.0));
                if (!shard.padding)
                    it->second += v;
            }
        }
        if (dist) {
            reducer->finish();
            // One small all-reduce for the step's token count and loss sums.
            std::vector<double> v{stepTokens};
            for (const auto& kv : stepSums)
                v.push_back(kv.second);
            auto t = torch::tensor(v, torch::kFloat64);
            m_group->allreduceSum(t);
            const auto* d = t.data_ptr<double>();
            stepTokens = d[0];
            for (size_t i = 0; i < stepSums.size(); ++i)
                stepSums[i].second = d[i + 1];
        }
        windowTokens += static_cast<int64_t>(stepTokens);
        m_state.tokensSeen += static_cast<int64_t>(stepTokens);
        for (const auto& [n, v] : stepSums) {
            if (!windowSums.count(n))
                sumOrder.push_back(n);
            windowSums[n] += v;
        }
        windowUnits += units;
        const double gradNorm = m_optimizer.clipGradNorm(m_config.gradClip);
        windowNormSum += gradNorm;
        m_optimizer.step();
        m_optimizer.zeroGrad();
        ++m_state.step;
        ++windowSteps;
        if (m_cb.afterOptimizerStep)
            m_cb.afterOptimizerStep(m_state.step);

        const bool last = m_state.step >= m_config.totalSteps;
        if (m_state.step % m_config.logEvery == 0 || last) {
            const auto now = Clock::now();
            const double dt = seconds(windowStart, now);
            MetricValues row;
            for (const auto& n : sumOrder)
                row.emplace_back(n, windowSums[n] / (windowUnits > 0 ? windowUnits : 1.0));
            row.emplace_back("lr", lr);
            row.emplace_back("grad_norm", windowNormSum / static_cast<double>(windowSteps));
            row.emplace_back("tokens_per_s", dt > 0 ? static_cast<double>(windowTokens) / dt : 0.0);
            if (dist) {
                // Seconds per step this rank waited for gradient all-reduces (what backward did not hide).
                const double wait = reducer->stats().waitSeconds;
                row.emplace_back("comm_wait_s", (wait - commBefore) / static_cast<double>(windowSteps));
                commBefore = wait;
                // Share of the buckets whose all-reduce started during backward (overlapped).
                const auto& st = reducer->stats();
                const double started = static_cast<double>(st.bucketsStartedInBackward - overlapBefore);
                row.emplace_back("comm_overlap", started / static_cast<double>(st.buckets * windowSteps));
                overlapBefore = st.bucketsStartedInBackward;
            }
            if (m_cb.extraMetrics)
                for (auto& kv : m_cb.extraMetrics())
                    row.push_back(std::move(kv));
            if (const double* loss = find(row, "loss"); loss && !std::isfinite(*loss))
                throw Error("training diverged: loss is " + std::to_string(*loss) + " at step "
                            + std::to_string(m_state.step) + " (lower the learning rate)");
            if (m_sink)
                m_sink->log(m_state.step, row);
            m_lastTrain = row;
            windowSums.clear();
            sumOrder.clear();
            windowUnits = windowNormSum = 0;
            windowTokens = windowSteps = 0;
            windowStart = Clock::now();
        }
        if (m_config.evalEvery > 0 && m_state.step % m_config.evalEvery == 0 && !last)
            evaluateNow();
        m_state.elapsedSeconds = elapsedBefore + seconds(sessionStart, Clock::now());
        if (m_config.checkpointEvery > 0 && m_state.step % m_config.checkpointEvery == 0 && !last)
            checkpointNow();
        if (m_progress) {
            Progress p;
            p.done = m_state.step;
            p.total = m_config.totalSteps;
            p.stage = "train";
            char buf[160];
            const double* loss = find(m_lastTrain, "loss");
            if (loss)
                std::snprintf(buf, sizeof buf, "loss %.4f lr %.2e", *loss, lr);
            else
                std::snprintf(buf, sizeof buf, "lr %.2e", lr);
            p.message = buf;
            m_progress(p);
        }
    }
    // A resumed run that was already complete has nothing new to evaluate or save.
    if (m_state.step > startStep || startStep == 0) {
        evaluateNow();
        m_state.elapsedSeconds = elapsedBefore + seconds(sessionStart, Clock::now());
        checkpointNow();
    }
    return Outcome::Finished;
}

} // namespace hw
