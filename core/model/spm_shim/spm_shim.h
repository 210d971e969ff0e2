#pragma once
// C API of the hw_sentencepiece module (see core/CMakeLists.txt for why it is a separate module).
// All strings are UTF-8; returned buffers are owned by the module and freed with hw_spm_free.
#ifdef __cplusplus
extern "C" {
#endif

typedef struct hw_spm hw_spm;

// Returns 0 on success; on failure *error receives a message (free with hw_spm_free).
int hw_spm_train(const char* args, char** error);
// Trains from in-memory sentences with SentencePiece trainer flags given as n key/value pairs
// (e.g. "vocab_size"/"8000"; no "input"/"model_prefix"). seed feeds SetRandomGeneratorSeed.
// On success *proto receives the serialized model (*proto_size bytes; free with hw_spm_free).
int hw_spm_train_sentences(const char* const* keys, const char* const* values, int n,
                           const char* const* sentences, int sentence_count, unsigned int seed,
                           char** proto, int* proto_size, char** error);
hw_spm* hw_spm_load(const char* model_path, char** error);
hw_spm* hw_spm_load_from_bytes(const char* data, int size, char** error);
void hw_spm_destroy(hw_spm* sp);
int hw_spm_vocab_size(const hw_spm* sp);
int hw_spm_piece_to_id(const hw_spm* sp, const char* piece);
// Special ids of the model (-1 when disabled).
int hw_spm_special_id(const hw_spm* sp, const char* which); // "unk" | "bos" | "eos" | "pad"
// Piece kind: 0 normal or user-defined, 1 unknown, 2 control, 3 unused, 4 byte; -1 out of range.
int hw_spm_piece_kind(const hw_spm* sp, int id);
// Writes the piece into *out (free with hw_spm_free).
void hw_spm_id_to_piece(const hw_spm* sp, int id, char** out);
// Encodes text; *ids receives a malloc'ed array of *n ids (free with hw_spm_free).
int hw_spm_encode(const hw_spm* sp, const char* text, int** ids, int* n, char** error);
int hw_spm_decode(const hw_spm* sp, const int* ids, int n, char** out, char** error);
// Serialized model proto (for saving with a checkpoint).
int hw_spm_serialize(const hw_spm* sp, char** out, int* size);
void hw_spm_free(void* p);

#ifdef __cplusplus
}
#endif
