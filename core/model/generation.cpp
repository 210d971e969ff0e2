#include "core/model/generation.h"

#include "core/util/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <vector>
#include <limits>
#include <random>

namespace hw {

namespace {

constexpr float kNegInfF = -std::numeric_limits<float>::infinity();

// Rows of a CPU float32 tensor are filtered in place on raw pointers (one decision per decoding
// row: sorting a whole vocabulary through ATen ops cost ~0.8 ms per row with top-p, more than the
// model's step at batch 8). Other devices and dtypes keep the tensor path; both follow one rule.
bool rowwiseOnCpu(const torch::Tensor& t)
{
    return t.device().is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous() && t.dim() >= 1
        && t.size(-1) > 0;
}

// Token a ranks before token b: higher value, then lower id (a total order, so ties are fixed).
struct RanksBefore {
    const float* x;
    bool operator()(int32_t a, int32_t b) const { return x[a] > x[b] || (x[a] == x[b] && a < b); }
};

// Exactly k kept: every value above the k-th largest, then values equal to it from the lowest id up.
// The k-th largest by a running min-heap of the k largest (on logits most values fail the one
// comparison with its top, a branch the CPU predicts), or by selection when k is a large share.
void keepTopKRow(float* x, int64_t V, int64_t k, std::vector<float>& scratch)
{
    float kth;
    if (k <= V / 8) {
        scratch.assign(x, x + k);
        std::make_heap(scratch.begin(), scratch.end(), std::greater<float>());
        for (int64_t v = k; v < V; ++v)
            if (x[v] > scratch.front()) {
                std::pop_heap(scratch.begin(), scratch.end(), std::greater<float>());
                scratch.back() = x[v];
                std::push_heap(scratch.begin(), scratch.end(), std::greater<float>());
            }
        kth = scratch.front();
    } else {
        scratch.assign(x, x + V);
        std::nth_element(scratch.begin(), scratch.begin() + (k - 1), scratch.end(), std::greater<float>());
        kth = scratch[size_t(k - 1)];
    }
    int64_t room = k;
    for (int64_t v = 0; v < V; ++v)
        room -= x[v] > kth;
    for (int64_t v = 0; v < V; ++v) {
        if (x[v] > kth)
            continue;
        if (x[v] == kth && room > 0) {
            --room;
            continue;
        }
        x[v] = kNegInfF;
    }
}

// Top-p in rank order (RanksBefore): a token goes when the tokens ranked above it already hold
// more than topP of the probability; the most likely token always stays. Without sorting the
// vocabulary: the tokens fall into bins by their distance to the largest logit (equal values share
// a bin, every bin ranks wholly before the next), the bins' masses locate the bin where the
// running mass passes topP, and only that bin's tokens are sorted.
void keepTopPRow(float* x, int64_t V, double topP, std::vector<int32_t>& binOf, std::vector<int32_t>& members,
                 std::vector<double>& p)
{
    constexpr int kBins = 512;
    constexpr double kBinWidth = 24.0 / (kBins - 1); // logit units; the last bin takes the rest
    const float mx = *std::max_element(x, x + V);
    if (mx == kNegInfF)
        return;
    p.resize(size_t(V));
    binOf.resize(size_t(V));
    double binMass[kBins] = {};
    double total = 0;
    for (int64_t v = 0; v < V; ++v) {
        const double gap = double(mx) - double(x[v]); // >= 0, +inf for banned tokens
        const int b = gap < (kBins - 1) * kBinWidth ? int(gap / kBinWidth) : kBins - 1;
        const double pv = x[v] == kNegInfF ? 0.0 : std::exp(-gap);
        p[size_t(v)] = pv;
        binOf[size_t(v)] = b;
        binMass[b] += pv;
        total += pv;
    }
    const double limit = topP * total;
    double before = 0;
    int boundary = 0;
    for (; boundary < kBins; ++boundary) {
        if (before + binMass[boundary] > limit)
            break;
        before += binMass[boundary];
    }
    if (boundary == kBins)
        return; // the whole mass stays within topP: every token stays
    members.clear();
    for (int64_t v = 0; v < V; ++v)
        if (binOf[size_t(v)] == boundary)
            members.push_back(int32_t(v));
    std::sort(members.begin(), members.end(), RanksBefore{x});
    // Tokens of earlier bins stay; of later bins go; in this bin, by rank.
    size_t cut = 0;
    for (; cut < members.size() && before <= limit; ++cut)
        before += p[size_t(members[cut])];
    for (size_t i = cut; i < members.size(); ++i)
        x[members[i]] = kNegInfF;
    for (int64_t v = 0; v < V; ++v)
        if (binOf[size_t(v)] > boundary)
            x[v] = kNegInfF;
}

} // namespace

torch::Tensor keepTopK(const torch::Tensor& logits, int64_t k)
{
    const int64_t V = logits.size(-1);
    if (k <= 0 || k >= V)
        return logits;
    // Exactly k entries per row, as the reference's scatter of -inf over all but k: every entry
    // above the k-th largest value, then entries equal to it from the lowest index up until k are
    // kept. torch.topk does not specify which of equal values it returns, so the rule is ours and
    // fixed: the same tokens on every device and batch. Keeping every tie (the older filter) left
    // more than k tokens, and sampling through generate() differed from the ILQL decoding on ties.
    if (rowwiseOnCpu(logits)) {
        auto out = logits.clone();
        std::vector<float> scratch;
        float* x = out.data_ptr<float>();
        for (int64_t r = 0, rows = out.numel() / V; r < rows; ++r)
            keepTopKRow(x + r * V, V, k, scratch);
        return out;
    }
    const auto kth = std::get<0>(logits.topk(k, -1)).narrow(-1, k - 1, 1);
    const auto above = logits > kth;
    const auto tied = logits == kth;
    const auto room = k - above.sum(-1, /*keepdim=*/true);
    const auto keep = above | (tied & (tied.to(torch::kLong).cumsum(-1) <= room));
    return logits.masked_fill(keep.logical_not(), -std::numeric_limits<double>::infinity());
}

void filterLogits(torch::Tensor& logits, const SamplingOptions& o)
{
    const double negInf = -std::numeric_limits<double>::infinity();
    if (!o.bannedTokens.empty()) {
        auto idx = torch::tensor(o.bannedTokens, torch::TensorOptions().dtype(torch::kLong)).to(logits.device());
        logits.index_fill_(-1, idx, negInf);
    }
    if (o.temperature > 0 && o.temperature != 1.0)
        logits.div_(o.temperature);
    const int64_t V = logits.size(-1);
    const bool topK = o.topK > 0 && o.topK < V, topP = o.topP > 0 && o.topP < 1.0;
    if ((topK || topP) && rowwiseOnCpu(logits)) {
        std::vector<float> scratch;
        std::vector<int32_t> binOf, members;
        std::vector<double> p;
        float* x = logits.data_ptr<float>();
        for (int64_t r = 0, rows = logits.numel() / V; r < rows; ++r) {
            if (topK)
                keepTopKRow(x + r * V, V, o.topK, scratch);
            if (topP)
                keepTopPRow(x + r * V, V, o.topP, binOf, members, p);
        }
        return;
    }
    if (topK)
        logits.copy_(keepTopK(logits, o.topK));
    if (topP) {
        // The same rule as keepTopPRow, ties ranked by id (a stable sort keeps ids in order).
        auto [sorted, order] = logits.sort(/*stable=*/true, -1, /*descending=*/true);
        auto probs = torch::softmax(sorted.to(torch::kDouble), -1);
        // Remove a token when the tokens ranked above it already hold more than topP
        // (the most likely token always stays).
        auto before = probs.cumsum(-1) - probs;
        auto remove = before > o.topP;
        logits.scatter_(-1, order, sorted.masked_fill(remove, negInf));
    }
}

namespace {

uint64_t rowSeed(uint64_t seed, int64_t row)
{
    // splitmix64 of (seed, row): independent streams per row.
    uint64_t z = seed + 0x9E3779B97F4A7C15ull * uint64_t(row + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double uniform01(std::mt19937_64& g) { return double(g() >> 11) * (1.0 / 9007199254740992.0); }

} // namespace

GenerationResult generate(Transformer& model, const std::vector<std::vector<int64_t>>& prompts,
                          const GenerationOptions& options, const LogitsHook& hook, const TokenCallback& onToken,
                          const StopToken* stop)
{
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    GenerationResult result;
    const int64_t B = int64_t(prompts.size());
    if (B == 0)
        return result;
    int64_t maxPrompt = 0;
    for (const auto& p : prompts) {
        if (p.empty())
            throw Error("generate: empty prompt (a prompt starts with <s> at least)");
        maxPrompt = std::max<int64_t>(maxPrompt, int64_t(p.size()));
    }
    const auto& cfg = model->config();
    for (const auto& p : prompts)
        for (int64_t id : p)
            if (id < 0 || id >= cfg.vocabSize)
                throw Error("generate: token id " + std::to_string(id) + " outside the model's vocabulary ("
                            + std::to_string(cfg.vocabSize) + ")");
    int64_t maxPositions = cfg.maxPositionEmbeddings;
    std::vector<Transformer> companions = options.companions;
    for (const auto& c : companions) {
        if (!c)
            throw Error("generate: a companion model is null");
        // Every token the main model can produce goes through the companions too.
        if (c->config().vocabSize < cfg.vocabSize)
            throw Error("generate: a companion model's vocabulary (" + std::to_string(c->config().vocabSize)
                        + ") is smaller than the model's (" + std::to_string(cfg.vocabSize) + ")");
        if (c->device() != model->device())
            throw Error("generate: a companion model is on another device than the model");
        maxPositions = std::min(maxPositions, c->config().maxPositionEmbeddings);
    }
    const int64_t maxNew = std::min<int64_t>(options.maxNewTokens, maxPositions - maxPrompt);
    if (maxNew <= 0)
        throw Error("generate: prompt of " + std::to_string(maxPrompt) + " tokens leaves no room under max_position_embeddings "
                    + std::to_string(maxPositions));

    const bool wasTraining = model->is_training();
    model->eval();
    std::vector<bool> companionWasTraining;
    for (auto& c : companions) {
        companionWasTraining.push_back(c->is_training());
        c->eval();
    }
    // InferenceMode, not just NoGradGuard: no version counters or view tracking per op.
    c10::InferenceMode inference;
    const auto device = model->device();
    const auto i64 = torch::TensorOptions().dtype(torch::kLong);

    std::vector<std::vector<int64_t>> seqs = prompts;
    std::vector<int64_t> pads(static_cast<size_t>(B));
    bool anyPad = false;
    for (int64_t i = 0; i < B; ++i) {
        pads[size_t(i)] = maxPrompt - int64_t(prompts[size_t(i)].size());
        anyPad = anyPad || pads[size_t(i)] > 0;
    }
    result.tokens.assign(size_t(B), {});
    result.finish.assign(size_t(B), FinishReason::Length);
    std::vector<std::mt19937_64> rngs;
    for (int64_t i = 0; i < B; ++i)
        rngs.emplace_back(rowSeed(options.sampling.seed, i));
    std::vector<int64_t> active(static_cast<size_t>(B));
    for (int64_t i = 0; i < B; ++i)
        active[size_t(i)] = i;

    // Left-padded [b, L] tokens, mask and positions of the active rows' full sequences.
    auto padded = [&](int64_t L, bool tokensToo) {
        const int64_t b = int64_t(active.size());
        auto tok = torch::full({b, L}, options.padId, i64);
        auto mask = torch::ones({b, L}, torch::TensorOptions().dtype(torch::kFloat));
        auto pos = torch::zeros({b, L}, i64);
        auto ta = tok.accessor<int64_t, 2>();
        auto ma = mask.accessor<float, 2>();
        auto pa = pos.accessor<int64_t, 2>();
        for (int64_t r = 0; r < b; ++r) {
            const int64_t row = active[size_t(r)];
            const int64_t pad = pads[size_t(row)];
            for (int64_t j = 0; j < L; ++j) {
                if (j < pad) {
                    ma[r][j] = 0.f;
                    continue;
                }
                pa[r][j] = j - pad;
                if (tokensToo)
                    ta[r][j] = seqs[size_t(row)][size_t(j - pad)];
            }
        }
        return std::make_tuple(tok, mask, pos);
    };

    KVCache cache;
    std::vector<KVCache> companionCaches(companions.size());
    if (options.useCache) {
        cache = model->makeCache(B, maxPrompt + maxNew);
        for (size_t i = 0; i < companions.size(); ++i)
            companionCaches[i] = companions[i]->makeCache(B, maxPrompt + maxNew);
    }
    for (int64_t step = 0; step < maxNew && !active.empty(); ++step) {
        if (stop && stop->stopRequested()) {
            for (int64_t row : active)
                result.finish[size_t(row)] = FinishReason::Cancelled;
            break;
        }
        const int64_t L = maxPrompt + step; // sequence length before this step's token
        const int64_t b = int64_t(active.size());
        ForwardOptions fo;
        fo.lastLogitsOnly = true;
        torch::Tensor input;
        if (!options.useCache || step == 0) {
            auto [tok, mask, pos] = padded(L, true);
            input = tok;
            if (anyPad) {
                fo.attentionMask = mask;
                fo.positionIds = pos;
            }
        } else {
            auto last = torch::empty({b, 1}, i64);
            int64_t* lp = last.data_ptr<int64_t>();
            for (int64_t r = 0; r < b; ++r)
                lp[r] = seqs[size_t(active[size_t(r)])].back();
            input = last;
            if (anyPad) { // only padded batches need the mask and per-row positions
                auto [tokAll, mask, pos] = padded(L, false);
                fo.attentionMask = mask;
                fo.positionIds = pos.narrow(1, L - 1, 1);
            }
        }
        // With the cache, step 0 fills it with the prompts; later steps append the last token
        // (position L-1) to the L-1 cached ones.
        if (options.useCache)
            fo.cache = &cache;
        const ForwardOutput out = model->forward(input.to(device), fo);
        std::vector<torch::Tensor> companionHidden;
        for (size_t i = 0; i < companions.size(); ++i) {
            ForwardOptions cfo = fo;
            cfo.computeLogits = false;
            cfo.cache = options.useCache ? &companionCaches[i] : nullptr;
            const auto h = companions[i]->forward(input.to(device), cfo).hidden;
            companionHidden.push_back(h.select(1, h.size(1) - 1));
        }
        auto logits = out.logits.select(1, 0).to(torch::kFloat).contiguous(); // [b,V]
        torch::Tensor rawLogits;
        if (hook)
            rawLogits = logits.clone();   // filterLogits works in place
        filterLogits(logits, options.sampling);
        if (hook) {
            LogitsHookContext ctx;
            ctx.rawLogits = rawLogits;
            ctx.companionHidden = companionHidden;
            ctx.step = step;
            ctx.rows = torch::tensor(active, i64);
            ctx.hidden = out.hidden.select(1, out.hidden.size(1) - 1);
            auto positions = torch::empty({b}, i64);
            int64_t* pp = positions.data_ptr<int64_t>();
            for (int64_t r = 0; r < b; ++r)
                pp[r] = L - 1 - pads[size_t(active[size_t(r)])];
            ctx.positions = positions;
            ctx.sequences = &seqs;
            auto replaced = hook(logits, ctx);
            if (replaced.defined())
                logits = replaced.to(torch::kFloat);
        }
        std::vector<int64_t> next(static_cast<size_t>(b));
        if (options.sampling.temperature <= 0) {
            const auto am = logits.argmax(-1).to(torch::kCPU).contiguous();
            const int64_t* ap = am.data_ptr<int64_t>();
            for (int64_t r = 0; r < b; ++r)
                next[size_t(r)] = ap[r];
        } else {
            auto probs = torch::softmax(logits.to(torch::kDouble), -1).to(torch::kCPU).contiguous();
            auto pa = probs.accessor<double, 2>();
            const int64_t V = probs.size(1);
            for (int64_t r = 0; r < b; ++r) {
                const int64_t row = active[size_t(r)];
                double total = 0;
                for (int64_t v = 0; v < V; ++v)
                    total += pa[r][v];
                if (!(total > 0))
                    throw Error("generate: every token was filtered out (top-k/top-p/hook left no probability)");
                const double u = uniform01(rngs[size_t(row)]) * total;
                double c = 0;
                int64_t pick = -1;
                for (int64_t v = 0; v < V; ++v) {
                    if (pa[r][v] <= 0)
                        continue;
                    c += pa[r][v];
                    pick = v;
                    if (c > u)
                        break;
                }
                next[size_t(r)] = pick;
            }
        }
        if (step == 0)
            result.firstTokenSeconds = std::chrono::duration<double>(Clock::now() - t0).count();

        std::vector<int64_t> keep;
        for (int64_t r = 0; r < b; ++r) {
            const int64_t row = active[size_t(r)];
            const int64_t tok = next[size_t(r)];
            seqs[size_t(row)].push_back(tok);
            result.tokens[size_t(row)].push_back(tok);
            ++result.generatedTokens;
            const bool isStop = std::find(options.stopTokens.begin(), options.stopTokens.end(), tok) != options.stopTokens.end();
            if (onToken)
                onToken({row, tok, step, isStop});
            if (isStop)
                result.finish[size_t(row)] = FinishReason::StopToken;
            else
                keep.push_back(r);
        }
        if (int64_t(keep.size()) != b) {
            std::vector<int64_t> newActive;
            for (int64_t r : keep)
                newActive.push_back(active[size_t(r)]);
            active.swap(newActive);
            if (options.useCache && !active.empty()) {
                const auto kept = torch::tensor(keep, i64).to(device);
                cache.selectRows(kept);
                for (auto& c : companionCaches)
                    c.selectRows(kept);
            }
            anyPad = false;
            for (int64_t row : active)
                anyPad = anyPad || pads[size_t(row)] > 0;
        }
    }
    if (wasTraining)
        model->train();
    for (size_t i = 0; i < companions.size(); ++i)
        if (companionWasTraining[i])
            companions[i]->train();
    result.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return result;
}

std::string TextStreamer::push(int64_t token)
{
    m_tokens.push_back(token);
    std::string full = m_tokenizer->decode(m_tokens);
    // An incomplete UTF-8 sequence (byte-fallback pieces) decodes to U+FFFD: wait for the rest.
    static const std::string kReplacement = "\xEF\xBF\xBD";
    if (full.size() >= 3 && full.compare(full.size() - 3, 3, kReplacement) == 0)
        return {};
    size_t common = 0;
    while (common < full.size() && common < m_text.size() && full[common] == m_text[common])
        ++common;
    std::string delta = full.substr(std::min(common, full.size()));
    if (common < m_text.size()) // earlier text changed (rare): emit only what is new
        delta = full.size() > m_text.size() ? full.substr(m_text.size()) : std::string();
    m_text = full;
    return delta;
}

} // namespace hw
