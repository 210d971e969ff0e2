#pragma once
// A model directory in the Hugging Face layout, so real Llama-family checkpoints load and ours
// load in transformers:
//   DIR/config.json                      ModelConfig (HF keys)
//   DIR/model.safetensors                weights with HF names (or sharded:
//   DIR/model.safetensors.index.json     {"weight_map": {name: "model-00001-of-00002.safetensors"}})
//   DIR/tokenizer.model [+ hw_tokenizer.json]   Tokenizer::saveDirectory
// Trainer checkpoints (optimizer, scheduler, RNG) add their own files beside these.
#include "core/model/tokenizer.h"
#include "core/model/transformer.h"

#include <optional>
#include <string>

namespace hw {

struct LoadOptions {
    std::string device;                      // "" = defaultDeviceName()
    std::optional<torch::Dtype> dtype;       // default: float32 on CPU, config's dtype on CUDA
    bool loadTokenizer = true;               // false when the directory has none (weights only)
    // Grow the embedding to the tokenizer's vocabulary (added special tokens of a pretrained
    // tokenizer); otherwise a tokenizer larger than the model is an error.
    bool resizeToTokenizer = true;
};

struct LoadedModel {
    ModelConfig config;
    Transformer model{nullptr};
    std::optional<Tokenizer> tokenizer;
};

// Loads config, weights and tokenizer of DIR. Errors name the file (and tensor).
LoadedModel loadModelDirectory(const std::string& dir, const LoadOptions& options = {});

// Checks every expected tensor against the model (names and shapes vs config) and copies it in,
// converting dtype. Missing tensors (except lm_head.weight when tied) and unexpected ones
// (except rotary inv_freq buffers) are errors naming the file and tensor.
void loadWeights(Transformer& model, const std::string& safetensorsPathOrDir);

// Writes DIR/config.json and DIR/model.safetensors (HF names; lm_head omitted when tied)
// and the tokenizer when given. Creates DIR.
void saveModelDirectory(const std::string& dir, const Transformer& model, const Tokenizer* tokenizer,
                        std::optional<torch::Dtype> dtype = std::nullopt);

} // namespace hw
