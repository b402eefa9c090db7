// SHA-256 (libsodium) and lower-case hex. Safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace custodian {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(std::string_view bytes);

// SHA-256 of bytes that come in pieces (a file being written, a zip entry being read).
class Sha256Stream {
 public:
  Sha256Stream();
  void Update(std::string_view bytes);
  Sha256Digest Finish();  // once

 private:
  alignas(16) unsigned char state_[128];  // libsodium's crypto_hash_sha256_state (104 bytes)
};
std::string Sha256Hex(std::string_view bytes);
std::string HexEncode(const uint8_t* data, size_t size);

}  // namespace custodian
