// The only file that includes sentencepiece headers. Built as the hw_sentencepiece MODULE.
#include "core/model/spm_shim/spm_shim.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstdlib>
#include <cstring>
#include <string>

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
