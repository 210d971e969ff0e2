#pragma once
// The paper's forward model, offline: a local LM checkpoint (trained by `train-lm --role forward`,
// or `forward-hard` for the "hard" one) that continues a dialogue prefix turn by turn until it
// writes </eod> or the turn budget is reached.
//
//   <s> context </s> ...prefix... new agent utterance </a> | user </s> agent </a> ... </eod>
//                                                           `-------- generated --------'
// Generation is constrained so the result is always valid: the first generated turn is the
// user's (</a> and </eod> are masked until the first </s>), no empty turns, </eod> is forced
// once turnBudget turns are written, and the turn being written is closed when the token budget
// runs out (so a sample is never cut mid-turn). With batchSlots, concurrent calls share one
// batch per decoding step (evaluation's local user simulator, many episodes in flight).
#include "core/model/dialogue_codec.h"
#include "core/model/transformer.h"
#include "core/pipeline/stages.h"

#include <memory>
#include <mutex>
#include <string>

namespace hw {

class GenerationEngine;

struct LocalForwardOptions {
    std::string checkpoint;        // checkpoint or run directory
    std::string device;            // "" = default device
    bool hard = false;             // the "hard" forward model (bottom 25% by reward); recorded in provenance
    double temperature = 1.0;
    double topP = 0.95;
    int64_t topK = 0;
    int64_t maxNewTokens = 384;    // whole continuation (at most half the model's context)
    // > 0: continuations in flight decode together on a continuous-batching engine with this many
    // KV slots (maxConcurrency() = batchSlots); 0: one at a time. Same samples either way.
    int64_t batchSlots = 0;
};

class LocalForwardModel : public ForwardModel {
public:
    // Loads the checkpoint. Throws hw::Error naming the file when it is not a usable LM.
    explicit LocalForwardModel(LocalForwardOptions options);
    ~LocalForwardModel() override;

    std::string name() const override;          // "local-forward" | "local-forward-hard"
    int maxConcurrency() const override;
    ForwardResult complete(const ForwardRequest& request, const StageContext& ctx) override;

    const std::string& checkpointDir() const { return m_dir; }

private:
    LocalForwardOptions m_options;
    std::string m_dir;
    int64_t m_step = 0;
    Transformer m_model{nullptr};
    std::unique_ptr<DialogueCodec> m_codec;
    std::mutex m_mutex;
    std::unique_ptr<GenerationEngine> m_engine;
};

} // namespace hw
