#pragma once
// Architecture of a decoder-only Llama-family model, read from and written to a Hugging Face style
// config.json (the keys of transformers' LlamaConfig / MistralConfig / Qwen2Config), so a checkpoint
// directory made by `save_pretrained` loads as is and ours load in transformers.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace hw {

struct ModelConfig {
    std::string modelType = "llama";      // "llama" | "mistral" | "qwen2" (qwen2 implies attentionBias)
    int64_t vocabSize = 8000;
    int64_t hiddenSize = 256;
    int64_t intermediateSize = 688;
    int64_t numHiddenLayers = 4;
    int64_t numAttentionHeads = 4;
    int64_t numKeyValueHeads = 2;         // grouped-query attention when < numAttentionHeads
    int64_t headDim = 0;                  // 0 = hiddenSize / numAttentionHeads
    int64_t maxPositionEmbeddings = 2048;
    double rmsNormEps = 1e-5;
    double ropeTheta = 10000.0;
    bool tieWordEmbeddings = true;
    bool attentionBias = false;           // bias on q/k/v projections (and on o_proj, except for qwen2)
    bool mlpBias = false;
    std::string hiddenAct = "silu";       // only silu is supported
    std::string torchDtype = "float32";   // dtype of the stored weights ("float32" | "float16" | "bfloat16")
    int64_t bosTokenId = 1;
    int64_t eosTokenId = 2;
    int64_t padTokenId = 0;
    double initializerRange = 0.02;

    // transformers' Llama puts attention_bias on o_proj too; Qwen2 has q/k/v bias only.
    bool outputProjectionBias() const { return attentionBias && modelType != "qwen2"; }
    int64_t effectiveHeadDim() const { return headDim > 0 ? headDim : hiddenSize / numAttentionHeads; }

    // Throws hw::Error naming the field when the numbers do not make a model
    // (heads not dividing hidden size, KV heads not dividing heads, non-positive sizes, ...).
    void validate() const;

    // Number of trainable parameters (embeddings and lm_head counted once when tied).
    int64_t parameterCount() const;
    // Parameters that take part in the per-token matrix products: every Linear plus the output
    // projection (the embedding lookup is not a matmul). Used for FLOP estimates.
    int64_t matmulParameterCount() const;
    // Training FLOPs per token for sequences of length seqLen: 6 * matmul params + attention
    // (QK^T and AV: 2 * 2 * seqLen * heads * headDim per layer forward, times 3 for backward).
    double trainingFlopsPerToken(int64_t seqLen) const;

    // HF keys (snake_case). Unknown keys are ignored; rope_scaling other than null is rejected,
    // since the rotary embedding here is the plain one.
    static ModelConfig fromJson(const nlohmann::json& j);
    nlohmann::json toJson() const;
    // File helpers; errors name the file.
    static ModelConfig load(const std::string& path);
    void save(const std::string& path) const;

    // The default small config of the benchmarks and tiny CPU runs (vocab 8k, hidden 256, 4 layers,
    // 4 heads / 2 KV heads, FFN 688).
    static ModelConfig small(int64_t vocabSize = 8000);
    // A very small config for tests (seconds on CPU).
    static ModelConfig tiny(int64_t vocabSize);
};

} // namespace hw
