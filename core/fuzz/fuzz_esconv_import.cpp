// libFuzzer target: the ESConv importer (readEsconvFile; both layouts, detected from the content),
// checked with importer_invariants.h. The first input byte picks the file name, which sets the
// split and the "failed" flag. Seeds: corpus/esconv_import.
#include "core/fuzz/importer_invariants.h"
#include "core/io/esconv_import.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const char* const kNames[] = {"train.json", "valid.json", "test.json", "ESConv.json", "FailedESConv.json"};
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    const std::string name = kNames[size == 0 ? 0 : data[0] % 5];
    const std::string path = hw::fuzz::writeInput(name, size == 0 ? bytes : bytes.substr(1));
    hw::fuzz::checkImport({path}, "esconv", [&] { return hw::readEsconvFile(path); });
    return 0;
}
