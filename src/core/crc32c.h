// CRC-32C (Castagnoli), for detecting torn and flipped bytes in files custodian writes.
// Not a defence against tampering (that is what the AEAD tags are for). Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace custodian {

uint32_t Crc32c(const void* data, size_t size, uint32_t crc = 0);
// The table-driven computation, which Crc32c uses where the processor has no crc32
// instruction (x86-64 without SSE 4.2, other architectures); for tests.
uint32_t Crc32cPortable(const void* data, size_t size, uint32_t crc = 0);
bool Crc32cInHardware();
inline uint32_t Crc32c(std::string_view s) { return Crc32c(s.data(), s.size()); }

}  // namespace custodian
