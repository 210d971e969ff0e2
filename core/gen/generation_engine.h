#pragma once
// One engine per loaded model that decodes every active sequence in one batch per step
// (continuous batching), on a worker thread of its own:
//
//   submit(request) -> queue (bounded: EngineQueueFull beyond maxQueue waiting requests)
//   worker loop:  admit waiting requests while KV slots are free (a request's sequences are
//                 admitted together; their longest common prompt prefix is prefilled once and
//                 copied to the sibling slots)
//                 prefill: at most prefillChunk prompt tokens per step, so a long prompt does not
//                 stall the sequences already decoding; new prompts whose first chunks have one
//                 length share one batched forward
//                 decode: one token for every decoding sequence in one batch (SlotDecoder)
//                 sample per sequence (its own options and seed), hook, stop token / length /
//                 cancel -> the sequence leaves and its slot is free for the next step
//
// Sampling is generate()'s (core/model/generation.h): banned tokens, temperature, top-k, top-p
// (filterLogits), the logits hook after filtering (ILQL decoding: ilqlLogitsHook), greedy argmax
// or a draw from one mt19937_64 per sequence seeded from (seed, index in the request), so a
// request gets the tokens it would get from generate() alone, whatever else is in the batch.
// The hook sees one sequence per call (LogitsHookContext with b = 1; no companion models: a
// separate ILQL value trunk is recomputed by ilqlValuesAt, prefer the shared layout here).
#include "core/model/generation.h"
#include "core/util/error.h"

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

namespace hw {

struct EngineOptions {
    int64_t maxBatch = 16;       // KV slots: sequences decoded together
    int64_t maxQueue = 64;       // requests waiting for slots; more are refused (EngineQueueFull)
    int64_t prefillChunk = 256;  // prompt tokens prefilled per step (fresh prompts of one chunk
                                 // length are prefilled in one batched forward)
    int64_t maxLength = 2048;    // positions per slot (capped by max_position_embeddings)
    // A finished sequence leaves its KV in its slot; a later single-prompt request that starts
    // with the same tokens (the next turn of the same conversation: chat, serve, evaluation
    // episodes) takes that slot and prefills only what is new. Slots are reclaimed least recently
    // used first, so this never holds a request back.
    bool prefixCache = true;
};

struct EngineRequest {
    std::vector<std::vector<int64_t>> prompts; // one sequence each (n samples: n copies)
    GenerationOptions options;                 // sampling, maxNewTokens, stopTokens (no companions)
    LogitsHook hook;                           // optional
    TokenCallback onToken;                     // row = index in prompts; called on the engine thread
    StopToken stop;                            // cancel: the request's sequences leave at the next step
};

// Thrown by submit() when the queue is full (serve answers 429).
class EngineQueueFull : public Error {
public:
    explicit EngineQueueFull(const std::string& what) : Error(what) {}
};

struct EngineMetrics {
    uint64_t requests = 0;        // admitted
    uint64_t rejected = 0;        // refused, queue full
    uint64_t completed = 0;
    uint64_t cancelled = 0;       // ended by their stop token (e.g. a client that went away)
    uint64_t tokens = 0;          // generated
    uint64_t promptTokens = 0;    // prefilled (shared prefixes counted once)
    uint64_t reusedTokens = 0;    // prompt tokens found in a finished sequence's slot, not prefilled
    uint64_t decodeSteps = 0;
    uint64_t decodeRows = 0;      // sum over decode steps of the batch size
    double busySeconds = 0;       // time spent in steps
    int64_t active = 0;           // sequences in slots now
    int64_t queued = 0;           // requests waiting now
    int64_t slots = 0;
};

class GenerationEngine {
public:
    GenerationEngine(Transformer model, EngineOptions options = {});
    ~GenerationEngine();
    GenerationEngine(const GenerationEngine&) = delete;
    GenerationEngine& operator=(const GenerationEngine&) = delete;

    // Queues a request; the future holds its result (or the error that ended it, e.g. a prompt
    // longer than a slot). Throws EngineQueueFull when maxQueue requests are already waiting,
    // hw::Error for an invalid request (empty prompt, token outside the vocabulary).
    std::future<GenerationResult> submit(EngineRequest request);
    EngineMetrics metrics() const;
    const EngineOptions& options() const;

    // Prometheus text exposition of metrics() (prefix hindsight_engine_).
    static std::string prometheusText(const EngineMetrics& m, const std::string& model);

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace hw
