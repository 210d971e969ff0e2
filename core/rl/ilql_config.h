#pragma once
// ILQL loss and decoding options. Field names are the reference's configuration keys
// (Snell et al., Implicit-Language-Q-Learning, src/models/iql_model.py and its train_iql.yaml),
// so a configuration written for the reference reads here unchanged; hence snake_case fields.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>

namespace hw {

// Weights of the five loss terms; mc_returns fits V to discounted reward-to-go instead of target Q.
struct IlqlLossWeights {
    double awac_weight = 1.0;
    double v_loss_weight = 1.0;
    double q_loss_weight = 1.0;
    double cql_loss_weight = 1.0;
    double dm_loss_weight = 0.0;
    bool mc_returns = false;
};

// Defaults are the authors' dialogue configuration (config/vis_dial/train_iql.yaml):
// gamma 0.99, expectile tau 0.8, CQL and BC/AWAC weight 1 with beta 0, two Q heads.
struct IlqlConfig {
    double gamma = 0.99;
    double tau = 0.8;                     // expectile of the V fit
    double cql_temp = 1.0;                // temperature of Q as logits in the CQL term
    double dm_margin = 0.0;               // margin of the DM (max-margin) term
    std::optional<double> value_min;      // clip target Q from below (none = no clipping)
    std::optional<double> value_max;      // clip target Q from above
    double transition_weight = 0.0;       // BC weight of non-action tokens in the token loss
    std::optional<double> clip_weight;    // upper bound of the token loss weights
    double beta = 0.0;                    // AWAC temperature: weight exp(beta * (Q̂ - V))
    bool exp_weights = true;              // false: weight beta if Q̂ > V else 1 - beta
    bool double_q = true;                 // two Q heads; target = min of the two target heads
    IlqlLossWeights loss_weights;

    // ---- the reference's model options. They shape training (which networks exist, where
    // gradients flow, how fast targets follow) but not the loss computed on given head outputs.
    // IlqlTrainConfig::fromJson moves the three we implement onto its own fields (alpha ->
    // polyakAlpha, seperate_policy -> policy, seperate_target -> targets) and refuses a training
    // run with a non-default value of the four we do not implement (unsupportedTrainingOptions).
    std::optional<double> alpha;            // Polyak rate: target <- alpha*online + (1-alpha)*target
    std::optional<bool> seperate_policy;    // pi_beta is its own transformer (else the trunk's lm_head)
    std::optional<bool> seperate_target;    // target Q on a Polyak copy of the trunk (else the heads only)
    bool detach_v = false;                  // V head reads a detached hidden state (not implemented)
    bool detach_q = false;                  // Q heads read a detached hidden state (not implemented)
    bool detach_pi = false;                 // policy head reads a detached hidden state (not implemented)
    bool advanced_mlp = false;              // TransformerMLP heads on the second-to-last layer (not implemented)

    static IlqlConfig paperDefaults() { return {}; }
    // Throws hw::Error naming the bad option (tau outside [0,1], value_min > value_max, ...).
    void validate() const;
    // One sentence per non-default option that this engine cannot train with (detach_*,
    // advanced_mlp), saying why; empty when every option is supported.
    std::vector<std::string> unsupportedTrainingOptions() const;
    // One sentence per model option that is set, saying that a loss or decoding computed from
    // given head outputs (hindsight ilql-check) does not use it.
    std::vector<std::string> headOutputNotes() const;
};

// The perturbed sampling distribution, as the reference's sample_raw/beam_raw:
//   softmax(filter(logits / temp) + adv),  adv = adv_weight * (Q̂ - V)   (exp_adv)
//                                          adv = log(adv_weight if Q̂ > V else 1 - adv_weight)
// clipped from above at adv_clip; filter = top-k then top-p on the policy logits, before adv.
// adv_weight is the run-time β of π(a|s) ∝ π_β(a|s)·exp(β(Q̂−V)). The default 8 is the authors'
// dialogue evaluation setting (config/vis_dial/eval_policy.yaml).
struct IlqlDecodeConfig {
    double temp = 1.0;
    std::optional<int64_t> top_k;
    std::optional<double> top_p;
    bool exp_adv = true;
    double adv_weight = 8.0;
    std::optional<double> adv_clip;
    bool include_logits = true;           // false: sample from the advantage alone
    bool include_adv = true;              // false: sample from π_β alone

    void validate() const;
};

// JSON with the reference's keys; null or a missing key = the default. Unknown keys are an error
// (a misspelt option must not be silently ignored), and so are the reference's non-ILQL model keys
// (name, dataset, load, gpt2), with a message saying so. IlqlConfig also accepts the reference's
// "fix_padding_mask": true (padded action slots are always masked out here; false is refused).
// to_json writes the model options only when they are set (alpha, seperate_*) or true (detach_*,
// advanced_mlp).
void to_json(nlohmann::json& j, const IlqlLossWeights& w);
void from_json(const nlohmann::json& j, IlqlLossWeights& w);
void to_json(nlohmann::json& j, const IlqlConfig& c);
void from_json(const nlohmann::json& j, IlqlConfig& c);
void to_json(nlohmann::json& j, const IlqlDecodeConfig& c);
void from_json(const nlohmann::json& j, IlqlDecodeConfig& c);

} // namespace hw
