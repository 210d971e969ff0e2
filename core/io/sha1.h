#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace hw {

// SHA-1 (FIPS 180-4). Used for stable content ids, not for security.
std::array<uint8_t, 20> sha1(std::string_view data);
std::string sha1Hex(std::string_view data); // 40 lowercase hex digits

} // namespace hw
