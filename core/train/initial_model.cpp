#include "core/train/initial_model.h"

#include "core/model/model_io.h"
#include "core/model/tokenizer_fit.h"
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
        const std::string initDir = resolveCheckpointDir(o.init);
        LoadOptions lo;
        lo.device = o.device;
        lo.dtype = torch::kFloat32;
        lo.loadTokenizer = false;
        auto loaded = loadModelDirectory(initDir, lo);
        model = loaded.model;
        // Only the tokenizer the model was trained with fits its embedding (clear error otherwise).
        tokenizer = tokenizerForFineTuning(initDir, o.tokenizerPath, model->config().vocabSize);
        note(o.initNote + o.init + " with its tokenizer (" + std::to_string(tokenizer->vocabSize()) + " tokens)");
    } else if (!o.tokenizerPath.empty()) {
        tokenizer = Tokenizer::load(o.tokenizerPath);
    }
    if (!tokenizer) {
        if (!o.corpus)
            throw Error("no tokenizer: give a tokenizer file or a checkpoint to start from");
        TokenizerTrainOptions to;
        to.vocabSize = static_cast<int>(o.tokenizerVocab);
        to.seed = static_cast<uint32_t>(o.seed);
        tokenizer = Tokenizer::train(o.corpus(), to);
        note("trained a tokenizer: " + describeTrainedVocabulary(*tokenizer, to.vocabSize));
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
