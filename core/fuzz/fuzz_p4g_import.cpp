// libFuzzer target: the PersuasionForGood importer (readP4g on full_dialog.csv + full_info.csv),
// checked with importer_invariants.h. One input holds both files: the dialogue CSV, then a line
// "@@full_info.csv", then the info CSV. Seeds: corpus/p4g_import.
#include "core/fuzz/importer_invariants.h"
#include "core/io/p4g_import.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const std::string kSeparator = "\n@@full_info.csv\n";
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    const size_t cut = bytes.find(kSeparator);
    hw::P4gFiles files;
    files.dialog = hw::fuzz::writeInput("full_dialog.csv", bytes.substr(0, cut));
    files.info = hw::fuzz::writeInput("full_info.csv",
                                      cut == std::string::npos ? std::string() : bytes.substr(cut + kSeparator.size()));
    hw::fuzz::checkImport({files.dialog, files.info}, "p4g", [&] { return hw::readP4g(files); });
    return 0;
}
