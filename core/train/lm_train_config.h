#pragma once
#include "core/train/adamw.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace hw {

// Everything an LM (or reward-model) training run is configured by. JSON keys are the member
// names; every key is optional (defaults below), unknown keys are an error (a typo must not
// silently train with a default). Saved as train_config.json in every checkpoint.
struct LmTrainConfig {
    uint64_t seed = 0;
    // Which next-token targets count: "agent" (policy), "user", "all_but_context" (forward
    // model), "all"; "" = the role's default.
    std::string lossTokens;

    // ---- model
    std::string modelPreset = "small";  // from scratch: "tiny" | "small" (ModelConfig presets)
    nlohmann::json model = nlohmann::json::object(); // HF config.json keys overriding the preset
    std::string init;                   // checkpoint or HF model directory to start from; "" = scratch
    int64_t tokenizerVocab = 4000;      // vocabulary of a tokenizer trained for this run
    std::string device;                 // "" = CUDA when available (HW_DEVICE=cpu forces CPU)

    // ---- data
    std::string task;                   // task name; "" = the project's only task
    std::string trainingSet;            // a saved training set to train on instead of the role's selection
    int64_t maxSeqLen = 512;            // longer dialogues are cut into windows of whole turns
    double validFraction = 0.1;         // held-out share of dialogues (by uid hash, seeded)
    int64_t maxValidExamples = 512;
    bool includeContext = true;         // task / situation / persona prefix

    // ---- batching
    int64_t batchSize = 16;             // sequences per micro-batch
    int64_t maxBatchTokens = 0;         // padded tokens per micro-batch; 0 = no limit
    int64_t gradAccumSteps = 1;

    // ---- optimisation
    AdamWOptions optimizer{1e-3, 0.9, 0.95, 1e-8, 0.1};
    int64_t warmupSteps = 50;
    double minLrRatio = 0.1;
    int64_t epochs = 3;
    int64_t maxSteps = 0;               // > 0: train this many optimizer steps (overrides epochs)
    double gradClip = 1.0;

    // ---- cadence
    int64_t logEvery = 10;
    int64_t evalEvery = 100;            // 0 = at the end only
    int64_t checkpointEvery = 500;      // 0 = at the end (and on stop) only
    int keepCheckpoints = 2;            // newest step-N directories kept; 0 = all
    double maxSeconds = 0;              // wall-time budget; stops with a checkpoint; 0 = none

    // ---- reward model (role "reward")
    // "last": the final token's hidden state (HF sequence classification; it attends to the whole
    // dialogue and learned far better in tests) | "mean" over the dialogue's tokens.
    std::string rewardPooling = "last";

    // A config for tests and quick CPU runs: tiny model, short sequences, few steps.
    static LmTrainConfig tiny();
    // Parses and validates; `origin` (a file name) prefixes errors.
    static LmTrainConfig fromJson(const nlohmann::json& j, const std::string& origin = "config");
    static LmTrainConfig load(const std::string& path);
    nlohmann::json toJson() const;
    // Throws hw::Error naming the field when a value is out of range.
    void validate() const;
};

// The budget fields of LmTrainConfig given anew when a run is resumed (train-lm --resume with
// --max-steps / --epochs / --max-seconds): they replace the checkpoint's values; unset = kept.
struct LmBudgetOverride {
    std::optional<int64_t> maxSteps;
    std::optional<int64_t> epochs;
    std::optional<double> maxSeconds;
    bool any() const { return maxSteps || epochs || maxSeconds; }
    // Writes the given fields into config, validating the result first (config is unchanged when
    // this throws). Returns true when the run's length (maxSteps or epochs) changed, so that a
    // trainer recomputes the end of its learning-rate schedule.
    bool applyTo(LmTrainConfig& config) const;
};

} // namespace hw
