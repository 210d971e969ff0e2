#pragma once
// Offline RL of a dialogue agent with ILQL (Snell et al. 2022), as in the authors' recipe:
// the behaviour policy π_β is trained by behaviour cloning first (objective "bc"), then ILQL
// starts from it (objective "ilql"):
//
//   tokens --trunk (π_β's transformer)--> hidden [B,T,H] --lm_head at actions--> π logits
//                                             |--heads--> V(states), Q1/Q2(actions)
//   target trunk (optional Polyak copy) -----> Q̂1/Q̂2 at the taken tokens only
//   loss = ilqlLoss(...)  (core/rl/ilql_loss.h); AdamW; Polyak target update every step
//
// policy = "separate" (default, the reference's seperate_policy): π_β is its own transformer and
// the value heads sit on a value trunk; policy = "shared": one trunk, π being its lm_head. A
// checkpoint is an ordinary model directory (serve / chat load it as π_β) plus the values:
//   config.json, model.safetensors, tokenizer.model       π_β (shared: the trunk + lm_head)
//   value_trunk.safetensors (+ value_trunk_config.json)   separate: the value trunk
//   ilql_value_heads.safetensors                          separate: V, Q1, Q2, target_q1, target_q2
//   ilql_heads.safetensors                                shared: the same heads, on model.*
//   target_trunk.safetensors                              with targets = "trunk"
//   optimizer.*, trainer_state.json, train_config.json    exact resume
// loadIlqlDecodingModel() reads either layout.
// Micro-batches accumulate to exactly one big batch: every term is divided by the live action
// slots (or, for the token loss, the attended tokens) of the whole optimizer step.
#include "core/dist/process_group.h"
#include "core/model/dialogue_codec.h"
#include "core/model/tokenizer.h"
#include "core/model/transformer.h"
#include "core/rl/ilql_heads.h"
#include "core/rl/ilql_policy.h"
#include "core/train/ilql_trainer_config.h"
#include "core/train/metrics_sink.h"
#include "core/train/train_hooks.h"
#include "core/train/train_state.h"
#include "core/util/progress.h"

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hw {

// A reply sampled at an evaluation, for the project's run_samples table.
struct IlqlSample {
    std::string prompt;
    std::string reply;
};

// TrainHooks plus the evaluation samples ILQL records; only rank 0 reports them.
struct IlqlTrainHooks : TrainHooks {
    std::function<void(int64_t step, const std::vector<IlqlSample>&)> onSamples;
};

struct IlqlTrainResult : TrainRunResult {};

// Loss components of one training step (bench, tests).
struct IlqlStepInfo {
    double total = 0, tokenLoss = 0, vLoss = 0, qLoss = 0, cqlLoss = 0, dmLoss = 0;
    double gradNorm = 0;
    int64_t tokens = 0;
};

class IlqlTrainer {
public:
    // policy: π_β (the trunk starts as it). tokenizer may be absent (hand-made token ids: then
    // `special` gives the pad/end ids and checkpoints carry no tokenizer.model).
    // kind: runs.kind and checkpoint kind ("ilql", "sft", "rft", "bc").
    // valueTrunk: where the separate value trunk starts (policy = "separate"); null = a copy of
    // π_β. Ignored otherwise.
    IlqlTrainer(Transformer policy, std::optional<Tokenizer> tokenizer, SpecialTokens special,
                IlqlTrainConfig config, std::string kind = "ilql", Transformer valueTrunk = Transformer{nullptr});
    // Restores everything (trunk, heads, targets, optimizer, schedule, state, RNG) from a
    // checkpoint written by this trainer. Errors name the directory and file.
    static IlqlTrainer resume(const std::string& checkpointDir);
    IlqlTrainer(IlqlTrainer&&) noexcept;
    IlqlTrainer& operator=(IlqlTrainer&&) noexcept;
    ~IlqlTrainer();

    // Encoded dialogues (DialogueCodec) to train and evaluate on. A resumed trainer refuses data
    // whose fingerprint differs from the checkpoint's.
    void setData(std::vector<EncodedDialogue> train, std::vector<EncodedDialogue> valid,
                 const std::string& fingerprint = "");
    IlqlTrainResult train(const IlqlTrainHooks& hooks = {});
    // Held-out loss and components ({"eval_loss", ...}); empty without held-out data.
    MetricValues evaluate();
    // One full optimizer step on the given rows as one batch: forward, loss, backward, clip,
    // AdamW, Polyak. Does not touch the data stream or the state's step (benchmarks, tests).
    IlqlStepInfo trainStep(const std::vector<EncodedDialogue>& rows);
    std::string saveCheckpoint(const std::string& dir);

    // Sampled replies (ILQL decoding; π_β alone for a BC run) to the prompts of some examples.
    std::vector<IlqlSample> sampleReplies(const std::vector<EncodedDialogue>& examples, int64_t count,
                                          uint64_t seed);
    // What decoding needs (shares the trainer's modules).
    IlqlDecodingModel decodingModel() const;

    // Free-form facts of the job that owns this run (training set, stage), saved with every
    // checkpoint and restored by resume().
    void setJobInfo(nlohmann::json info);
    const nlohmann::json& jobInfo() const;

    Transformer& trunk();               // the value trunk (shared: also π_β)
    Transformer& policyModel();         // π_β (shared: the trunk)
    IlqlHeads& heads();                 // null for a BC run
    Transformer& targetTrunk();         // null unless targets = "trunk"
    const std::optional<Tokenizer>& tokenizer() const;
    const SpecialTokens& special() const;
    const IlqlTrainConfig& config() const;
    const TrainState& state() const;
    TrainState& state();
    const std::string& kind() const;
    int64_t totalSteps() const;

private:
    IlqlTrainer();
    struct Impl;
    std::unique_ptr<Impl> m;
};

// Heads tensors by name ("v.fc1.weight", ..., "target_q2.fc2.bias"), and back (names and shapes
// checked; `origin` names the file in errors).
std::vector<std::pair<std::string, torch::Tensor>> ilqlHeadsTensors(const IlqlHeads& heads);
void loadIlqlHeadsTensors(IlqlHeads& heads, const std::map<std::string, torch::Tensor>& tensors,
                          const std::string& origin);

// A deep copy of a transformer (same config, weights copied, no gradient history).
Transformer cloneTransformer(const Transformer& model);

// π_β and its value heads from a checkpoint of this trainer (either layout), on `device`
// ("" = the default device), in eval mode: what chat and evaluation decode with
// (ilqlLogitsHook / ilqlNextTokenDistribution). The ILQL options come from train_config.json.
// Throws hw::Error naming the directory when it has no value heads.
IlqlDecodingModel loadIlqlDecodingModel(const std::string& checkpointDir, const std::string& device = "");

} // namespace hw
