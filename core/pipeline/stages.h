#pragma once
// The four model-backed steps of the hindsight pipeline, as interfaces.
//
//   HindsightController  dialogue            -> 3 suggestions (turn, critique, better utterance)
//   ForwardModel         prefix + new turn   -> rest of the dialogue (user and agent turns)
//   RewardLabeler        finished dialogue   -> reward (or "unfinished")
//   DialogueGenerator    task + persona      -> a whole imagined dialogue (zero-shot)
//
// The pipeline jobs (relabel_job.h, regenerate_job.h, label_job.h, imagine_job.h) only see these
// interfaces. LLM-backed implementations live in core/pipeline/llm_*.h; a local language model,
// a reward regression head or a retrieval controller implement the same classes.
//
// Contract for implementations:
// - Calls come from the job's worker threads, up to maxConcurrency() at once; an implementation
//   that is not thread-safe returns 1.
// - A reply the model gave but that cannot be used (unparseable, wrong roles, out of range) is an
//   item failure: return ok = false with `error` and the `raw` reply; the job stores both and the
//   item can be retried later (ctx.attempt then grows, so a cached reply is not replayed).
// - Failures that make every further item pointless (bad endpoint, 401, missing prompt file)
//   throw hw::Error; StageError::fatal() = false marks a per-item error that ends the item only.
// - ctx.stop is checked while waiting; a stopped call throws hw::Cancelled.
// - Results are deterministic for a given (input, ctx.seed, ctx.attempt, sample index).
#include "core/data/dialogue.h"
#include "core/data/task.h"
#include "core/util/error.h"
#include "core/util/progress.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

// What one stage call cost. LLM-backed stages fill every field; local models fill what applies.
struct StageUsage {
    int64_t requests = 0;          // requests answered over the network (cache replays excluded)
    int64_t cacheHits = 0;         // calls answered from the project's llm_calls cache
    int64_t retries = 0;           // extra attempts after timeouts, 429, 5xx, malformed replies
    int64_t promptTokens = 0;      // of the requests sent (cache replays cost nothing)
    int64_t completionTokens = 0;
    double cost = 0.0;             // price per 1k tokens from the endpoint profile
    double latencyMs = 0.0;        // summed over the requests sent
    std::vector<int64_t> callIds;  // llm_calls rows used, sent or replayed

    StageUsage& operator+=(const StageUsage& o);
    nlohmann::json toJson() const; // {requests, cache_hits, retries, prompt_tokens, ...}
};

// Passed by the job with every call.
struct StageContext {
    StopToken stop;
    int64_t jobId = 0;     // jobs.id, recorded with each llm_calls row (0 = outside a job)
    uint64_t seed = 0;     // derived from the job seed and the item, stable across re-runs
    int attempt = 0;       // 0 on the first try of an item; n on its n-th retry after a failure
    std::string itemKey;   // e.g. "d:12", for error messages
};

// Common part of every stage result.
struct StageOutcome {
    bool ok = false;
    std::string error;     // why the item failed (ok = false), one line, secrets masked
    std::string raw;       // the model's raw reply(s), kept for the researcher
    // Where the result came from, stored with it. LLM stages write
    // {"kind":"llm","endpoint","model","prompt":"persuasion/controller.txt","prompt_sha256",
    //  "llm_call_id" (or "llm_call_ids")}; local models write their own (checkpoint, step...).
    nlohmann::json provenance = nlohmann::json::object();
    StageUsage usage;
};

// An item-level error thrown by a stage (e.g. an HTTP 400 for one over-long prompt). Jobs record
// the item as failed and go on unless fatal() (401, 403, 404, bad configuration): then they stop.
class StageError : public Error {
public:
    StageError(const std::string& what, bool fatal) : Error(what), m_fatal(fatal) {}
    bool fatal() const { return m_fatal; }

private:
    bool m_fatal;
};

// ------------------------------------------------------------------ hindsight controller

// One item of the controller's reply, already matched back to the dialogue.
struct SuggestionDraft {
    int rank = 0;                  // 1-based number in the reply
    std::optional<int> turnIndex;  // Turn::index of the matched agent turn; nullopt = failed
    std::string originalText;      // the utterance as the controller quoted it
    std::string critique;          // what could be better
    std::string proposedText;      // what the agent should have said
    std::string error;             // non-empty: this item failed (no match, ambiguous, unparseable)
};

struct ControllerResult : StageOutcome {
    // ok = at least one usable suggestion. When the reply could not be parsed at all this is
    // empty and `error` says why.
    std::vector<SuggestionDraft> suggestions;
};

class HindsightController {
public:
    virtual ~HindsightController() = default;
    virtual std::string name() const = 0;            // short, for logs and job config
    virtual int maxConcurrency() const { return 1; }
    // Proposes up to `count` better agent utterances for `dialogue` (paper: 3).
    virtual ControllerResult suggest(const Task& task, const Dialogue& dialogue, int count,
                                     const StageContext& ctx) = 0;
};

// ------------------------------------------------------------------ forward model

struct ForwardRequest {
    const Task* task = nullptr;
    const Dialogue* parent = nullptr; // the dialogue being regenerated (metadata, few-shot exclusion)
    // Turns kept from the parent, then the new agent utterance as the last turn (role Agent).
    std::vector<Turn> prefix;
    int turnBudget = 20;              // most continuation turns accepted
    int sampleIndex = 0;              // distinct samples of the same prefix
};

struct ForwardResult : StageOutcome {
    // The turns after the prefix, Turn::index continuing from prefix.size(); validated:
    // non-empty, starts with the user, within turnBudget.
    std::vector<Turn> continuation;
};

class ForwardModel {
public:
    virtual ~ForwardModel() = default;
    virtual std::string name() const = 0;
    virtual int maxConcurrency() const { return 1; }
    virtual ForwardResult complete(const ForwardRequest& request, const StageContext& ctx) = 0;
};

// ------------------------------------------------------------------ reward labeler

struct RewardResult : StageOutcome {
    std::optional<double> value;  // in the task's reward units (counseling: initial - final)
    bool unfinished = false;      // persuasion: no decision reached; the dialogue is discarded
    nlohmann::json details = nlohmann::json::object(); // e.g. {"initial_intensity":4,"final_intensity":2}
};

class RewardLabeler {
public:
    virtual ~RewardLabeler() = default;
    virtual std::string name() const = 0;
    virtual int maxConcurrency() const { return 1; }
    // ok = true with unfinished = true is a valid answer (no value).
    virtual RewardResult label(const Task& task, const Dialogue& dialogue, const StageContext& ctx) = 0;
};

// ------------------------------------------------------------------ zero-shot generator

// A simulated user for imagined dialogues (prompts/<task>/personas.json).
struct Persona {
    std::string name;         // "skeptical"
    std::string description;  // one or two sentences used in the prompt
    nlohmann::json hidden = nlohmann::json::object(); // TaskPersona::hidden: what the user keeps to themself
};

// The outcome one imagined dialogue is written towards (outcome-conditioned imagination), so
// that failures are imagined as well as successes. Unset outcome = no target.
struct ImagineTarget {
    std::optional<double> outcome;   // in the task's reward units, within [rewardMin, rewardMax]
    std::string anchorMeaning;       // the meaning of the rubric anchor nearest to it ("" = none)
};

struct GenerateResult : StageOutcome {
    std::vector<Turn> turns;  // a whole dialogue, validated (non-empty, both roles present)
};

class DialogueGenerator {
public:
    virtual ~DialogueGenerator() = default;
    virtual std::string name() const = 0;
    virtual int maxConcurrency() const { return 1; }
    // `index` numbers the dialogues generated for one persona (0..N-1); `target` is the outcome
    // the dialogue should reach (none: any).
    virtual GenerateResult generate(const Task& task, const Persona& persona, int index,
                                    const ImagineTarget& target, const StageContext& ctx) = 0;
};

} // namespace hw
