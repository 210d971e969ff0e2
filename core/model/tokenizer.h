#pragma once
// SentencePiece tokenizer with the dialogue special tokens of this project.
//
// Special tokens (see dialogue_codec.h for how they are used):
//   <pad>   padding (never attended to, never a target)
//   <s>     beginning of a dialogue (SentencePiece BOS)
//   </s>    end of a user turn = end of a *state* (SentencePiece EOS)
//   <a>     reserved (beginning of an action; not emitted by the codec, kept for compatibility)
//   </a>    end of an agent turn = end of an *action*
//   </eod>  end of a finished dialogue
// A tokenizer trained here has them at fixed ids: <pad> 0, <s> 1, </s> 2, <a> 3, </a> 4,
// </eod> 5, <unk> 6 (the ids of the ILQL reference's golden file). A loaded Llama-2 / Mistral /
// TinyLlama tokenizer.model keeps its own ids (<unk> 0, <s> 1, </s> 2) and gets the missing ones
// as *added tokens* after its vocabulary (like transformers' added_tokens), so the model's
// embedding must grow to vocabSize() (Transformer::resizeTokenEmbeddings).
//
// SentencePiece itself is reached through the dlopen'ed hw_sentencepiece module (spm_shim/),
// never linked, because its bundled protobuf clashes with libtorch's.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hw {

struct SpecialTokens {
    int64_t pad = -1;
    int64_t unk = -1;
    int64_t bos = -1;        // <s>
    int64_t endOfState = -1; // </s>
    int64_t beginAction = -1; // <a>
    int64_t endOfAction = -1; // </a>
    int64_t endOfDialogue = -1; // </eod>
};

namespace special {
inline constexpr const char* kPad = "<pad>";
inline constexpr const char* kUnk = "<unk>";
inline constexpr const char* kBos = "<s>";
inline constexpr const char* kEndOfState = "</s>";
inline constexpr const char* kBeginAction = "<a>";
inline constexpr const char* kEndOfAction = "</a>";
inline constexpr const char* kEndOfDialogue = "</eod>";
} // namespace special

struct TokenizerTrainOptions {
    // Raised (to the characters needed + 32) when too small to hold every character the texts
    // use with coverage characterCoverage, plus the byte pieces: tiny models ask for 300-400.
    int vocabSize = 8000;
    bool vocabAutoRaised = false;        // set on the second attempt (internal)
    std::string modelType = "bpe";      // "bpe" | "unigram"
    double characterCoverage = 0.9995;
    bool byteFallback = true;           // unknown characters become byte pieces, never <unk>
    int64_t inputSentenceSize = 2000000; // sentences sampled for training (0 = all)
    uint32_t seed = 0;                  // SentencePiece sampling seed (training is deterministic for a seed)
    int numThreads = 2;
    int maxSentenceLength = 16384;      // bytes; longer lines are skipped by SentencePiece
    std::vector<std::string> extraSymbols; // more user_defined_symbols, after the dialogue ones
    // false: the Llama layout instead (<unk> 0, <s> 1, </s> 2, no <pad>, the other dialogue
    // tokens become added tokens) -- what a pretrained tokenizer.model looks like; for tests.
    bool reserveDialogueTokens = true;
};

class Tokenizer {
public:
    // Trains on the given texts (one utterance per entry; newlines inside are replaced by spaces).
    // Throws hw::Error with SentencePiece's message when training fails (e.g. vocabulary too large
    // for the text).
    static Tokenizer train(const std::vector<std::string>& texts, const TokenizerTrainOptions& options = {});
    // Loads a SentencePiece tokenizer.model (ours or a Llama-family one). A file written by save()
    // beside a tokenizer.model (hw_tokenizer.json) restores the added tokens exactly.
    static Tokenizer load(const std::string& modelPath);
    // From the serialized model proto (the bytes of a tokenizer.model).
    static Tokenizer fromSerialized(const std::string& proto);
    // Loads DIR/tokenizer.model (+ DIR/hw_tokenizer.json when present).
    static Tokenizer loadDirectory(const std::string& dir);

    Tokenizer(Tokenizer&&) noexcept;
    Tokenizer& operator=(Tokenizer&&) noexcept;
    Tokenizer(const Tokenizer&); // shares the (immutable) processor
    Tokenizer& operator=(const Tokenizer&);
    ~Tokenizer();

    // Writes DIR/tokenizer.model and DIR/hw_tokenizer.json (added tokens and special ids).
    void saveDirectory(const std::string& dir) const;
    std::string serialized() const;

    // Plain text to ids: no <s>/</s> added. Special-token strings that are part of the vocabulary
    // ("</a>", ...) map to their single id.
    std::vector<int64_t> encode(const std::string& text) const;
    // Ids to text; special tokens are dropped unless keepSpecial.
    std::string decode(const std::vector<int64_t>& ids, bool keepSpecial = false) const;
    std::string idToPiece(int64_t id) const;
    // -1 when the piece is not in the vocabulary.
    int64_t pieceToId(const std::string& piece) const;
    bool isSpecial(int64_t id) const;

    // Vocabulary size including added tokens (the model's vocab_size must be at least this).
    int64_t vocabSize() const;
    // Size of the SentencePiece vocabulary alone (added tokens start at this id).
    int64_t baseVocabSize() const;
    const SpecialTokens& special() const;
    const std::vector<std::string>& addedTokens() const;

    struct Impl; // opaque (defined in tokenizer.cpp)

private:
    explicit Tokenizer(std::shared_ptr<const Impl> impl);
    std::shared_ptr<const Impl> m_impl;
};

// Path of the hw_sentencepiece module that will be loaded (HW_SPM_SHIM env, else next to the
// executable, else the build-tree path). Throws hw::Error when it cannot be loaded.
std::string sentencepieceModulePath();

} // namespace hw
