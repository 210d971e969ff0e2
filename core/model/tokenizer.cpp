#include "core/model/tokenizer.h"
#include "core/util/build_paths.h"

#include "core/model/spm_shim/spm_shim.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unordered_map>

namespace fs = std::filesystem;

namespace hw {

// ------------------------------------------------------------------------ the dlopen'ed module

namespace {

struct SpmApi {
    decltype(&hw_spm_train_sentences) trainSentences = nullptr;
    decltype(&hw_spm_load) load = nullptr;
    decltype(&hw_spm_load_from_bytes) loadFromBytes = nullptr;
    decltype(&hw_spm_destroy) destroy = nullptr;
    decltype(&hw_spm_vocab_size) vocabSize = nullptr;
    decltype(&hw_spm_piece_to_id) pieceToId = nullptr;
    decltype(&hw_spm_id_to_piece) idToPiece = nullptr;
    decltype(&hw_spm_encode) encode = nullptr;
    decltype(&hw_spm_decode) decode = nullptr;
    decltype(&hw_spm_serialize) serialize = nullptr;
    decltype(&hw_spm_special_id) specialId = nullptr;
    decltype(&hw_spm_piece_kind) pieceKind = nullptr;
    decltype(&hw_spm_free) free = nullptr;
};

std::string executableDir()
{
    std::error_code ec;
    const auto p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : p.parent_path().string();
}

std::vector<std::string> candidatePaths()
{
    std::vector<std::string> out;
    if (const char* env = std::getenv("HW_SPM_SHIM"))
        out.emplace_back(env);
    const std::string exe = executableDir();
    if (!exe.empty()) {
        out.push_back(exe + "/libhw_sentencepiece.so");
        out.push_back(exe + "/../lib/hindsight-workbench/libhw_sentencepiece.so");
        out.push_back(exe + "/../lib/libhw_sentencepiece.so");
        out.push_back(exe + "/../core/libhw_sentencepiece.so"); // build tree: app/ and tests/ beside core/
    }
    if (*hw::buildSpmShimPath())
        out.emplace_back(hw::buildSpmShimPath());
    return out;
}

std::string takeError(char* e)
{
    std::string s = e ? e : "unknown error";
    if (e)
        std::free(e);
    return s;
}

struct Loaded {
    SpmApi api;
    std::string path;
    std::string error;
};

const Loaded& loaded()
{
    static Loaded l = [] {
        Loaded r;
        std::string tried;
        for (const auto& p : candidatePaths()) {
            if (!fs::exists(p)) {
                tried += "\n  " + p + " (absent)";
                continue;
            }
            // RTLD_DEEPBIND: the module's sentencepiece resolves against its own protobuf copy,
            // not libtorch's, which is already loaded in this process.
            void* h = dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
            if (!h) {
                tried += "\n  " + p + " (" + dlerror() + ")";
                continue;
            }
            auto sym = [&](const char* name) {
                void* s = dlsym(h, name);
                if (!s)
                    throw Error(p + ": symbol " + name + " missing (stale hw_sentencepiece module?)");
                return s;
            };
            try {
                r.api.trainSentences = reinterpret_cast<decltype(r.api.trainSentences)>(sym("hw_spm_train_sentences"));
                r.api.load = reinterpret_cast<decltype(r.api.load)>(sym("hw_spm_load"));
                r.api.loadFromBytes = reinterpret_cast<decltype(r.api.loadFromBytes)>(sym("hw_spm_load_from_bytes"));
                r.api.destroy = reinterpret_cast<decltype(r.api.destroy)>(sym("hw_spm_destroy"));
                r.api.vocabSize = reinterpret_cast<decltype(r.api.vocabSize)>(sym("hw_spm_vocab_size"));
                r.api.pieceToId = reinterpret_cast<decltype(r.api.pieceToId)>(sym("hw_spm_piece_to_id"));
                r.api.idToPiece = reinterpret_cast<decltype(r.api.idToPiece)>(sym("hw_spm_id_to_piece"));
                r.api.encode = reinterpret_cast<decltype(r.api.encode)>(sym("hw_spm_encode"));
                r.api.decode = reinterpret_cast<decltype(r.api.decode)>(sym("hw_spm_decode"));
                r.api.serialize = reinterpret_cast<decltype(r.api.serialize)>(sym("hw_spm_serialize"));
                r.api.specialId = reinterpret_cast<decltype(r.api.specialId)>(sym("hw_spm_special_id"));
                r.api.pieceKind = reinterpret_cast<decltype(r.api.pieceKind)>(sym("hw_spm_piece_kind"));
                r.api.free = reinterpret_cast<decltype(r.api.free)>(sym("hw_spm_free"));
            } catch (const Error& e) {
                tried += "\n  " + std::string(e.what());
                continue;
            }
            r.path = p;
            return r;
        }
        r.error = "cannot load the SentencePiece module (libhw_sentencepiece.so); set HW_SPM_SHIM to its path. Tried:" + tried;
        return r;
    }();
    return l;
}

const SpmApi& api()
{
    const auto& l = loaded();
    if (l.path.empty())
        throw Error(l.error);
    return l.api;
}

} // namespace

std::string sentencepieceModulePath()
{
    api();
    return loaded().path;
}

// ------------------------------------------------------------------------------------ Impl

struct Tokenizer::Impl {
    hw_spm* sp = nullptr;
    int64_t baseVocab = 0;
    std::vector<std::string> added;
    std::unordered_map<std::string, int64_t> addedIds;
    SpecialTokens special;
    std::vector<char> specialFlag;

    ~Impl()
    {
        if (sp)
            api().destroy(sp);
    }

    std::string piece(int64_t id) const
    {
        if (id >= baseVocab && id < baseVocab + int64_t(added.size()))
            return added[size_t(id - baseVocab)];
        if (id < 0 || id >= baseVocab)
            return std::string();
        char* out = nullptr;
        api().idToPiece(sp, int(id), &out);
        std::string s = out ? out : "";
        api().free(out);
        return s;
    }

    int64_t find(const std::string& p) const
    {
        const auto it = addedIds.find(p);
        if (it != addedIds.end())
            return it->second;
        const int id = api().pieceToId(sp, p.c_str());
        // PieceToId answers <unk>'s id for unknown pieces.
        return piece(id) == p ? id : -1;
    }

    std::vector<int64_t> encodePlain(const std::string& text) const
    {
        if (text.empty())
            return {};
        int* ids = nullptr;
        int n = 0;
        char* err = nullptr;
        if (api().encode(sp, text.c_str(), &ids, &n, &err) != 0)
            throw Error("tokenizer: encode failed: " + takeError(err));
        std::vector<int64_t> out(ids, ids + n);
        api().free(ids);
        return out;
    }

    std::string decodePlain(const std::vector<int64_t>& ids) const
    {
        if (ids.empty())
            return {};
        std::vector<int> v(ids.begin(), ids.end());
        char* out = nullptr;
        char* err = nullptr;
        if (api().decode(sp, v.data(), int(v.size()), &out, &err) != 0)
            throw Error("tokenizer: decode failed: " + takeError(err));
        std::string s = out ? out : "";
        api().free(out);
        return s;
    }
};

// Resolves the dialogue tokens of a loaded model; missing ones become added tokens (in the
// fixed order below, so the same tokenizer.model always gets the same ids).
static std::shared_ptr<Tokenizer::Impl> makeImpl(hw_spm* sp, const std::vector<std::string>* savedAdded)
{
    auto impl = std::make_shared<Tokenizer::Impl>();
    impl->sp = sp;
    impl->baseVocab = api().vocabSize(sp);
    auto addToken = [&](const std::string& p) {
        const int64_t id = impl->baseVocab + int64_t(impl->added.size());
        impl->added.push_back(p);
        impl->addedIds[p] = id;
        return id;
    };
    if (savedAdded)
        for (const auto& p : *savedAdded)
            addToken(p);
    auto resolve = [&](const char* p) {
        const int64_t id = impl->find(p);
        return id >= 0 ? id : addToken(p);
    };
    SpecialTokens& s = impl->special;
    s.unk = api().specialId(sp, "unk");
    const int bos = api().specialId(sp, "bos");
    const int eos = api().specialId(sp, "eos");
    s.bos = bos >= 0 && impl->piece(bos) == special::kBos ? bos : resolve(special::kBos);
    s.endOfState = eos >= 0 && impl->piece(eos) == special::kEndOfState ? eos : resolve(special::kEndOfState);
    s.beginAction = resolve(special::kBeginAction);
    s.endOfAction = resolve(special::kEndOfAction);
    s.endOfDialogue = resolve(special::kEndOfDialogue);
    const int pad = api().specialId(sp, "pad");
    if (pad >= 0)
        s.pad = pad;
    else if (impl->find(special::kPad) >= 0)
        s.pad = impl->find(special::kPad);
    else
        s.pad = s.unk >= 0 ? s.unk : 0; // Llama-family: no pad token; padding is masked anyway

    const int64_t total = impl->baseVocab + int64_t(impl->added.size());
    impl->specialFlag.assign(size_t(total), 0);
    for (int64_t id : {s.pad, s.bos, s.endOfState, s.beginAction, s.endOfAction, s.endOfDialogue})
        if (id >= 0 && id < total)
            impl->specialFlag[size_t(id)] = 1;
    for (int64_t id = 0; id < impl->baseVocab; ++id) {
        const int kind = api().pieceKind(sp, int(id));
        if (kind == 2 || kind == 3)
            impl->specialFlag[size_t(id)] = 1;
    }
    for (int64_t id = impl->baseVocab; id < total; ++id)
        impl->specialFlag[size_t(id)] = 1;
    return impl;
}

// ------------------------------------------------------------------------------------ Tokenizer

Tokenizer::Tokenizer(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::Tokenizer(const Tokenizer&) = default;
Tokenizer& Tokenizer::operator=(const Tokenizer&) = default;
Tokenizer::~Tokenizer() = default;

namespace {
// One SentencePiece training; `lowered`: the vocabulary was already lowered once to what the
// texts support (retried at most once each way).
Tokenizer trainOnce(const std::vector<std::string>& texts, const TokenizerTrainOptions& o, bool lowered)
{
    if (texts.empty())
        throw Error("tokenizer: no text to train on");
    std::vector<std::string> lines;
    lines.reserve(texts.size());
    for (auto t : texts) {
        std::replace(t.begin(), t.end(), '\n', ' ');
        std::replace(t.begin(), t.end(), '\r', ' ');
        if (!t.empty())
            lines.push_back(std::move(t));
    }
    if (lines.empty())
        throw Error("tokenizer: no text to train on (all entries empty)");
    std::vector<const char*> sentences;
    for (const auto& l : lines)
        sentences.push_back(l.c_str());

    std::string userSymbols;
    if (o.reserveDialogueTokens)
        userSymbols = std::string(special::kBeginAction) + "," + special::kEndOfAction + "," + special::kEndOfDialogue;
    for (const auto& e : o.extraSymbols) {
        if (e.find(',') != std::string::npos)
            throw Error("tokenizer: extra symbol '" + e + "' contains a comma");
        userSymbols += (userSymbols.empty() ? "" : ",") + e;
    }
    std::vector<std::pair<std::string, std::string>> kw = {
        {"model_type", o.modelType},
        {"vocab_size", std::to_string(o.vocabSize)},
        {"character_coverage", std::to_string(o.characterCoverage)},
        {"byte_fallback", o.byteFallback ? "true" : "false"},
        {"bos_id", "1"}, {"eos_id", "2"},
        {"bos_piece", special::kBos}, {"eos_piece", special::kEndOfState}, {"unk_piece", special::kUnk},
        {"input_sentence_size", std::to_string(o.inputSentenceSize)},
        {"shuffle_input_sentence", "true"},
        {"num_threads", std::to_string(std::max(1, o.numThreads))},
        {"max_sentence_length", std::to_string(o.maxSentenceLength)},
        {"split_digits", "true"},
        {"minloglevel", "2"},
    };
    if (o.reserveDialogueTokens) {
        // Fixed ids <pad> 0, <s> 1, </s> 2; the user-defined symbols fill 3.. in order, and
        // <unk> follows them: the ids of the ILQL reference's golden file.
        kw.push_back({"pad_id", "0"});
        kw.push_back({"pad_piece", special::kPad});
        kw.push_back({"unk_id", std::to_string(3 + 3 + int(o.extraSymbols.size()))});
    } else {
        kw.push_back({"pad_id", "-1"});
        kw.push_back({"unk_id", "0"});
    }
    if (!userSymbols.empty())
        kw.push_back({"user_defined_symbols", userSymbols});
    std::vector<const char*> keys, values;
    for (const auto& [k, v] : kw) {
        keys.push_back(k.c_str());
        values.push_back(v.c_str());
    }
    char* proto = nullptr;
    int protoSize = 0;
    char* err = nullptr;
    if (api().trainSentences(keys.data(), values.data(), int(keys.size()), sentences.data(), int(sentences.size()),
                             o.seed, &proto, &protoSize, &err) != 0) {
        const std::string message = takeError(err);
        // A small vocabulary (tiny models) cannot hold every character the texts use plus the
        // 256 byte pieces: SentencePiece says "Vocabulary size is smaller than required_chars.
        // V vs N". Train once more with room for them instead of failing the run.
        const auto at = message.find("smaller than required_chars");
        if (at != std::string::npos && !o.vocabAutoRaised) {
            const auto vs = message.find(" vs ", at);
            const long long needed = vs == std::string::npos ? 0 : std::atoll(message.c_str() + vs + 4);
            if (needed > o.vocabSize) {
                TokenizerTrainOptions raised = o;
                raised.vocabSize = int(needed) + 32;
                raised.vocabAutoRaised = true;
                return trainOnce(texts, raised, lowered);
            }
        }
        // A small corpus (a few dozen dialogues) has fewer distinct pieces than the vocabulary
        // asked for: SentencePiece says "Vocabulary size too high (V). Please set it to a value
        // <= N." Train with the largest vocabulary it supports; the caller can tell from
        // baseVocabSize() (describeTrainedVocabulary in tokenizer_fit.h says so).
        const auto high = message.find("Vocabulary size too high");
        if (high != std::string::npos && !lowered) {
            const auto le = message.find("<= ", high);
            const long long supported = le == std::string::npos ? 0 : std::atoll(message.c_str() + le + 3);
            if (supported > 0 && supported < o.vocabSize) {
                TokenizerTrainOptions fewer = o;
                fewer.vocabSize = int(supported);
                return trainOnce(texts, fewer, /*lowered=*/true);
            }
        }
        throw Error("tokenizer: SentencePiece training failed: " + message);
    }
    std::string bytes(proto, size_t(protoSize));
    api().free(proto);
    return Tokenizer::fromSerialized(bytes);
}
} // namespace

Tokenizer Tokenizer::train(const std::vector<std::string>& texts, const TokenizerTrainOptions& o)
{
    return trainOnce(texts, o, false);
}

Tokenizer Tokenizer::fromSerialized(const std::string& proto)
{
    char* err = nullptr;
    hw_spm* sp = api().loadFromBytes(proto.data(), int(proto.size()), &err);
    if (!sp)
        throw Error("tokenizer: not a SentencePiece model: " + takeError(err));
    return Tokenizer(makeImpl(sp, nullptr));
}

namespace {
std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot open");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
} // namespace

Tokenizer Tokenizer::load(const std::string& modelPath)
{
    const std::string bytes = readFile(modelPath);
    char* err = nullptr;
    hw_spm* sp = api().loadFromBytes(bytes.data(), int(bytes.size()), &err);
    if (!sp)
        throw Error(modelPath + ": not a SentencePiece tokenizer.model: " + takeError(err));
    const fs::path side = fs::path(modelPath).parent_path() / "hw_tokenizer.json";
    std::vector<std::string> added;
    bool haveSaved = false;
    if (fs::exists(side)) {
        try {
            const auto j = nlohmann::json::parse(readFile(side.string()));
            added = j.value("added_tokens", std::vector<std::string>{});
            haveSaved = true;
        } catch (const std::exception& e) {
            api().destroy(sp);
            throw Error(side.string() + ": " + e.what());
        }
    }
    return Tokenizer(makeImpl(sp, haveSaved ? &added : nullptr));
}

Tokenizer Tokenizer::loadDirectory(const std::string& dir)
{
    return load((fs::path(dir) / "tokenizer.model").string());
}

void Tokenizer::saveDirectory(const std::string& dir) const
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw Error(dir + ": cannot create directory: " + ec.message());
    const std::string modelPath = (fs::path(dir) / "tokenizer.model").string();
    {
        std::ofstream out(modelPath, std::ios::binary | std::ios::trunc);
        const std::string bytes = serialized();
        out.write(bytes.data(), std::streamsize(bytes.size()));
        if (!out)
            throw Error(modelPath + ": write failed");
    }
    const auto& s = special();
    nlohmann::json j = {
        {"added_tokens", m_impl->added},
        {"base_vocab_size", m_impl->baseVocab},
        {"vocab_size", vocabSize()},
        {"special_ids", {{"pad", s.pad}, {"unk", s.unk}, {"bos", s.bos}, {"end_of_state", s.endOfState},
                         {"begin_action", s.beginAction}, {"end_of_action", s.endOfAction},
                         {"end_of_dialogue", s.endOfDialogue}}},
    };
    const std::string sidePath = (fs::path(dir) / "hw_tokenizer.json").string();
    std::ofstream out(sidePath, std::ios::trunc);
    out << j.dump(2) << "\n";
    if (!out)
        throw Error(sidePath + ": write failed");
}

std::string Tokenizer::serialized() const
{
    char* out = nullptr;
    int size = 0;
    api().serialize(m_impl->sp, &out, &size);
    std::string s(out, size_t(size));
    api().free(out);
    return s;
}

std::vector<int64_t> Tokenizer::encode(const std::string& text) const
{
    const auto& impl = *m_impl;
    if (impl.added.empty())
        return impl.encodePlain(text);
    // Split on added tokens (longest match first), like transformers' added_tokens.
    std::vector<int64_t> out;
    size_t start = 0, i = 0;
    while (i < text.size()) {
        size_t bestLen = 0;
        int64_t bestId = -1;
        if (text[i] == '<')
            for (size_t k = 0; k < impl.added.size(); ++k) {
                const auto& a = impl.added[k];
                if (a.size() > bestLen && text.compare(i, a.size(), a) == 0) {
                    bestLen = a.size();
                    bestId = impl.baseVocab + int64_t(k);
                }
            }
        if (bestId < 0) {
            ++i;
            continue;
        }
        const auto seg = impl.encodePlain(text.substr(start, i - start));
        out.insert(out.end(), seg.begin(), seg.end());
        out.push_back(bestId);
        i += bestLen;
        start = i;
    }
    const auto seg = impl.encodePlain(text.substr(start));
    out.insert(out.end(), seg.begin(), seg.end());
    return out;
}

std::string Tokenizer::decode(const std::vector<int64_t>& ids, bool keepSpecial) const
{
    const auto& impl = *m_impl;
    std::string out;
    std::vector<int64_t> run;
    auto flush = [&] {
        out += impl.decodePlain(run);
        run.clear();
    };
    for (int64_t id : ids) {
        if (id < 0 || id >= vocabSize())
            throw Error("tokenizer: id " + std::to_string(id) + " outside the vocabulary (" + std::to_string(vocabSize()) + ")");
        if (isSpecial(id)) {
            if (keepSpecial) {
                flush();
                out += impl.piece(id);
            }
            continue;
        }
        run.push_back(id);
    }
    flush();
    return out;
}

std::string Tokenizer::idToPiece(int64_t id) const { return m_impl->piece(id); }
int64_t Tokenizer::pieceToId(const std::string& piece) const { return m_impl->find(piece); }
bool Tokenizer::isSpecial(int64_t id) const
{
    return id >= 0 && id < int64_t(m_impl->specialFlag.size()) && m_impl->specialFlag[size_t(id)];
}
int64_t Tokenizer::vocabSize() const { return m_impl->baseVocab + int64_t(m_impl->added.size()); }
int64_t Tokenizer::baseVocabSize() const { return m_impl->baseVocab; }
const SpecialTokens& Tokenizer::special() const { return m_impl->special; }
const std::vector<std::string>& Tokenizer::addedTokens() const { return m_impl->added; }

} // namespace hw
