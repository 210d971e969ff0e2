// libFuzzer target: the chat-layout JSONL importer (readChatJsonl), checked with
// importer_invariants.h. Seeds: corpus/jsonl_import.
#include "core/fuzz/importer_invariants.h"
#include "core/io/jsonl_import.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string path = hw::fuzz::writeInput("input.jsonl", std::string(reinterpret_cast<const char*>(data), size));
    hw::fuzz::checkImport({path}, "jsonl", [&] { return hw::readChatJsonl(path, "counseling"); });
    return 0;
}
