// CRC-32C (Castagnoli), for detecting torn and flipped bytes in files custodian writes.
// Not a defence against tampering (that is what the AEAD tags are for). Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace custodian {

uint32_t Crc32c(const void* data, size_t size, uint32_t crc = 0);
inline uint32_t Crc32c(std::string_view s) { return Crc32c(s.data(), s.size()); }

}  // namespace custodian
