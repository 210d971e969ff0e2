#include "core/train/ilql_trainer_config.h"

#include "core/util/error.h"

#include <fstream>
#include <sstream>

namespace hw {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(IlqlTrainConfig, seed, objective, ilql, policy, valueInit, targets, polyakAlpha, decode,
                                                init, modelPreset, model, tokenizerVocab, device, maxSeqLen,
                                                validFraction, maxValidExamples, includeContext, batchSize,
                                                gradAccumSteps, optimizer, iterations, updatesPerIteration,
                                                warmupSteps, minLrRatio, gradClip, bcSteps, bcLr, logEvery, evalEvery,
                                                checkpointEvery, keepCheckpoints, maxSeconds, evalSamples,
                                                maxNewTokens)

IlqlTrainConfig IlqlTrainConfig::tiny()
{
    IlqlTrainConfig c;
    c.modelPreset = "tiny";
    c.tokenizerVocab = 400;
    c.maxSeqLen = 192;
    c.batchSize = 8;
    c.gradAccumSteps = 1;
    c.optimizer.lr = 1e-3;
    c.iterations = 4;
    c.updatesPerIteration = 25;
    c.bcSteps = 60;
    c.bcLr = 3e-3;
    c.logEvery = 5;
    c.checkpointEvery = 0;
    c.evalSamples = 2;
    c.maxNewTokens = 24;
    return c;
}

IlqlTrainConfig IlqlTrainConfig::behaviourCloning() const
{
    IlqlTrainConfig c = *this;
    c.objective = "bc";
    c.init.clear();
    c.iterations = 1;
    c.updatesPerIteration = bcSteps;
    c.optimizer.lr = bcLr;
    c.evalEvery = bcSteps;
    c.ilql.loss_weights = IlqlLossWeights{1.0, 0.0, 0.0, 0.0, 0.0, false};
    c.ilql.beta = 0.0;
    c.ilql.transition_weight = 0.0;
    return c;
}

IlqlTrainConfig IlqlTrainConfig::fromJson(const nlohmann::json& j, const std::string& origin)
{
    if (!j.is_object())
        throw Error(origin + ": a training configuration is a JSON object");
    const nlohmann::json known = IlqlTrainConfig{};
    for (const auto& item : j.items())
        if (!known.contains(item.key()))
            throw Error(origin + ": unknown key '" + item.key() + "'");
    IlqlTrainConfig c;
    try {
        c = j.get<IlqlTrainConfig>();
        c.adoptReferenceModelOptions(j);
        if (j.contains("optimizer")) {
            const nlohmann::json knownOpt = AdamWOptions{};
            for (const auto& item : j.at("optimizer").items())
                if (!knownOpt.contains(item.key()))
                    throw Error("unknown key 'optimizer." + item.key() + "'");
        }
        c.validate();
    } catch (const nlohmann::json::exception& e) {
        throw Error(origin + ": " + e.what());
    } catch (const Error& e) {
        throw Error(origin + ": " + e.what());
    }
    return c;
}

namespace {

nlohmann::json readConfigFile(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw Error(path + ": cannot read");
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        return nlohmann::json::parse(ss.str());
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(path + ": not valid JSON at byte " + std::to_string(e.byte));
    }
}

} // namespace

IlqlTrainConfig IlqlTrainConfig::load(const std::string& path)
{
    return fromJson(readConfigFile(path), path);
}

IlqlTrainConfig IlqlTrainConfig::overlay(const IlqlTrainConfig& base, const std::string& path)
{
    const auto given = readConfigFile(path);
    const auto file = fromJson(given, path).toJson(); // validates keys and values
    nlohmann::json merged = base.toJson();
    for (const auto& item : given.items())
        merged[item.key()] = file[item.key()];
    // What fromJson moved out of "ilql" lives on these fields now.
    if (given.contains("ilql") && given.at("ilql").is_object()) {
        const auto& ilql = given.at("ilql");
        for (const auto& [refKey, key] : {std::pair<const char*, const char*>{"alpha", "polyakAlpha"},
                                          {"seperate_policy", "policy"},
                                          {"seperate_target", "targets"}})
            if (ilql.contains(refKey) && !ilql.at(refKey).is_null())
                merged[key] = file[key];
    }
    return fromJson(merged, path);
}

void IlqlTrainConfig::adoptReferenceModelOptions(const nlohmann::json& given)
{
    // A value given both ways must agree: otherwise which one trains would be a guess.
    auto adopt = [&](auto& field, const auto& value, const char* key, const char* refKey, const std::string& shown,
                     const std::string& fieldShown) {
        if (given.contains(key) && field != value)
            throw Error(std::string("ilql.") + refKey + " (" + shown + ") and " + key + " (" + fieldShown
                        + ") disagree: give one of them");
        field = value;
    };
    if (ilql.alpha) {
        adopt(polyakAlpha, *ilql.alpha, "polyakAlpha", "alpha", std::to_string(*ilql.alpha),
              std::to_string(polyakAlpha));
        ilql.alpha.reset();
    }
    if (ilql.seperate_policy) {
        const std::string p = *ilql.seperate_policy ? "separate" : "shared";
        adopt(policy, p, "policy", "seperate_policy", *ilql.seperate_policy ? "true" : "false", policy);
        ilql.seperate_policy.reset();
    }
    if (ilql.seperate_target) {
        const std::string t = *ilql.seperate_target ? "trunk" : "heads";
        adopt(targets, t, "targets", "seperate_target", *ilql.seperate_target ? "true" : "false", targets);
        ilql.seperate_target.reset();
    }
}

nlohmann::json IlqlTrainConfig::toJson() const
{
    return *this;
}

void IlqlTrainConfig::validate() const
{
    auto require = [](bool ok, const std::string& what) {
        if (!ok)
            throw Error(what);
    };
    require(objective == "ilql" || objective == "bc", "objective must be ilql or bc");
    require(targets == "heads" || targets == "trunk", "targets must be heads or trunk");
    require(policy == "separate" || policy == "shared", "policy must be separate or shared");
    require(polyakAlpha > 0 && polyakAlpha <= 1, "polyakAlpha must be in (0, 1]");
    require(modelPreset == "tiny" || modelPreset == "small", "modelPreset must be tiny or small");
    require(model.is_object(), "model must be an object of config.json keys");
    require(tokenizerVocab >= 32, "tokenizerVocab must be at least 32");
    require(maxSeqLen >= 8, "maxSeqLen must be at least 8");
    require(validFraction >= 0 && validFraction < 1, "validFraction must be in [0, 1)");
    require(batchSize >= 1, "batchSize must be at least 1");
    require(gradAccumSteps >= 1, "gradAccumSteps must be at least 1");
    require(optimizer.lr > 0, "optimizer.lr must be positive");
    require(optimizer.beta1 >= 0 && optimizer.beta1 < 1 && optimizer.beta2 >= 0 && optimizer.beta2 < 1,
            "optimizer betas must be in [0, 1)");
    require(iterations >= 1 && updatesPerIteration >= 1, "iterations and updatesPerIteration must be at least 1");
    require(warmupSteps >= 0, "warmupSteps must be >= 0");
    require(minLrRatio >= 0 && minLrRatio <= 1, "minLrRatio must be in [0, 1]");
    require(bcSteps >= 0, "bcSteps must be >= 0");
    require(bcLr > 0, "bcLr must be positive");
    require(logEvery >= 1, "logEvery must be at least 1");
    require(evalEvery >= 0 && checkpointEvery >= 0, "evalEvery and checkpointEvery must be >= 0");
    require(evalSamples >= 0 && maxNewTokens >= 1, "evalSamples must be >= 0 and maxNewTokens >= 1");
    ilql.validate();
    for (const auto& why : ilql.unsupportedTrainingOptions())
        throw Error("ilql." + why);
    // Set in code rather than read by fromJson (which moves them): they must agree with the fields
    // the trainer reads.
    require(!ilql.alpha || *ilql.alpha == polyakAlpha, "ilql.alpha differs from polyakAlpha (the trainer's Polyak rate)");
    require(!ilql.seperate_policy || *ilql.seperate_policy == (policy == "separate"),
            "ilql.seperate_policy differs from policy");
    require(!ilql.seperate_target || *ilql.seperate_target == (targets == "trunk"),
            "ilql.seperate_target differs from targets");
    decode.validate();
}

} // namespace hw
