#pragma once
// The tokenizer and starting model of a new training run, for every trainer job (LM roles,
// reward model, SFT/RFT/ILQL agents): a checkpoint to start from (with its tokenizer), an
// explicit tokenizer file, or a tokenizer trained on the run's corpus; then a fresh model sized
// for it, or the loaded one with its embeddings grown to the tokenizer when needed.
#include "core/model/tokenizer.h"
#include "core/model/transformer.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hw {

struct InitialModelOptions {
    std::string init;                 // checkpoint or run folder to start from; "" = a fresh model
    std::string device;
    std::string tokenizerPath;        // an existing tokenizer.model; "" = the init's, else trained
    int64_t tokenizerVocab = 0;       // when one is trained
    uint64_t seed = 0;
    // The texts a tokenizer is trained on (called only when one must be trained).
    std::function<std::vector<std::string>()> corpus;
    // A fresh model for a vocabulary size (called only without `init`).
    std::function<Transformer(int64_t vocabSize)> freshModel;
    std::string initNote = "starting from "; // note prefix for `init`
    std::function<void(const std::string&)> note; // one-line notes for the user (may be empty)
};

struct InitialModel {
    Transformer model{nullptr};
    Tokenizer tokenizer;
};

// Throws hw::Error (unreadable checkpoint or tokenizer).
InitialModel initialModel(const InitialModelOptions& options);

} // namespace hw
