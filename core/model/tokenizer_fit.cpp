#include "core/model/tokenizer_fit.h"

#include "core/util/error.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace hw {

std::string describeTrainedVocabulary(const Tokenizer& tokenizer, int64_t requested)
{
    const int64_t got = tokenizer.baseVocabSize();
    std::string s = std::to_string(tokenizer.vocabSize()) + " tokens";
    if (got < requested)
        s += " (the largest vocabulary this corpus supports; " + std::to_string(requested) + " asked for)";
    else if (got > requested)
        s += " (raised from " + std::to_string(requested) + " to hold every character of the corpus)";
    return s;
}

namespace {
// "" when a and b are the same tokenizer, else what differs first.
std::string tokenizerDifference(const Tokenizer& a, const Tokenizer& b)
{
    if (a.serialized() == b.serialized() && a.addedTokens() == b.addedTokens())
        return {};
    if (a.vocabSize() != b.vocabSize())
        return std::to_string(a.vocabSize()) + " vs " + std::to_string(b.vocabSize()) + " tokens";
    for (int64_t id = 0; id < a.vocabSize(); ++id)
        if (a.idToPiece(id) != b.idToPiece(id))
            return "id " + std::to_string(id) + " is '" + a.idToPiece(id) + "' vs '" + b.idToPiece(id) + "'";
    return "same pieces, other SentencePiece settings";
}
} // namespace

Tokenizer tokenizerForFineTuning(const std::string& modelDir, const std::string& tokenizerPath, int64_t modelVocab)
{
    const fs::path own = fs::path(modelDir) / "tokenizer.model";
    const bool hasOwn = fs::exists(own);
    if (!hasOwn && tokenizerPath.empty())
        throw Error(modelDir + ": no tokenizer.model beside the weights; give the tokenizer this model was "
                    "trained with (--tokenizer FILE): a newly trained one would give its ids other meanings");
    if (hasOwn) {
        Tokenizer mine = Tokenizer::load(own.string());
        if (!tokenizerPath.empty() && fs::weakly_canonical(tokenizerPath) != fs::weakly_canonical(own)) {
            const std::string diff = tokenizerDifference(Tokenizer::load(tokenizerPath), mine);
            if (!diff.empty())
                throw Error(tokenizerPath + " is not the tokenizer " + modelDir + " was trained with (" + own.string()
                            + "): " + diff + ". Fine-tuning keeps the pretrained model's tokenizer: leave out --tokenizer");
        }
        return mine;
    }
    Tokenizer given = Tokenizer::load(tokenizerPath);
    if (given.baseVocabSize() > modelVocab)
        throw Error(tokenizerPath + " has " + std::to_string(given.baseVocabSize()) + " pieces but " + modelDir
                    + " has " + std::to_string(modelVocab)
                    + " embedding rows: it is not the tokenizer this model was trained with");
    return given;
}

} // namespace hw
