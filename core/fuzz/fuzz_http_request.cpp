// libFuzzer target: the HTTP server's request framing (see http_request_invariants.h).
//
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -I. core/fuzz/fuzz_http_request.cpp \
//       core/net/request_framing.cpp core/net/chunked_body_decoder.cpp core/net/http_types.cpp \
//       -o fuzz_http_request
//   ./fuzz_http_request -max_len=8192 -max_total_time=60 core/fuzz/corpus/http_request
#include "core/fuzz/http_request_invariants.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    hw::fuzz::checkHttpRequest(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
