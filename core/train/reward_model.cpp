#include "core/train/reward_model.h"

#include "core/model/device.h"
#include "core/model/model_io.h"
#include "core/model/safetensors.h"
#include "core/train/checkpoint.h"
#include "core/util/error.h"

#include <filesystem>
#include <fstream>

namespace hw {

void to_json(nlohmann::json& j, const RewardHeadConfig& c)
{
    j = {{"pooling", c.pooling},     {"mean", c.mean},           {"std", c.std},
         {"task", c.task},           {"reward_min", c.rewardMin}, {"reward_max", c.rewardMax},
         {"max_seq_len", c.maxSeqLen}};
}

void from_json(const nlohmann::json& j, RewardHeadConfig& c)
{
    c = RewardHeadConfig{};
    c.pooling = j.value("pooling", c.pooling);
    c.mean = j.value("mean", c.mean);
    c.std = j.value("std", c.std);
    c.task = j.value("task", c.task);
    c.rewardMin = j.value("reward_min", c.rewardMin);
    c.rewardMax = j.value("reward_max", c.rewardMax);
    c.maxSeqLen = j.value("max_seq_len", c.maxSeqLen);
    if (c.pooling != "mean" && c.pooling != "last")
        throw Error("pooling must be mean or last, not '" + c.pooling + "'");
    if (!(c.std > 0))
        throw Error("std must be positive");
}

RewardModelImpl::RewardModelImpl(Transformer trunkIn, RewardHeadConfig headIn)
    : head(std::move(headIn))
{
    trunk = register_module("trunk", std::move(trunkIn));
    score = register_module("score", torch::nn::Linear(trunk->config().hiddenSize, 1));
    {
        torch::NoGradGuard ng;
        score->weight.normal_(0.0, trunk->config().initializerRange);
        score->bias.zero_();
    }
    score->to(trunk->device());
}

torch::Tensor RewardModelImpl::forward(const torch::Tensor& tokens, const torch::Tensor& lengths)
{
    ForwardOptions fo;
    fo.computeLogits = false;
    const auto hidden = trunk->forward(tokens, fo).hidden; // [B,T,H]
    torch::Tensor pooled;
    if (head.pooling == "last") {
        const auto idx = (lengths - 1).clamp_min(0).view({-1, 1, 1}).expand({-1, 1, hidden.size(2)});
        pooled = hidden.gather(1, idx).squeeze(1);
    } else {
        const auto pos = torch::arange(tokens.size(1), lengths.options()).unsqueeze(0);
        const auto mask = (pos < lengths.unsqueeze(1)).to(hidden.dtype()).unsqueeze(2); // [B,T,1]
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp_min(1.0);
    }
    return score->forward(pooled.to(score->weight.dtype())).squeeze(1);
}

torch::Tensor RewardModelImpl::toReward(const torch::Tensor& scores) const
{
    auto r = scores * head.std + head.mean;
    if (head.rewardMax > head.rewardMin)
        r = r.clamp(head.rewardMin, head.rewardMax);
    return r;
}

void saveRewardModelFiles(const std::string& dir, const RewardModel& model, const Tokenizer& tokenizer)
{
    saveModelDirectory(dir, model->trunk, &tokenizer);
    safetensors::save(dir + "/" + kRewardHeadTensors,
                      {{"score.weight", model->score->weight.detach()}, {"score.bias", model->score->bias.detach()}},
                      {{"format", "hindsight-reward-head-1"}});
    std::ofstream out(dir + "/" + kRewardHeadJson);
    out << nlohmann::json(model->head).dump(2) << "\n";
    if (!out)
        throw Error(dir + "/" + kRewardHeadJson + ": cannot write");
}

LoadedRewardModel loadRewardModel(const std::string& dirIn, const std::string& device)
{
    const std::string dir = resolveCheckpointDir(dirIn);
    CheckpointReader reader(dir);
    if (!reader.has(kRewardHeadJson))
        throw Error(dir + ": missing " + std::string(kRewardHeadJson)
                    + " (not a reward model: train one with `hindsight train-lm P --role reward`)");
    RewardHeadConfig head;
    try {
        head = reader.readJson(kRewardHeadJson).get<RewardHeadConfig>();
    } catch (const nlohmann::json::exception& e) {
        throw Error(dir + "/" + kRewardHeadJson + ": " + e.what());
    } catch (const Error& e) {
        const std::string what = e.what();
        if (what.rfind(dir, 0) == 0)
            throw;
        throw Error(dir + "/" + kRewardHeadJson + ": " + what);
    }
    LoadOptions lo;
    lo.device = device;
    lo.dtype = torch::kFloat32;
    lo.resizeToTokenizer = false;
    auto loaded = loadModelDirectory(dir, lo);
    if (!loaded.tokenizer)
        throw Error(dir + ": missing tokenizer.model");
    RewardModel model(loaded.model, head);
    const auto tensors = reader.readTensors(kRewardHeadTensors);
    const std::string file = dir + "/" + kRewardHeadTensors;
    const int64_t H = loaded.config.hiddenSize;
    auto take = [&](const char* name, std::vector<int64_t> shape) {
        const auto it = tensors.find(name);
        if (it == tensors.end())
            throw Error(file + ": missing tensor '" + std::string(name) + "'");
        if (it->second.sizes().vec() != shape)
            throw Error(file + ": tensor '" + std::string(name) + "' has shape " + c10::str(it->second.sizes())
                        + ", expected " + c10::str(c10::IntArrayRef(shape)) + " for hidden size "
                        + std::to_string(H));
        return it->second;
    };
    {
        torch::NoGradGuard ng;
        model->score->weight.copy_(take("score.weight", {1, H}));
        model->score->bias.copy_(take("score.bias", {1}));
    }
    model->eval();
    return {model, std::move(*loaded.tokenizer), dir};
}

std::vector<double> predictRewards(RewardModel& model, const DialogueCodec& baseCodec,
                                   const std::vector<Dialogue>& dialogues, int64_t batchSize)
{
    CodecOptions opts = baseCodec.options();
    opts.maxTokens = model->head.maxSeqLen;
    opts.truncate = TruncateSide::Left;
    const DialogueCodec codec(baseCodec.tokenizer(), opts);
    torch::NoGradGuard ng;
    model->eval();
    const auto device = model->trunk->device();
    std::vector<double> out;
    out.reserve(dialogues.size());
    for (size_t start = 0; start < dialogues.size(); start += static_cast<size_t>(batchSize)) {
        std::vector<EncodedDialogue> rows;
        for (size_t i = start; i < std::min(dialogues.size(), start + static_cast<size_t>(batchSize)); ++i)
            rows.push_back(codec.encode(dialogues[i]));
        const auto batch = collate(rows, codec.tokenizer().special().pad);
        const auto r = model->toReward(model->forward(batch.tokens.to(device), batch.lengths.to(device)))
                           .to(torch::kCPU, torch::kFloat64);
        for (int64_t i = 0; i < r.size(0); ++i)
            out.push_back(r[i].item<double>());
    }
    return out;
}

} // namespace hw
