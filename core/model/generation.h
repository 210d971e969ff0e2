#pragma once
// Batched autoregressive decoding with a key/value cache.
//
// Per step, for every active row:
//   logits[B,V] (float32) -> / temperature -> top-k -> top-p (on the policy logits)
//   -> logitsHook (e.g. ILQL adds beta * (minQ - V) here, after filtering, as the reference does)
//   -> greedy argmax (temperature 0) or sampling from softmax
//   -> token; a row stops at its first stop token (kept in its output) or at maxNewTokens.
// Filtered-out entries are -inf when the hook sees them; the hook must keep them -inf.
// Sampling draws from one std::mt19937_64 per row seeded from (seed, row), on the CPU, so results
// do not depend on the device, the batch composition, or whether the cache is used.
#include "core/model/tokenizer.h"
#include "core/model/transformer.h"
#include "core/util/progress.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hw {

struct SamplingOptions {
    double temperature = 1.0; // 0 = greedy
    int64_t topK = 0;         // 0 = off
    double topP = 1.0;        // 1 = off
    uint64_t seed = 0;
    std::vector<int64_t> bannedTokens; // set to -inf before anything else (e.g. <pad>, <s>)
};

struct GenerationOptions {
    SamplingOptions sampling;
    int64_t maxNewTokens = 128;
    std::vector<int64_t> stopTokens; // e.g. {</a>} for an agent turn, {</s>} for a user turn
    bool useCache = true;            // false = recompute the whole prefix each step (tests, checks)
    int64_t padId = 0;               // used for left padding of prompts
    // Models run in lockstep on the same tokens (same padding, positions and finished rows), each on
    // its own KV cache, e.g. ILQL's separate value trunk: a generated token then costs one
    // incremental step in every model instead of a recomputation of the whole history. Their last
    // hidden states reach the hook as LogitsHookContext::companionHidden, in this order. They must
    // accept the main model's token ids; the shortest max_position_embeddings bounds the reply.
    std::vector<Transformer> companions;
};

// What the logits hook sees at one decoding step.
struct LogitsHookContext {
    int64_t step = 0;          // 0 for the first generated token
    torch::Tensor rows;        // [b] int64: which original rows are in this step's batch
    torch::Tensor hidden;      // [b,H] last hidden state (after final norm) at the current position
    torch::Tensor positions;   // [b] int64: position of the token being scored's predecessor
    const std::vector<std::vector<int64_t>>* sequences = nullptr; // prompt + generated so far, per original row
    // [b,V] float32: the model's own logits at this step, before banned tokens, temperature and
    // top-k/top-p (what "the policy's probability" means, e.g. π_β(a|s) shown in the chat).
    torch::Tensor rawLogits;
    std::vector<torch::Tensor> companionHidden; // [b,H] per GenerationOptions::companions
};
// Modifies logits [b,V] (float32, on the model's device) in place or returns replaced ones.
using LogitsHook = std::function<torch::Tensor(const torch::Tensor& logits, const LogitsHookContext& context)>;

struct TokenEvent {
    int64_t row = 0;
    int64_t token = 0;
    int64_t step = 0;
    bool stop = false;  // this token is a stop token (row finished)
};
using TokenCallback = std::function<void(const TokenEvent&)>;

enum class FinishReason { StopToken, Length, Cancelled };

struct GenerationResult {
    std::vector<std::vector<int64_t>> tokens;   // generated tokens per row (stop token included)
    std::vector<FinishReason> finish;
    int64_t generatedTokens = 0;
    double seconds = 0.0;
    double firstTokenSeconds = 0.0;
};

// prompts: token ids per row (non-empty). The model is switched to eval() and run under
// NoGradGuard. stop: checked between steps; rows then end with FinishReason::Cancelled.
GenerationResult generate(Transformer& model, const std::vector<std::vector<int64_t>>& prompts,
                          const GenerationOptions& options, const LogitsHook& hook = {},
                          const TokenCallback& onToken = {}, const StopToken* stop = nullptr);

// Applies temperature, top-k and top-p to logits [b,V] in place (filtered entries -inf).
// top-k keeps exactly k tokens per row (keepTopK). top-p ranks tokens by logit, ties by lower id,
// and removes a token when the tokens ranked above it hold more than topP of the probability (the
// most likely token always stays). CPU float32 rows are filtered on raw pointers, sorting only the
// head of the ranking; other tensors through ATen ops, by the same rule.
void filterLogits(torch::Tensor& logits, const SamplingOptions& options);
// logits [..,V] with all but k entries of each row set to -inf: the k largest, ties going to the
// lowest token ids. k <= 0 or k >= V: unchanged.
torch::Tensor keepTopK(const torch::Tensor& logits, int64_t k);

// Text streaming helper: turns token events of one row into text deltas (handles SentencePiece
// word-boundary spaces and byte pieces by decoding the whole row and emitting the new suffix).
class TextStreamer {
public:
    explicit TextStreamer(const Tokenizer& tokenizer) : m_tokenizer(&tokenizer) {}
    // Returns the new text for this token (may be empty while a UTF-8 sequence is incomplete).
    std::string push(int64_t token);
    const std::string& text() const { return m_text; }

private:
    const Tokenizer* m_tokenizer;
    std::vector<int64_t> m_tokens;
    std::string m_text;
};

} // namespace hw
