#pragma once
// SHA-256 (FIPS 180-4), for cache keys and prompt fingerprints. Not for secrets.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace hw {

class Sha256 {
public:
    Sha256();
    void update(std::string_view data);
    std::array<uint8_t, 32> digest();   // finalises; the object must not be updated afterwards
    std::string hexDigest();            // 64 lowercase hex characters

private:
    void block(const uint8_t* p);
    uint32_t m_h[8];
    uint8_t m_buf[64];
    size_t m_bufLen = 0;
    uint64_t m_total = 0;
};

std::string sha256Hex(std::string_view data);

} // namespace hw
