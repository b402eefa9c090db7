#include "core/sha256.h"

#include <sodium.h>

namespace custodian {

Sha256Digest Sha256(std::string_view bytes) {
  Sha256Digest out;
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size());
  return out;
}

static_assert(sizeof(crypto_hash_sha256_state) <= 128);

Sha256Stream::Sha256Stream() {
  crypto_hash_sha256_init(reinterpret_cast<crypto_hash_sha256_state*>(state_));
}

void Sha256Stream::Update(std::string_view bytes) {
  crypto_hash_sha256_update(reinterpret_cast<crypto_hash_sha256_state*>(state_),
                            reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

Sha256Digest Sha256Stream::Finish() {
  Sha256Digest out;
  crypto_hash_sha256_final(reinterpret_cast<crypto_hash_sha256_state*>(state_), out.data());
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  const Sha256Digest d = Sha256(bytes);
  return HexEncode(d.data(), d.size());
}

std::string HexEncode(const uint8_t* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xF];
  }
  return out;
}

}  // namespace custodian
