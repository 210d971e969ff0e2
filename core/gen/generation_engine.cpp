#include "core/gen/generation_engine.h"

#include "core/gen/slot_decoder.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

namespace hw {

namespace {

using Clock = std::chrono::steady_clock;

// generate()'s per-row seed and uniform draw (core/model/generation.cpp), so a request samples the
// same tokens here as there.
uint64_t rowSeed(uint64_t seed, int64_t row)
{
    uint64_t z = seed + 0x9E3779B97F4A7C15ull * uint64_t(row + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double uniform01(std::mt19937_64& g) { return double(g() >> 11) * (1.0 / 9007199254740992.0); }

struct Job {
    EngineRequest req;
    std::promise<GenerationResult> promise;
    GenerationResult result;
    std::vector<std::vector<int64_t>> seqs; // prompt + generated, per row
    std::vector<std::mt19937_64> rngs;
    int64_t unfinished = 0;
    Clock::time_point submitted = Clock::now();
    bool firstToken = false;
    bool ended = false;
};

struct Seq {
    enum class State { WaitPrefix, Prefill, Decode };
    std::shared_ptr<Job> job;
    int64_t row = 0;
    int64_t slot = 0;
    State state = State::Prefill;
    int64_t len = 0;          // positions filled in the slot
    int64_t promptLen = 0;
    int64_t maxNew = 0;
    int64_t step = 0;         // tokens generated so far
    int64_t sharedPrefix = 0; // leader: prefix its siblings wait for
    std::vector<Seq*> waiters;
};

} // namespace

struct GenerationEngine::Impl {
    EngineOptions options;
    SlotDecoder decoder;
    int64_t vocab = 0;
    std::string failure;

    mutable std::mutex mutex;
    std::condition_variable wake;
    std::deque<std::shared_ptr<Job>> queue;
    bool stopping = false;
    EngineMetrics metrics;

    // Worker-thread state.
    std::vector<std::unique_ptr<Seq>> seqs;
    std::vector<std::unique_ptr<Seq>> retired;
    std::vector<int64_t> freeSlots;
    // Finished sequences' slots with the tokens their KV holds (positions 0..size-1), reused by a
    // prompt that starts with them (EngineOptions::prefixCache); taken back least recently used.
    struct Parked {
        int64_t slot = 0;
        std::vector<int64_t> tokens;
        uint64_t used = 0;
    };
    std::vector<Parked> parked;
    uint64_t useClock = 0;
    std::thread worker;

    Impl(Transformer model, EngineOptions o)
        : options(o), decoder(std::move(model), o.maxBatch, o.maxLength)
    {
        vocab = decoder.model()->config().vocabSize;
        for (int64_t s = decoder.slots() - 1; s >= 0; --s)
            freeSlots.push_back(s);
        metrics.slots = decoder.slots();
        decoder.model()->eval();
        worker = std::thread([this] { run(); });
    }

    ~Impl()
    {
        {
            std::lock_guard<std::mutex> lock(mutex);
            stopping = true;
        }
        wake.notify_all();
        if (worker.joinable())
            worker.join();
    }

    void finishJob(const std::shared_ptr<Job>& job, std::exception_ptr error = nullptr)
    {
        if (job->ended)
            return;
        job->ended = true;
        job->result.seconds = std::chrono::duration<double>(Clock::now() - job->submitted).count();
        {
            std::lock_guard<std::mutex> lock(mutex);
            ++metrics.completed;
        }
        if (error)
            job->promise.set_exception(error);
        else
            job->promise.set_value(std::move(job->result));
    }

    // keep: the sequence finished normally, so its slot's KV (prompt + generated but the last
    // token) is kept for a prompt that continues it.
    void release(Seq* s, bool keep = false)
    {
        const auto& tokens = s->job->seqs[size_t(s->row)];
        if (keep && options.prefixCache && s->len > 0 && s->len <= int64_t(tokens.size()))
            parked.push_back({s->slot, std::vector<int64_t>(tokens.begin(), tokens.begin() + s->len), ++useClock});
        else
            freeSlots.push_back(s->slot);
        auto it = std::find_if(seqs.begin(), seqs.end(), [&](const auto& p) { return p.get() == s; });
        if (it != seqs.end()) {
            // Kept alive until the end of the step: the step's loops still hold pointers to it.
            retired.push_back(std::move(*it));
            seqs.erase(it);
        }
        std::lock_guard<std::mutex> lock(mutex); // before the request's future is ready
        metrics.active = int64_t(seqs.size());
    }

    // Ends every sequence of a job (error or cancel) and frees their slots.
    void endJob(const std::shared_ptr<Job>& job, FinishReason reason, std::exception_ptr error)
    {
        std::vector<Seq*> mine;
        for (auto& s : seqs)
            if (s->job == job)
                mine.push_back(s.get());
        for (Seq* s : mine) {
            job->result.finish[size_t(s->row)] = reason;
            release(s);
        }
        job->unfinished = 0;
        if (!error && reason == FinishReason::Cancelled) {
            std::lock_guard<std::mutex> lock(mutex);
            ++metrics.cancelled;
        }
        finishJob(job, error);
    }

    // generate()'s per-row sampling: banned, filter, hook, greedy or a draw.
    int64_t pick(Seq& s, const torch::Tensor& logitsRow, const torch::Tensor& hiddenRow)
    {
        Job& job = *s.job;
        const auto& o = job.req.options;
        auto logits = logitsRow.unsqueeze(0).clone(); // [1,V]
        torch::Tensor raw;
        if (job.req.hook)
            raw = logits.clone();
        filterLogits(logits, o.sampling);
        if (job.req.hook) {
            LogitsHookContext ctx;
            ctx.step = s.step;
            ctx.rows = torch::tensor(std::vector<int64_t>{s.row}, torch::kLong);
            ctx.hidden = hiddenRow.unsqueeze(0);
            ctx.positions = torch::tensor(std::vector<int64_t>{s.len - 1}, torch::kLong);
            ctx.sequences = &job.seqs;
            ctx.rawLogits = raw;
            auto replaced = job.req.hook(logits, ctx);
            if (replaced.defined())
                logits = replaced.to(torch::kFloat);
        }
        if (o.sampling.temperature <= 0)
            return logits.argmax(-1).item<int64_t>();
        const auto probs = torch::softmax(logits.to(torch::kDouble), -1).contiguous();
        const double* pa = probs.data_ptr<double>();
        const int64_t V = probs.size(1);
        double total = 0;
        for (int64_t v = 0; v < V; ++v)
            total += pa[v];
        if (!(total > 0))
            throw Error("generate: every token was filtered out (top-k/top-p/hook left no probability)");
        const double u = uniform01(job.rngs[size_t(s.row)]) * total;
        double c = 0;
        int64_t choice = -1;
        for (int64_t v = 0; v < V; ++v) {
            if (pa[v] <= 0)
                continue;
            c += pa[v];
            choice = v;
            if (c > u)
                break;
        }
        return choice;
    }

    // Records a generated token; returns true when the sequence has finished.
    bool emit(Seq& s, int64_t token)
    {
        Job& job = *s.job;
        const auto& o = job.req.options;
        job.seqs[size_t(s.row)].push_back(token);
        job.result.tokens[size_t(s.row)].push_back(token);
        ++job.result.generatedTokens;
        if (!job.firstToken) {
            job.firstToken = true;
            job.result.firstTokenSeconds = std::chrono::duration<double>(Clock::now() - job.submitted).count();
        }
        const bool isStop = std::find(o.stopTokens.begin(), o.stopTokens.end(), token) != o.stopTokens.end();
        if (job.req.onToken)
            job.req.onToken({s.row, token, s.step, isStop});
        ++s.step;
        {
            std::lock_guard<std::mutex> lock(mutex);
            ++metrics.tokens;
        }
        if (isStop)
            job.result.finish[size_t(s.row)] = FinishReason::StopToken;
        return isStop || s.step >= s.maxNew;
    }

    // A slot for a sequence of `prompt` and how many of its first tokens the slot already holds:
    // the parked slot sharing the longest prefix with it (at most all but its last token, whose
    // logits the prefill must produce) when that is worth it, else a free slot, else the least
    // recently used parked one.
    std::pair<int64_t, int64_t> takeSlot(const std::vector<int64_t>* prompt)
    {
        constexpr int64_t kMinReuse = 8;
        size_t best = parked.size();
        int64_t bestLen = 0;
        if (prompt) {
            for (size_t i = 0; i < parked.size(); ++i) {
                const auto& t = parked[i].tokens;
                const size_t limit = std::min(t.size(), prompt->size() - 1);
                size_t n = 0;
                while (n < limit && t[n] == (*prompt)[n])
                    ++n;
                if (int64_t(n) > bestLen || (int64_t(n) == bestLen && n > 0 && parked[i].used > parked[best].used)) {
                    best = i;
                    bestLen = int64_t(n);
                }
            }
        }
        if (best == parked.size() || bestLen < kMinReuse) {
            if (!freeSlots.empty()) {
                const int64_t slot = freeSlots.back();
                freeSlots.pop_back();
                return {slot, 0};
            }
            // No free slot: the least recently used finished sequence gives its slot (and
            // whatever little of the prompt it holds).
            best = 0;
            for (size_t i = 1; i < parked.size(); ++i)
                if (parked[i].used < parked[best].used)
                    best = i;
            bestLen = 0;
            if (prompt) {
                const auto& t = parked[best].tokens;
                const size_t limit = std::min(t.size(), prompt->size() - 1);
                while (size_t(bestLen) < limit && t[size_t(bestLen)] == (*prompt)[size_t(bestLen)])
                    ++bestLen;
            }
        }
        const int64_t slot = parked[best].slot;
        parked.erase(parked.begin() + std::ptrdiff_t(best));
        return {slot, bestLen};
    }

    void sequenceDone(Seq* s)
    {
        auto job = s->job;
        release(s, /*keep=*/true);
        if (--job->unfinished == 0)
            finishJob(job);
    }

    void admit()
    {
        for (;;) {
            std::shared_ptr<Job> job;
            {
                std::lock_guard<std::mutex> lock(mutex);
                if (queue.empty()
                    || int64_t(freeSlots.size() + parked.size()) < int64_t(queue.front()->req.prompts.size()))
                    return;
                job = queue.front();
                queue.pop_front();
                ++metrics.requests;
            }
            if (job->req.stop.stopRequested()) {
                // Cancelled while it waited (e.g. the client went away before its first token):
                // counted like a cancel in flight.
                std::fill(job->result.finish.begin(), job->result.finish.end(), FinishReason::Cancelled);
                {
                    std::lock_guard<std::mutex> lock(mutex);
                    ++metrics.cancelled;
                }
                finishJob(job);
                continue;
            }
            const auto& prompts = job->req.prompts;
            // Longest common prefix of the request's prompts (at most the shortest minus one token,
            // whose logits each sequence needs from its own prefill).
            int64_t shared = 0;
            if (prompts.size() > 1) {
                size_t minLen = prompts[0].size();
                for (const auto& p : prompts)
                    minLen = std::min(minLen, p.size());
                while (size_t(shared) + 1 < minLen) {
                    bool same = true;
                    for (const auto& p : prompts)
                        same = same && p[size_t(shared)] == prompts[0][size_t(shared)];
                    if (!same)
                        break;
                    ++shared;
                }
            }
            job->unfinished = int64_t(prompts.size());
            Seq* leader = nullptr;
            for (size_t r = 0; r < prompts.size(); ++r) {
                auto s = std::make_unique<Seq>();
                s->job = job;
                s->row = int64_t(r);
                const auto [slot, cached] = takeSlot(prompts.size() == 1 ? &prompts[r] : nullptr);
                s->slot = slot;
                s->len = cached; // positions the slot already holds for this prompt
                s->promptLen = int64_t(prompts[r].size());
                if (cached > 0) {
                    std::lock_guard<std::mutex> lock(mutex);
                    metrics.reusedTokens += uint64_t(cached);
                }
                s->maxNew = std::min<int64_t>(job->req.options.maxNewTokens, decoder.capacity() - s->promptLen);
                if (shared > 0 && r == 0) {
                    leader = s.get();
                    s->sharedPrefix = shared;
                } else if (shared > 0) {
                    s->state = Seq::State::WaitPrefix;
                    leader->waiters.push_back(s.get());
                }
                seqs.push_back(std::move(s));
            }
            std::lock_guard<std::mutex> lock(mutex);
            metrics.active = int64_t(seqs.size());
        }
    }

    void cancelRequested()
    {
        std::vector<std::shared_ptr<Job>> cancelled;
        for (auto& s : seqs)
            if (s->job->req.stop.stopRequested()
                && std::find(cancelled.begin(), cancelled.end(), s->job) == cancelled.end())
                cancelled.push_back(s->job);
        for (auto& job : cancelled)
            endJob(job, FinishReason::Cancelled, nullptr);
    }

    // After a sequence's prefill advanced to s->len: hands the shared prefix to its siblings and,
    // at the end of the prompt, samples the first token.
    void prefilled(Seq* s, const torch::Tensor& logitsRow, const torch::Tensor& hiddenRow)
    {
        if (!s->waiters.empty() && s->len >= s->sharedPrefix) {
            for (Seq* w : s->waiters) {
                decoder.copyPrefix(s->slot, w->slot, s->sharedPrefix);
                w->len = s->sharedPrefix;
                w->state = Seq::State::Prefill;
            }
            s->waiters.clear();
        }
        if (s->len == s->promptLen) {
            s->state = Seq::State::Decode;
            if (emit(*s, pick(*s, logitsRow, hiddenRow)))
                sequenceDone(s);
        }
    }

    int64_t chunkEnd(const Seq* s, int64_t budget) const
    {
        int64_t end = std::min(s->promptLen, s->len + std::max<int64_t>(budget, 1));
        if (s->len < s->sharedPrefix)
            end = std::min(end, s->sharedPrefix);
        return end;
    }

    // Fresh sequences whose first chunks have one length go through one batched forward (the
    // first tokens of many clients arriving together come out of one step).
    int64_t prefillFreshGroup(std::vector<Seq*>& order, int64_t budget)
    {
        std::vector<Seq*> group;
        int64_t T = 0;
        for (Seq* s : order) {
            if (s->len != 0 || s->job->ended)
                continue;
            const int64_t end = chunkEnd(s, options.prefillChunk);
            if (group.empty())
                T = end;
            if (end != T || int64_t(group.size() + 1) * T > std::max(budget, T))
                continue;
            group.push_back(s);
        }
        if (group.size() < 2)
            return 0;
        std::vector<int64_t> slots;
        std::vector<std::vector<int64_t>> chunks;
        for (Seq* s : group) {
            slots.push_back(s->slot);
            const auto& prompt = s->job->req.prompts[size_t(s->row)];
            chunks.emplace_back(prompt.begin(), prompt.begin() + T);
        }
        SlotStepOutput out;
        try {
            out = decoder.prefillFresh(slots, chunks);
        } catch (...) {
            const auto error = std::current_exception();
            for (Seq* s : group)
                endJob(s->job, FinishReason::Cancelled, error);
            return 0;
        }
        {
            std::lock_guard<std::mutex> lock(mutex);
            metrics.promptTokens += uint64_t(T) * group.size();
        }
        for (size_t i = 0; i < group.size(); ++i) {
            Seq* s = group[i];
            s->len = T;
            if (s->job->ended)
                continue;
            try {
                prefilled(s, out.logits[int64_t(i)], out.hidden[int64_t(i)]);
            } catch (...) {
                endJob(s->job, FinishReason::Cancelled, std::current_exception());
            }
        }
        order.erase(std::remove_if(order.begin(), order.end(),
                                   [&](Seq* s) { return std::find(group.begin(), group.end(), s) != group.end(); }),
                    order.end());
        return T * int64_t(group.size());
    }

    // Up to prefillChunk prompt tokens per step (at least one chunk), oldest sequences first.
    void prefill()
    {
        int64_t budget = options.prefillChunk;
        std::vector<Seq*> order;
        for (auto& s : seqs)
            if (s->state == Seq::State::Prefill)
                order.push_back(s.get());
        budget -= prefillFreshGroup(order, budget);
        for (Seq* s : order) {
            if (budget <= 0)
                break;
            if (s->job->ended)
                continue;
            try {
                const int64_t end = chunkEnd(s, budget);
                const auto& prompt = s->job->req.prompts[size_t(s->row)];
                const std::vector<int64_t> chunk(prompt.begin() + s->len, prompt.begin() + end);
                const auto out = decoder.prefill(s->slot, chunk, s->len);
                budget -= end - s->len;
                {
                    std::lock_guard<std::mutex> lock(mutex);
                    metrics.promptTokens += uint64_t(end - s->len);
                }
                s->len = end;
                prefilled(s, out.logits[0], out.hidden[0]);
            } catch (...) {
                endJob(s->job, FinishReason::Cancelled, std::current_exception());
            }
        }
    }

    void decodeStep()
    {
        std::vector<Seq*> batch;
        for (auto& s : seqs)
            if (s->state == Seq::State::Decode)
                batch.push_back(s.get());
        if (batch.empty())
            return;
        std::vector<int64_t> slots, tokens, positions;
        for (Seq* s : batch) {
            slots.push_back(s->slot);
            tokens.push_back(s->job->seqs[size_t(s->row)].back());
            positions.push_back(s->len);
        }
        SlotStepOutput out;
        try {
            out = decoder.decode(slots, tokens, positions);
        } catch (...) {
            const auto error = std::current_exception();
            std::vector<std::shared_ptr<Job>> jobs;
            for (Seq* s : batch)
                if (std::find(jobs.begin(), jobs.end(), s->job) == jobs.end())
                    jobs.push_back(s->job);
            for (auto& j : jobs)
                endJob(j, FinishReason::Cancelled, error);
            return;
        }
        {
            std::lock_guard<std::mutex> lock(mutex);
            ++metrics.decodeSteps;
            metrics.decodeRows += batch.size();
        }
        for (size_t i = 0; i < batch.size(); ++i) {
            Seq* s = batch[i];
            if (s->job->ended)
                continue;
            s->len += 1;
            try {
                if (emit(*s, pick(*s, out.logits[int64_t(i)], out.hidden[int64_t(i)])))
                    sequenceDone(s);
            } catch (...) {
                endJob(s->job, FinishReason::Cancelled, std::current_exception());
            }
        }
    }

    void run()
    {
        c10::InferenceMode inference;
        for (;;) {
            {
                std::unique_lock<std::mutex> lock(mutex);
                wake.wait(lock, [&] { return stopping || !queue.empty() || !seqs.empty(); });
                if (stopping)
                    break;
            }
            const auto t0 = Clock::now();
            cancelRequested();
            admit();
            prefill();
            decodeStep();
            std::lock_guard<std::mutex> lock(mutex);
            metrics.busySeconds += std::chrono::duration<double>(Clock::now() - t0).count();
            metrics.active = int64_t(seqs.size());
            metrics.queued = int64_t(queue.size());
            retired.clear();
        }
        // Stopping: whatever is left ends as cancelled.
        std::vector<std::shared_ptr<Job>> left;
        for (auto& s : seqs)
            if (std::find(left.begin(), left.end(), s->job) == left.end())
                left.push_back(s->job);
        for (auto& j : left)
            endJob(j, FinishReason::Cancelled, nullptr);
        std::lock_guard<std::mutex> lock(mutex);
        for (auto& j : queue) {
            std::fill(j->result.finish.begin(), j->result.finish.end(), FinishReason::Cancelled);
            j->ended = true;
            j->promise.set_value(std::move(j->result));
        }
        queue.clear();
    }
};

GenerationEngine::GenerationEngine(Transformer model, EngineOptions options)
    : m(std::make_unique<Impl>(std::move(model), options))
{
}

GenerationEngine::~GenerationEngine() = default;

const EngineOptions& GenerationEngine::options() const { return m->options; }

std::future<GenerationResult> GenerationEngine::submit(EngineRequest request)
{
    if (request.prompts.empty())
        throw Error("generation engine: a request needs at least one prompt");
    if (int64_t(request.prompts.size()) > m->decoder.slots())
        throw Error("generation engine: " + std::to_string(request.prompts.size()) + " sequences in one request, the engine has "
                    + std::to_string(m->decoder.slots()) + " slots");
    for (const auto& p : request.prompts) {
        if (p.empty())
            throw Error("generate: empty prompt (a prompt starts with <s> at least)");
        if (int64_t(p.size()) >= m->decoder.capacity())
            throw Error("generate: prompt of " + std::to_string(p.size()) + " tokens leaves no room under the "
                        + std::to_string(m->decoder.capacity()) + " positions of a slot");
        for (int64_t id : p)
            if (id < 0 || id >= m->vocab)
                throw Error("generate: token id " + std::to_string(id) + " outside the model's vocabulary ("
                            + std::to_string(m->vocab) + ")");
    }
    if (request.options.maxNewTokens <= 0)
        throw Error("generate: maxNewTokens must be positive");
    auto job = std::make_shared<Job>();
    job->req = std::move(request);
    job->seqs = job->req.prompts;
    const size_t n = job->seqs.size();
    job->result.tokens.assign(n, {});
    job->result.finish.assign(n, FinishReason::Length);
    for (size_t i = 0; i < n; ++i)
        job->rngs.emplace_back(rowSeed(job->req.options.sampling.seed, int64_t(i)));
    auto future = job->promise.get_future();
    {
        std::lock_guard<std::mutex> lock(m->mutex);
        if (int64_t(m->queue.size()) >= m->options.maxQueue) {
            ++m->metrics.rejected;
            throw EngineQueueFull("the generation queue is full (" + std::to_string(m->options.maxQueue)
                                  + " requests waiting); try again later");
        }
        m->queue.push_back(job);
        m->metrics.queued = int64_t(m->queue.size());
    }
    m->wake.notify_all();
    return future;
}

EngineMetrics GenerationEngine::metrics() const
{
    std::lock_guard<std::mutex> lock(m->mutex);
    EngineMetrics out = m->metrics;
    out.queued = int64_t(m->queue.size());
    return out;
}

std::string GenerationEngine::prometheusText(const EngineMetrics& e, const std::string& model)
{
    std::ostringstream o;
    const std::string label = "{model=\"" + model + "\"}";
    auto metric = [&](const char* name, const char* type, const char* help, double value) {
        o << "# HELP hindsight_engine_" << name << " " << help << "\n"
          << "# TYPE hindsight_engine_" << name << " " << type << "\n"
          << "hindsight_engine_" << name << label << " " << value << "\n";
    };
    metric("requests_total", "counter", "Requests admitted to the engine.", double(e.requests));
    metric("requests_rejected_total", "counter", "Requests refused because the queue was full.", double(e.rejected));
    metric("requests_completed_total", "counter", "Requests finished (any reason).", double(e.completed));
    metric("requests_cancelled_total", "counter", "Requests cancelled (e.g. the client went away).", double(e.cancelled));
    metric("generated_tokens_total", "counter", "Tokens generated.", double(e.tokens));
    metric("prompt_tokens_total", "counter", "Prompt tokens prefilled (shared prefixes once).", double(e.promptTokens));
    metric("prompt_tokens_reused_total", "counter",
           "Prompt tokens found in a finished sequence's KV slot (prefix cache), not prefilled.", double(e.reusedTokens));
    metric("decode_steps_total", "counter", "Batched decoding steps.", double(e.decodeSteps));
    metric("busy_seconds_total", "counter", "Seconds spent computing steps.", e.busySeconds);
    metric("tokens_per_second", "gauge", "Generated tokens per busy second since start.",
           e.busySeconds > 0 ? double(e.tokens) / e.busySeconds : 0.0);
    metric("batch_occupancy", "gauge", "Mean sequences per decoding step over the slots (0-1).",
           e.decodeSteps > 0 && e.slots > 0 ? double(e.decodeRows) / double(e.decodeSteps) / double(e.slots) : 0.0);
    metric("active_sequences", "gauge", "Sequences in KV slots now.", double(e.active));
    metric("queue_length", "gauge", "Requests waiting for slots now.", double(e.queued));
    metric("slots", "gauge", "KV slots (sequences decoded together).", double(e.slots));
    return o.str();
}

} // namespace hw
