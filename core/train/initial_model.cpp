#include "core/train/initial_model.h"

#include "core/model/model_io.h"
#include "core/train/checkpoint.h"
#include "core/util/error.h"

#include <optional>

namespace hw {

InitialModel initialModel(const InitialModelOptions& o)
{
    auto note = [&](const std::string& line) {
        if (o.note)
            o.note(line);
    };
    std::optional<Tokenizer> tokenizer;
    Transformer model{nullptr};
    if (!o.init.empty()) {
        LoadOptions lo;
        lo.device = o.device;
        lo.dtype = torch::kFloat32;
        lo.loadTokenizer = o.tokenizerPath.empty();
        auto loaded = loadModelDirectory(resolveCheckpointDir(o.init), lo);
        model = loaded.model;
        if (loaded.tokenizer)
            tokenizer = std::move(*loaded.tokenizer);
        note(o.initNote + o.init);
    }
    if (!o.tokenizerPath.empty())
        tokenizer = Tokenizer::load(o.tokenizerPath);
    if (!tokenizer) {
        if (!o.corpus)
            throw Error("no tokenizer: give a tokenizer file or a checkpoint to start from");
        TokenizerTrainOptions to;
        to.vocabSize = static_cast<int>(o.tokenizerVocab);
        to.seed = static_cast<uint32_t>(o.seed);
        tokenizer = Tokenizer::train(o.corpus(), to);
        note("trained a tokenizer: " + std::to_string(tokenizer->vocabSize()) + " tokens");
    }
    if (!model) {
        if (!o.freshModel)
            throw Error("no model to start from");
        model = o.freshModel(tokenizer->vocabSize());
    } else if (tokenizer->vocabSize() > model->config().vocabSize) {
        model->resizeTokenEmbeddings(tokenizer->vocabSize());
    }
    return InitialModel{model, std::move(*tokenizer)};
}

} // namespace hw
