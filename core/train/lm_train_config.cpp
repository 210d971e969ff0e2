#include "core/train/lm_train_config.h"

#include "core/util/error.h"

#include <fstream>
#include <sstream>
#include <utility>

namespace hw {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    LmTrainConfig, seed, lossTokens, modelPreset, model, init, tokenizerVocab, device, task, trainingSet, maxSeqLen,
    validFraction, maxValidExamples, includeContext, batchSize, maxBatchTokens, gradAccumSteps,
    optimizer, warmupSteps, minLrRatio, epochs, maxSteps, gradClip, logEvery, evalEvery,
    checkpointEvery, keepCheckpoints, maxSeconds, rewardPooling)

LmTrainConfig LmTrainConfig::tiny()
{
    LmTrainConfig c;
    c.modelPreset = "tiny";
    c.tokenizerVocab = 400;
    c.maxSeqLen = 192;
    c.batchSize = 8;
    c.optimizer.lr = 3e-3;
    c.optimizer.weightDecay = 0.0;
    c.warmupSteps = 5;
    c.epochs = 1;
    c.logEvery = 5;
    c.evalEvery = 20;
    c.checkpointEvery = 0;
    return c;
}

LmTrainConfig LmTrainConfig::fromJson(const nlohmann::json& j, const std::string& origin)
{
    if (!j.is_object())
        throw Error(origin + ": a training configuration is a JSON object");
    const nlohmann::json known = LmTrainConfig{};
    for (const auto& item : j.items())
        if (!known.contains(item.key()))
            throw Error(origin + ": unknown key '" + item.key() + "'");
    LmTrainConfig c;
    try {
        c = j.get<LmTrainConfig>();
        if (j.contains("optimizer")) {
            const nlohmann::json knownOpt = AdamWOptions{};
            for (const auto& item : j.at("optimizer").items())
                if (!knownOpt.contains(item.key()))
                    throw Error(origin + ": unknown key 'optimizer." + item.key() + "'");
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(origin + ": " + e.what());
    }
    try {
        c.validate();
    } catch (const Error& e) {
        throw Error(origin + ": " + e.what());
    }
    return c;
}

LmTrainConfig LmTrainConfig::load(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw Error(path + ": cannot read");
    std::stringstream ss;
    ss << in.rdbuf();
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(ss.str());
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(path + ": not valid JSON at byte " + std::to_string(e.byte));
    }
    return fromJson(j, path);
}

nlohmann::json LmTrainConfig::toJson() const
{
    return *this;
}

void LmTrainConfig::validate() const
{
    auto require = [](bool ok, const std::string& what) {
        if (!ok)
            throw Error(what);
    };
    require(lossTokens.empty() || lossTokens == "agent" || lossTokens == "user"
                || lossTokens == "all_but_context" || lossTokens == "all",
            "lossTokens must be agent, user, all_but_context or all");
    require(modelPreset == "tiny" || modelPreset == "small", "modelPreset must be tiny or small");
    require(model.is_object(), "model must be an object of config.json keys");
    require(tokenizerVocab >= 32, "tokenizerVocab must be at least 32");
    require(maxSeqLen >= 16, "maxSeqLen must be at least 16");
    require(validFraction >= 0 && validFraction < 1, "validFraction must be in [0, 1)");
    require(batchSize >= 1, "batchSize must be at least 1");
    require(maxBatchTokens == 0 || maxBatchTokens >= maxSeqLen, "maxBatchTokens must be 0 or >= maxSeqLen");
    require(gradAccumSteps >= 1, "gradAccumSteps must be at least 1");
    require(optimizer.lr > 0, "optimizer.lr must be positive");
    require(optimizer.beta1 >= 0 && optimizer.beta1 < 1 && optimizer.beta2 >= 0 && optimizer.beta2 < 1,
            "optimizer betas must be in [0, 1)");
    require(warmupSteps >= 0, "warmupSteps must be >= 0");
    require(minLrRatio >= 0 && minLrRatio <= 1, "minLrRatio must be in [0, 1]");
    require(epochs >= 1 || maxSteps > 0, "epochs must be at least 1 (or set maxSteps)");
    require(maxSteps >= 0, "maxSteps must be >= 0");
    require(logEvery >= 1, "logEvery must be at least 1");
    require(rewardPooling == "mean" || rewardPooling == "last", "rewardPooling must be mean or last");
}

bool LmBudgetOverride::applyTo(LmTrainConfig& config) const
{
    LmTrainConfig c = config;
    if (maxSteps)
        c.maxSteps = *maxSteps;
    if (epochs)
        c.epochs = *epochs;
    if (maxSeconds)
        c.maxSeconds = *maxSeconds;
    c.validate();
    const bool lengthChanged = c.maxSteps != config.maxSteps || c.epochs != config.epochs;
    config = std::move(c);
    return lengthChanged;
}

} // namespace hw
