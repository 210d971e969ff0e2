// The only file that includes sentencepiece headers. Built as the hw_sentencepiece MODULE.
#include "core/model/spm_shim/spm_shim.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

struct hw_spm {
    sentencepiece::SentencePieceProcessor proc;
};

namespace {
char* dup(const std::string& s)
{
    char* p = static_cast<char*>(std::malloc(s.size() + 1));
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}
void setError(char** error, const std::string& msg)
{
    if (error)
        *error = dup(msg);
}
} // namespace

extern "C" {

int hw_spm_train(const char* args, char** error)
{
    const auto st = sentencepiece::SentencePieceTrainer::Train(args);
    if (!st.ok()) {
        setError(error, st.ToString());
        return 1;
    }
    return 0;
}

namespace {
class VectorIterator : public sentencepiece::SentenceIterator {
public:
    VectorIterator(const char* const* sentences, int count) : m_s(sentences), m_n(count) {}
    bool done() const override { return m_i >= m_n; }
    void Next() override { ++m_i; }
    const std::string& value() const override
    {
        m_value = m_s[m_i];
        return m_value;
    }
    sentencepiece::util::Status status() const override { return sentencepiece::util::Status(); }

private:
    const char* const* m_s;
    int m_n;
    int m_i = 0;
    mutable std::string m_value;
};
} // namespace

int hw_spm_train_sentences(const char* const* keys, const char* const* values, int n,
                           const char* const* sentences, int sentence_count, unsigned int seed,
                           char** proto, int* proto_size, char** error)
{
    std::unordered_map<std::string, std::string> kwargs;
    for (int i = 0; i < n; ++i)
        kwargs[keys[i]] = values[i];
    sentencepiece::SetRandomGeneratorSeed(seed);
    VectorIterator it(sentences, sentence_count);
    std::string model;
    const auto st = sentencepiece::SentencePieceTrainer::Train(kwargs, &it, &model);
    if (!st.ok()) {
        setError(error, st.ToString());
        return 1;
    }
    *proto_size = static_cast<int>(model.size());
    *proto = static_cast<char*>(std::malloc(model.size() + 1));
    std::memcpy(*proto, model.data(), model.size());
    return 0;
}

int hw_spm_special_id(const hw_spm* sp, const char* which)
{
    const std::string w = which;
    if (w == "unk") return sp->proc.unk_id();
    if (w == "bos") return sp->proc.bos_id();
    if (w == "eos") return sp->proc.eos_id();
    if (w == "pad") return sp->proc.pad_id();
    return -1;
}

int hw_spm_piece_kind(const hw_spm* sp, int id)
{
    if (id < 0 || id >= sp->proc.GetPieceSize()) return -1;
    if (sp->proc.IsUnknown(id)) return 1;
    if (sp->proc.IsControl(id)) return 2;
    if (sp->proc.IsUnused(id)) return 3;
    if (sp->proc.IsByte(id)) return 4;
    return 0;
}

hw_spm* hw_spm_load(const char* model_path, char** error)
{
    auto* sp = new hw_spm;
    const auto st = sp->proc.Load(model_path);
    if (!st.ok()) {
        setError(error, st.ToString());
        delete sp;
        return nullptr;
    }
    return sp;
}

hw_spm* hw_spm_load_from_bytes(const char* data, int size, char** error)
{
    auto* sp = new hw_spm;
    const auto st = sp->proc.LoadFromSerializedProto(std::string(data, static_cast<size_t>(size)));
    if (!st.ok()) {
        setError(error, st.ToString());
        delete sp;
        return nullptr;
    }
    return sp;
}

void hw_spm_destroy(hw_spm* sp) { delete sp; }
int hw_spm_vocab_size(const hw_spm* sp) { return sp->proc.GetPieceSize(); }
int hw_spm_piece_to_id(const hw_spm* sp, const char* piece) { return sp->proc.PieceToId(piece); }

void hw_spm_id_to_piece(const hw_spm* sp, int id, char** out) { *out = dup(sp->proc.IdToPiece(id)); }

int hw_spm_encode(const hw_spm* sp, const char* text, int** ids, int* n, char** error)
{
    std::vector<int> v;
    const auto st = sp->proc.Encode(text, &v);
    if (!st.ok()) {
        setError(error, st.ToString());
        return 1;
    }
    *n = static_cast<int>(v.size());
    *ids = static_cast<int*>(std::malloc(sizeof(int) * (v.empty() ? 1 : v.size())));
    std::memcpy(*ids, v.data(), sizeof(int) * v.size());
    return 0;
}

int hw_spm_decode(const hw_spm* sp, const int* ids, int n, char** out, char** error)
{
    std::string s;
    const auto st = sp->proc.Decode(std::vector<int>(ids, ids + n), &s);
    if (!st.ok()) {
        setError(error, st.ToString());
        return 1;
    }
    *out = dup(s);
    return 0;
}

int hw_spm_serialize(const hw_spm* sp, char** out, int* size)
{
    const std::string s = sp->proc.serialized_model_proto();
    *size = static_cast<int>(s.size());
    *out = static_cast<char*>(std::malloc(s.size() + 1));
    std::memcpy(*out, s.data(), s.size());
    return 0;
}

void hw_spm_free(void* p) { std::free(p); }

} // extern "C"
