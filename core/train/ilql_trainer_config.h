#pragma once
// Configuration of an agent training run (ILQL, and the BC/SFT/RFT policies it starts from).
// JSON keys are the member names; every key is optional, unknown keys are an error. Saved as
// train_config.json in every checkpoint (the chat agent reads "ilql" from there for decoding).
#include "core/rl/ilql_config.h"
#include "core/train/adamw.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace hw {

struct IlqlTrainConfig {
    uint64_t seed = 0;

    // ---- what is trained
    // "ilql": the full loss of `ilql`. "bc": behaviour cloning only (the token loss on agent
    // tokens, Q/V heads untouched), used for π_β and for the SFT / RFT agents.
    std::string objective = "ilql";
    IlqlConfig ilql;                    // loss options, the reference's keys (paper defaults)
    // π and the value heads: "separate" = π_β is its own transformer (trained by the token loss
    // when awac_weight > 0) and V/Q sit on a value trunk (the reference's seperate_policy);
    // "shared" = one trunk for both, π being its lm_head (trlx; one model in the checkpoint).
    std::string policy = "separate";
    // Where the separate value trunk starts: "" = the base model π_β was cloned from when
    // behaviour cloning ran in the same job, else π_β itself; "policy" = π_β; or a model
    // directory. (A trunk fine-tuned by behaviour cloning has learned to ignore what does not
    // change the next agent token, which Q needs.)
    std::string valueInit;
    // Target Q: "heads" = Polyak copies of the Q heads on the trunk's own hidden states (memory),
    // "trunk" = also a Polyak copy of the trunk (the reference's seperate_target).
    std::string targets = "heads";
    double polyakAlpha = 0.005;         // target <- alpha * online + (1 - alpha) * target, every step
    IlqlDecodeConfig decode;            // sampling of the evaluation replies (β = adv_weight)

    // ---- model
    std::string init;                   // π_β checkpoint (or HF model dir) to start from; "" = BC first
    std::string modelPreset = "small";  // from scratch (BC stage): "tiny" | "small"
    nlohmann::json model = nlohmann::json::object(); // HF config.json keys overriding the preset
    int64_t tokenizerVocab = 4000;      // vocabulary of a tokenizer trained for the run
    std::string device;                 // "" = CUDA when available (HW_DEVICE=cpu forces CPU)

    // ---- data
    int64_t maxSeqLen = 512;            // longer dialogues are cut into windows of whole turns
    double validFraction = 0.1;         // held-out share (by uid hash, seeded)
    int64_t maxValidExamples = 256;
    bool includeContext = true;

    // ---- batching: batchSize x gradAccumSteps sequences per optimizer step (paper: 128)
    int64_t batchSize = 16;
    int64_t gradAccumSteps = 8;

    // ---- optimisation (paper: AdamW 1e-4, 100 iterations x 60 updates)
    AdamWOptions optimizer{1e-4, 0.9, 0.999, 1e-8, 0.0};
    int64_t iterations = 100;
    int64_t updatesPerIteration = 60;
    int64_t warmupSteps = 0;
    double minLrRatio = 1.0;            // 1 = constant learning rate after warm-up
    double gradClip = 1.0;              // <= 0: no clipping

    // ---- behaviour cloning stage (when init is empty): steps and learning rate of π_β
    int64_t bcSteps = 300;
    double bcLr = 1e-3;

    // ---- cadence
    int64_t logEvery = 10;
    int64_t evalEvery = 0;              // 0 = every iteration (updatesPerIteration steps)
    int64_t checkpointEvery = 600;      // 0 = at the end (and on stop) only
    int keepCheckpoints = 2;
    double maxSeconds = 0;              // wall-time budget of a session; 0 = none
    int64_t evalSamples = 3;            // sampled replies per evaluation (run_samples)
    int64_t maxNewTokens = 64;          // length limit of those replies

    int64_t totalSteps() const { return iterations * updatesPerIteration; }
    int64_t effectiveEvalEvery() const { return evalEvery > 0 ? evalEvery : updatesPerIteration; }
    bool bcOnly() const { return objective == "bc"; }

    // The paper's recipe at full size (the defaults above).
    static IlqlTrainConfig paper() { return {}; }
    // Tiny model, short runs: tests and CPU smoke runs.
    static IlqlTrainConfig tiny();
    // This configuration as the behaviour-cloning stage that precedes it (objective "bc",
    // bcSteps steps at bcLr, same data and batching).
    IlqlTrainConfig behaviourCloning() const;

    // Parses and validates; `origin` (a file name) prefixes errors. The reference's model options
    // inside "ilql" are moved onto the trainer's fields: alpha -> polyakAlpha, seperate_policy ->
    // policy ("separate" / "shared"), seperate_target -> targets ("trunk" / "heads"); a value given
    // both ways must agree. Its detach_* / advanced_mlp set to true are refused (not implemented).
    static IlqlTrainConfig fromJson(const nlohmann::json& j, const std::string& origin = "configuration");
    static IlqlTrainConfig load(const std::string& path);
    // base with the keys the file at path gives (and the fields its "ilql" reference options map
    // onto) replaced by the file's values; the rest of base is kept.
    static IlqlTrainConfig overlay(const IlqlTrainConfig& base, const std::string& path);
    nlohmann::json toJson() const;
    // Throws hw::Error naming the field when a value is out of range.
    void validate() const;
    // The move described at fromJson; `given` is the parsed object (which keys it names).
    void adoptReferenceModelOptions(const nlohmann::json& given);
};

} // namespace hw
