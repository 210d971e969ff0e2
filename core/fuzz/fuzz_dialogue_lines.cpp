// libFuzzer target: checkDialogueLines (see parser_invariants.h and README.md).
#include "core/fuzz/parser_invariants.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    hw::fuzz::checkDialogueLines(std::string(reinterpret_cast<const char*>(data), size));
    return 0;
}
