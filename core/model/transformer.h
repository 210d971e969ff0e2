#pragma once
// Decoder-only Llama-family transformer (Llama-2, Mistral without sliding window, TinyLlama,
// Qwen2 with qkv bias), with Hugging Face parameter names so safetensors checkpoints map 1:1:
//
//   tokens [B,T]
//     |
//   model.embed_tokens                      (vocab x hidden)
//     |
//   +-- model.layers.N (x num_hidden_layers) ----------------------------------------+
//   |   x --+--> input_layernorm (RMSNorm) --> self_attn --------------------(+)--> h  |
//   |       |     q/k/v_proj (+bias?) -> RoPE -> causal GQA softmax(QK^T/sqrt d)V    |   |
//   |       |     -> o_proj                                                            |   |
//   |       +------------------------------------------------------------------------+   |
//   |   h --+--> post_attention_layernorm (RMSNorm) --> mlp ----------------(+)--> out |
//   |       |     down_proj( silu(gate_proj x) * up_proj x )  (SwiGLU)               |   |
//   |       +------------------------------------------------------------------------+   |
//   +----------------------------------------------------------------------------------+
//     |
//   model.norm (RMSNorm)  --> hidden states [B,T,H]  (what value/Q heads read)
//     |
//   lm_head (or embed_tokens^T when tied) --> logits [B,T,V]
//
// Key/value caches make incremental decoding cost O(T) per token; rows of a batch may be
// left-padded (attentionMask + per-row positions) so prompts of different lengths decode together.
#include "core/model/model_config.h"

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace hw {

// Per-layer key/value cache, preallocated to a capacity; filled in place by forward().
struct KVCache {
    std::vector<torch::Tensor> keys;    // per layer [B, kvHeads, capacity, headDim]
    std::vector<torch::Tensor> values;  // per layer [B, kvHeads, capacity, headDim]
    int64_t length = 0;                 // positions filled (same for every row)

    bool empty() const { return keys.empty(); }
    int64_t capacity() const { return keys.empty() ? 0 : keys[0].size(2); }
    int64_t batchSize() const { return keys.empty() ? 0 : keys[0].size(0); }
    // Keeps only the given rows (e.g. to drop finished sequences): index [B'] int64.
    void selectRows(const torch::Tensor& index);
    void reset() { length = 0; }
};

struct ForwardOptions {
    // [B, pastLength + T] 1 = real token, 0 = padding. Undefined = all real (pure causal mask;
    // right padding needs no mask since causal attention never looks ahead).
    torch::Tensor attentionMask;
    // [B, T] int64 positions for RoPE. Undefined = pastLength .. pastLength + T - 1 for every row.
    torch::Tensor positionIds;
    // When set, keys/values of these tokens are appended to the cache and attention covers the
    // cached prefix too.
    KVCache* cache = nullptr;
    bool computeLogits = true;
    // Only the last position's logits ([B,1,V]); hidden states are still returned for all positions.
    bool lastLogitsOnly = false;
};

struct ForwardOutput {
    torch::Tensor hidden; // [B,T,H] after the final RMSNorm
    torch::Tensor logits; // [B,T,V] (or [B,1,V]); undefined when computeLogits is false
};

class RMSNormImpl : public torch::nn::Module {
public:
    RMSNormImpl(int64_t size, double eps);
    torch::Tensor forward(const torch::Tensor& x);
    torch::Tensor weight;

private:
    double m_eps;
};
TORCH_MODULE(RMSNorm);

// Precomputed RoPE tables (not parameters; HF's rotary_emb.inv_freq is ignored when loading).
class RotaryEmbedding {
public:
    RotaryEmbedding() = default;
    RotaryEmbedding(int64_t headDim, int64_t maxPositions, double theta);
    // cos/sin for positions [T] or [B,T]: returns tensors broadcastable to [B, heads, T, headDim].
    std::pair<torch::Tensor, torch::Tensor> table(int64_t start, int64_t length, const torch::Tensor& positionIds,
                                                  const torch::Device& device, torch::Dtype dtype);

private:
    void ensure(int64_t positions, const torch::Device& device, torch::Dtype dtype);
    int64_t m_headDim = 0;
    double m_theta = 10000.0;
    torch::Tensor m_cos, m_sin; // [P, headDim]
};

class AttentionImpl : public torch::nn::Module {
public:
    explicit AttentionImpl(const ModelConfig& config);
    // x [B,T,H]; mask additive, broadcastable to [B,1,T,pastLength+T] or undefined (causal only).
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                          const torch::Tensor& additiveMask, KVCache* cache, int64_t layerIndex);
    torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};

private:
    int64_t m_heads, m_kvHeads, m_headDim;
};
TORCH_MODULE(Attention);

class MlpImpl : public torch::nn::Module {
public:
    explicit MlpImpl(const ModelConfig& config);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(Mlp);

class DecoderLayerImpl : public torch::nn::Module {
public:
    DecoderLayerImpl(const ModelConfig& config, int64_t index);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                          const torch::Tensor& additiveMask, KVCache* cache);
    RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
    Attention self_attn{nullptr};
    Mlp mlp{nullptr};

private:
    int64_t m_index;
};
TORCH_MODULE(DecoderLayer);

// The trunk ("model." prefix in HF names).
class LlamaModelImpl : public torch::nn::Module {
public:
    explicit LlamaModelImpl(const ModelConfig& config);
    torch::nn::Embedding embed_tokens{nullptr};
    torch::nn::ModuleList layers{nullptr};
    RMSNorm norm{nullptr};
};
TORCH_MODULE(LlamaModel);

class TransformerImpl : public torch::nn::Module {
public:
    // initialize = false skips the random initialisation (weights about to be loaded).
    explicit TransformerImpl(const ModelConfig& config, bool initialize = true);

    ForwardOutput forward(const torch::Tensor& tokens, const ForwardOptions& options = {});
    // lm_head on hidden states of any leading shape [..., H] -> [..., V] (tied: embed_tokens^T).
    torch::Tensor logits(const torch::Tensor& hidden);

    // A cache for batchSize rows and up to capacity positions, on the model's device and dtype.
    KVCache makeCache(int64_t batchSize, int64_t capacity) const;

    // Grows (or shrinks) the vocabulary; new rows get the mean of the old embedding rows
    // (the usual choice for added special tokens of a pretrained model).
    void resizeTokenEmbeddings(int64_t newVocabSize);
    // Re-initialises all weights (normal(0, initializerRange), norms to 1), seeded by the
    // global torch generator (call torch::manual_seed first for reproducibility).
    void initWeights();

    // HF names -> parameters (lm_head.weight absent when tied).
    std::vector<std::pair<std::string, torch::Tensor>> namedWeights() const;

    const ModelConfig& config() const { return m_config; }
    torch::Device device() const;
    torch::Dtype dtype() const;

    LlamaModel model{nullptr};
    torch::nn::Linear lm_head{nullptr}; // null when tie_word_embeddings

private:
    ModelConfig m_config;
    RotaryEmbedding m_rope;
    torch::Tensor m_causal; // cached additive causal mask [P,P]
};
TORCH_MODULE(Transformer);

} // namespace hw
