#include "core/dist/grad_bucket_reducer.h"

#include "core/util/error.h"

#include <torch/csrc/autograd/utils/lambda_post_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <chrono>
#include <mutex>
#include <unordered_set>

namespace hw {

struct GradBucketReducer::Impl {
    struct Bucket {
        std::vector<size_t> params;   // indices into Impl::params
        std::vector<int64_t> offsets; // element offset of each parameter in `flat`
        torch::Tensor flat;
        size_t pending = 0;           // parameters without a gradient yet in this backward pass
        bool started = false;
        ProcessGroup::Work work;
    };

    ProcessGroup* group = nullptr;
    GradBucketReducerConfig config;
    std::vector<torch::Tensor> params;
    std::vector<size_t> bucketOf;
    std::vector<char> ready;          // per parameter, this backward pass
    std::vector<Bucket> buckets;
    size_t nextToStart = 0;
    bool armed = false;
    std::mutex mutex;                 // hooks may run on autograd's device threads (CUDA)
    // Keeps the accumulators alive: a parameter only holds a weak pointer to its own, and a new
    // one (without our hook) would be made for the next backward pass otherwise.
    std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;
    std::vector<uintptr_t> hookKeys;
    GradBucketReducerStats stats;

    void copyIn(Bucket& b)
    {
        torch::NoGradGuard ng;
        for (size_t k = 0; k < b.params.size(); ++k) {
            const auto& p = params[b.params[k]];
            auto slice = b.flat.narrow(0, b.offsets[k], p.numel());
            const auto& g = p.grad();
            if (g.defined())
                slice.copy_(g.reshape(-1));
            else
                slice.zero_();
        }
    }

    // Starts every complete bucket from nextToStart on, in order. Called with the mutex held.
    void startReady(bool inBackward)
    {
        while (nextToStart < buckets.size() && buckets[nextToStart].pending == 0) {
            auto& b = buckets[nextToStart++];
            copyIn(b);
            b.work = group->allreduceSumAsync(b.flat);
            b.started = true;
            if (inBackward)
                ++stats.bucketsStartedInBackward;
        }
    }

    void onGradReady(size_t i)
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (!armed || ready[i])
            return;
        ready[i] = 1;
        auto& b = buckets[bucketOf[i]];
        if (b.pending > 0)
            --b.pending;
        startReady(true);
    }
};

GradBucketReducer::GradBucketReducer(ProcessGroup& group, std::vector<torch::Tensor> params,
                                     GradBucketReducerConfig config)
    : m(std::make_unique<Impl>())
{
    m->group = &group;
    m->config = config;
    std::unordered_set<const void*> seen;
    for (auto& p : params)
        if (p.defined() && p.requires_grad() && seen.insert(p.unsafeGetTensorImpl()).second)
            m->params.push_back(p);
    // Reverse order: the last layers' gradients are ready first.
    std::reverse(m->params.begin(), m->params.end());
    const auto capBytes = static_cast<int64_t>(std::max(config.bucketMegabytes, 0.0) * 1024.0 * 1024.0);
    m->bucketOf.resize(m->params.size());
    m->ready.assign(m->params.size(), 0);
    int64_t bucketBytes = 0;
    for (size_t i = 0; i < m->params.size(); ++i) {
        const auto& p = m->params[i];
        if (p.scalar_type() != m->params.front().scalar_type() || p.device() != m->params.front().device())
            throw Error("GradBucketReducer: every parameter must have the same dtype and device");
        const int64_t bytes = p.numel() * static_cast<int64_t>(p.element_size());
        if (m->buckets.empty() || (bucketBytes > 0 && bucketBytes + bytes > capBytes)) {
            m->buckets.emplace_back();
            bucketBytes = 0;
        }
        auto& b = m->buckets.back();
        b.offsets.push_back(b.params.empty() ? 0 : b.offsets.back() + m->params[b.params.back()].numel());
        b.params.push_back(i);
        m->bucketOf[i] = m->buckets.size() - 1;
        bucketBytes += bytes;
        m->stats.bytesPerStep += bytes;
    }
    for (auto& b : m->buckets) {
        int64_t n = 0;
        for (auto i : b.params)
            n += m->params[i].numel();
        b.flat = torch::zeros({n}, m->params.front().options().requires_grad(false));
    }
    m->stats.buckets = static_cast<int64_t>(m->buckets.size());
    for (size_t i = 0; i < m->params.size(); ++i) {
        auto acc = torch::autograd::impl::grad_accumulator(m->params[i]);
        if (!acc)
            throw Error("GradBucketReducer: a parameter is not a leaf that accumulates gradients");
        Impl* impl = m.get();
        m->hookKeys.push_back(acc->add_post_hook(std::make_unique<torch::autograd::utils::LambdaPostHook>(
            [impl, i](const torch::autograd::variable_list& outputs, const torch::autograd::variable_list&) {
                impl->onGradReady(i);
                return outputs;
            })));
        m->accumulators.push_back(std::move(acc));
    }
}

GradBucketReducer::~GradBucketReducer()
{
    for (size_t i = 0; i < m->accumulators.size(); ++i)
        m->accumulators[i]->del_post_hook(m->hookKeys[i]);
}

void GradBucketReducer::broadcastParameters()
{
    torch::NoGradGuard ng;
    for (auto& b : m->buckets) {
        for (size_t k = 0; k < b.params.size(); ++k)
            b.flat.narrow(0, b.offsets[k], m->params[b.params[k]].numel()).copy_(m->params[b.params[k]].reshape(-1));
        m->group->broadcast(b.flat, 0);
        for (size_t k = 0; k < b.params.size(); ++k) {
            auto& p = m->params[b.params[k]];
            p.copy_(b.flat.narrow(0, b.offsets[k], p.numel()).view_as(p));
        }
    }
}

void GradBucketReducer::arm()
{
    std::lock_guard<std::mutex> lock(m->mutex);
    for (auto& b : m->buckets) {
        if (b.work.pending())
            throw Error("GradBucketReducer: arm() before finish() of the previous step");
        b.pending = b.params.size();
        b.started = false;
    }
    std::fill(m->ready.begin(), m->ready.end(), 0);
    m->nextToStart = 0;
    m->armed = true;
}

void GradBucketReducer::finish()
{
    const auto t0 = std::chrono::steady_clock::now();
    {
        std::lock_guard<std::mutex> lock(m->mutex);
        if (!m->armed)
            throw Error("GradBucketReducer: finish() without arm()");
        m->armed = false;
        // Parameters this backward pass did not reach count as zero gradients.
        for (auto& b : m->buckets)
            b.pending = 0;
        m->startReady(false);
    }
    torch::NoGradGuard ng;
    // Which parameters got a gradient on some rank: AdamW skips a parameter without one (no decay,
    // no moment update), and every rank must skip the same ones that one process would.
    std::vector<float> had(m->params.size());
    for (size_t i = 0; i < m->params.size(); ++i)
        had[i] = m->params[i].grad().defined() ? 1.f : 0.f;
    auto flags = torch::tensor(had).to(m->params.front().device());
    m->group->allreduceSum(flags);
    flags = flags.cpu();
    const float* anyRank = flags.data_ptr<float>();
    const double scale = m->config.average ? 1.0 / static_cast<double>(m->group->worldSize()) : 1.0;
    for (auto& b : m->buckets) {
        b.work.wait();
        if (scale != 1.0)
            b.flat.mul_(scale);
        for (size_t k = 0; k < b.params.size(); ++k) {
            auto& p = m->params[b.params[k]];
            if (anyRank[b.params[k]] == 0.f)
                continue;
            auto reduced = b.flat.narrow(0, b.offsets[k], p.numel()).view_as(p);
            if (p.grad().defined())
                p.mutable_grad().copy_(reduced);
            else
                p.mutable_grad() = reduced.clone();
        }
    }
    m->stats.waitSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++m->stats.steps;
}

const GradBucketReducerStats& GradBucketReducer::stats() const { return m->stats; }

} // namespace hw
