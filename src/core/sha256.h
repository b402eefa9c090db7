// SHA-256 (libsodium) and lower-case hex. Safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace custodian {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(std::string_view bytes);
std::string Sha256Hex(std::string_view bytes);
std::string HexEncode(const uint8_t* data, size_t size);

}  // namespace custodian
