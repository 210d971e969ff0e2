#pragma once
// Reward model: the transformer trunk with a regression head.
//
//   tokens [B,T] --> Transformer trunk --> hidden [B,T,H]
//                                            |  pool: last real token | mean over real tokens
//                                            v
//                                     score: Linear(H,1) --> z [B]   (normalised reward)
//                                            reward = mean + std * z  (training-set statistics)
//
// Saved as a model directory (the trunk under HF names, loadable as an LM) plus
//   reward_head.safetensors  {"score.weight" [1,H], "score.bias" [1]}
//   reward_head.json         RewardHeadConfig
#include "core/model/dialogue_codec.h"
#include "core/model/tokenizer.h"
#include "core/model/transformer.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

struct RewardHeadConfig {
    std::string pooling = "last";  // "last" | "mean"
    double mean = 0.0;             // training rewards' mean and standard deviation
    double std = 1.0;
    std::string task;              // task the rewards belong to
    double rewardMin = 0.0;        // predictions are clamped to the task's range
    double rewardMax = 0.0;        // (no clamping when min == max)
    int64_t maxSeqLen = 512;       // dialogues are cut to their latest turns beyond this
};
void to_json(nlohmann::json& j, const RewardHeadConfig& c);
void from_json(const nlohmann::json& j, RewardHeadConfig& c);

inline constexpr const char* kRewardHeadTensors = "reward_head.safetensors";
inline constexpr const char* kRewardHeadJson = "reward_head.json";

class RewardModelImpl : public torch::nn::Module {
public:
    RewardModelImpl(Transformer trunk, RewardHeadConfig head);
    // Normalised scores [B] for right-padded tokens [B,T] with real lengths [B].
    torch::Tensor forward(const torch::Tensor& tokens, const torch::Tensor& lengths);
    // In reward units, clamped to the task's range when it has one.
    torch::Tensor toReward(const torch::Tensor& scores) const;

    Transformer trunk{nullptr};
    torch::nn::Linear score{nullptr};
    RewardHeadConfig head;
};
TORCH_MODULE(RewardModel);

// Writes the trunk (model directory layout), head tensors and head config into dir (which must
// exist; a CheckpointWriter's staging directory, say).
void saveRewardModelFiles(const std::string& dir, const RewardModel& model, const Tokenizer& tokenizer);

struct LoadedRewardModel {
    RewardModel model{nullptr};
    Tokenizer tokenizer;
    std::string dir;
};
// Loads a reward model directory (a checkpoint or run directory). Errors name the file.
LoadedRewardModel loadRewardModel(const std::string& dir, const std::string& device = "");

// Scores dialogues in batches (eval mode, no grad). Returns rewards in task units.
std::vector<double> predictRewards(RewardModel& model, const DialogueCodec& codec,
                                   const std::vector<Dialogue>& dialogues, int64_t batchSize = 16);

} // namespace hw
