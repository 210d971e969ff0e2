#include "core/model/model_config.h"

#include "core/util/error.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace hw {

namespace {

void require(bool ok, const std::string& what)
{
    if (!ok)
        throw Error("model config: " + what);
}

template <typename T>
void readKey(const nlohmann::json& j, const char* key, T& out)
{
    const auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return;
    try {
        out = it->get<T>();
    } catch (const nlohmann::json::exception&) {
        throw Error(std::string("model config: '") + key + "' has the wrong type (" + it->dump() + ")");
    }
}

} // namespace

void ModelConfig::validate() const
{
    require(vocabSize > 0, "vocab_size must be positive");
    require(hiddenSize > 0, "hidden_size must be positive");
    require(intermediateSize > 0, "intermediate_size must be positive");
    require(numHiddenLayers > 0, "num_hidden_layers must be positive");
    require(numAttentionHeads > 0, "num_attention_heads must be positive");
    require(numKeyValueHeads > 0, "num_key_value_heads must be positive");
    require(numAttentionHeads % numKeyValueHeads == 0,
            "num_attention_heads (" + std::to_string(numAttentionHeads) + ") must be a multiple of "
            "num_key_value_heads (" + std::to_string(numKeyValueHeads) + ")");
    require(headDim > 0 || hiddenSize % numAttentionHeads == 0,
            "hidden_size (" + std::to_string(hiddenSize) + ") must be a multiple of num_attention_heads ("
            + std::to_string(numAttentionHeads) + ") unless head_dim is given");
    require(effectiveHeadDim() % 2 == 0, "head dimension must be even for rotary embeddings");
    require(maxPositionEmbeddings > 0, "max_position_embeddings must be positive");
    require(rmsNormEps > 0, "rms_norm_eps must be positive");
    require(ropeTheta > 0, "rope_theta must be positive");
    require(hiddenAct == "silu" || hiddenAct == "swish",
            "hidden_act '" + hiddenAct + "' is not supported (only silu)");
}

int64_t ModelConfig::parameterCount() const
{
    const int64_t d = hiddenSize, hd = effectiveHeadDim();
    const int64_t q = numAttentionHeads * hd, kv = numKeyValueHeads * hd;
    int64_t attn = d * q + 2 * d * kv + q * d;
    if (attentionBias)
        attn += q + 2 * kv;
    if (outputProjectionBias())
        attn += d;
    int64_t mlp = 3 * d * intermediateSize;
    if (mlpBias)
        mlp += 2 * intermediateSize + d;
    const int64_t layer = attn + mlp + 2 * d;
    int64_t total = numHiddenLayers * layer + vocabSize * d + d;
    if (!tieWordEmbeddings)
        total += vocabSize * d;
    return total;
}

int64_t ModelConfig::matmulParameterCount() const
{
    const int64_t d = hiddenSize, hd = effectiveHeadDim();
    const int64_t q = numAttentionHeads * hd, kv = numKeyValueHeads * hd;
    const int64_t layer = d * q + 2 * d * kv + q * d + 3 * d * intermediateSize;
    return numHiddenLayers * layer + vocabSize * d;
}

double ModelConfig::trainingFlopsPerToken(int64_t seqLen) const
{
    const double attention = 2.0 * 2.0 * double(seqLen) * double(numAttentionHeads * effectiveHeadDim())
                             * double(numHiddenLayers);
    return 6.0 * double(matmulParameterCount()) + 3.0 * attention;
}

ModelConfig ModelConfig::fromJson(const nlohmann::json& j)
{
    if (!j.is_object())
        throw Error("model config: expected a JSON object");
    ModelConfig c;
    readKey(j, "model_type", c.modelType);
    readKey(j, "vocab_size", c.vocabSize);
    readKey(j, "hidden_size", c.hiddenSize);
    readKey(j, "intermediate_size", c.intermediateSize);
    readKey(j, "num_hidden_layers", c.numHiddenLayers);
    readKey(j, "num_attention_heads", c.numAttentionHeads);
    c.numKeyValueHeads = c.numAttentionHeads; // HF default when the key is absent
    readKey(j, "num_key_value_heads", c.numKeyValueHeads);
    readKey(j, "head_dim", c.headDim);
    readKey(j, "max_position_embeddings", c.maxPositionEmbeddings);
    readKey(j, "rms_norm_eps", c.rmsNormEps);
    readKey(j, "rope_theta", c.ropeTheta);
    // The Llama, Mistral and Qwen2 config classes of transformers default to untied embeddings.
    c.tieWordEmbeddings = false;
    readKey(j, "tie_word_embeddings", c.tieWordEmbeddings);
    c.attentionBias = c.modelType == "qwen2";
    readKey(j, "attention_bias", c.attentionBias);
    readKey(j, "mlp_bias", c.mlpBias);
    readKey(j, "hidden_act", c.hiddenAct);
    readKey(j, "torch_dtype", c.torchDtype);
    readKey(j, "bos_token_id", c.bosTokenId);
    readKey(j, "eos_token_id", c.eosTokenId);
    readKey(j, "pad_token_id", c.padTokenId);
    readKey(j, "initializer_range", c.initializerRange);
    if (j.contains("rope_scaling") && !j["rope_scaling"].is_null())
        throw Error("model config: rope_scaling " + j["rope_scaling"].dump() + " is not supported");
    if (j.contains("sliding_window") && j["sliding_window"].is_number_integer()
        && j["sliding_window"].get<int64_t>() < c.maxPositionEmbeddings && c.modelType == "mistral") {
        // Sequences here stay far below Mistral's 4096 window; longer ones would need the window mask.
        c.maxPositionEmbeddings = std::min(c.maxPositionEmbeddings, j["sliding_window"].get<int64_t>());
    }
    c.validate();
    return c;
}

nlohmann::json ModelConfig::toJson() const
{
    nlohmann::json j;
    j["architectures"] = nlohmann::json::array({modelType == "qwen2" ? "Qwen2ForCausalLM"
                                                : modelType == "mistral" ? "MistralForCausalLM"
                                                                         : "LlamaForCausalLM"});
    j["model_type"] = modelType;
    j["vocab_size"] = vocabSize;
    j["hidden_size"] = hiddenSize;
    j["intermediate_size"] = intermediateSize;
    j["num_hidden_layers"] = numHiddenLayers;
    j["num_attention_heads"] = numAttentionHeads;
    j["num_key_value_heads"] = numKeyValueHeads;
    if (headDim > 0)
        j["head_dim"] = headDim;
    j["max_position_embeddings"] = maxPositionEmbeddings;
    j["rms_norm_eps"] = rmsNormEps;
    j["rope_theta"] = ropeTheta;
    j["rope_scaling"] = nullptr;
    j["tie_word_embeddings"] = tieWordEmbeddings;
    j["attention_bias"] = attentionBias;
    j["mlp_bias"] = mlpBias;
    j["hidden_act"] = hiddenAct;
    j["torch_dtype"] = torchDtype;
    j["bos_token_id"] = bosTokenId;
    j["eos_token_id"] = eosTokenId;
    j["pad_token_id"] = padTokenId;
    j["initializer_range"] = initializerRange;
    return j;
}

ModelConfig ModelConfig::load(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw Error(path + ": cannot open model config");
    nlohmann::json j;
    try {
        in >> j;
    } catch (const nlohmann::json::exception& e) {
        throw Error(path + ": not valid JSON: " + e.what());
    }
    try {
        return fromJson(j);
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
}

void ModelConfig::save(const std::string& path) const
{
    std::ofstream out(path, std::ios::trunc);
    if (!out)
        throw Error(path + ": cannot write model config");
    out << toJson().dump(2) << "\n";
    if (!out)
        throw Error(path + ": write failed");
}

ModelConfig ModelConfig::small(int64_t vocabSize)
{
    ModelConfig c;
    c.vocabSize = vocabSize;
    c.hiddenSize = 256;
    c.intermediateSize = 688;
    c.numHiddenLayers = 4;
    c.numAttentionHeads = 4;
    c.numKeyValueHeads = 2;
    c.maxPositionEmbeddings = 2048;
    c.tieWordEmbeddings = true;
    return c;
}

ModelConfig ModelConfig::tiny(int64_t vocabSize)
{
    ModelConfig c;
    c.vocabSize = vocabSize;
    c.hiddenSize = 32;
    c.intermediateSize = 64;
    c.numHiddenLayers = 2;
    c.numAttentionHeads = 4;
    c.numKeyValueHeads = 2;
    c.maxPositionEmbeddings = 256;
    c.tieWordEmbeddings = true;
    return c;
}

} // namespace hw
