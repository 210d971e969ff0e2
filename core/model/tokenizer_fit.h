#pragma once
// Whether a tokenizer fits what it is used with: the corpus it was trained on (a vocabulary
// lowered to what a small corpus supports, or raised to hold its characters) and a pretrained
// model it fine-tunes (only the tokenizer a model was trained with fits its embedding).
#include "core/model/tokenizer.h"

#include <cstdint>
#include <string>

namespace hw {

// "N tokens", plus why when the trained vocabulary differs from `requested` (lowered to the
// largest the corpus supports, or raised to hold its characters): what training jobs tell the user.
std::string describeTrainedVocabulary(const Tokenizer& tokenizer, int64_t requested);

// The tokenizer for fine-tuning the model in `modelDir` (train-lm / train --init): token ids are
// rows of its embedding, so only the tokenizer it was trained with fits. That is DIR/tokenizer.model;
// `tokenizerPath` ("" = none) may name the same tokenizer again, or supply it when DIR has none.
// Throws hw::Error naming both files when they differ (size or first differing piece), when DIR
// has no tokenizer and none is given, or when a given one has more pieces than the model has
// embedding rows (`modelVocab`).
Tokenizer tokenizerForFineTuning(const std::string& modelDir, const std::string& tokenizerPath, int64_t modelVocab);

} // namespace hw
