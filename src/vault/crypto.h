// The vault's cryptography, over libsodium: XChaCha20-Poly1305 for everything stored, SipHash
// for keyed tags (indexes that must not reveal what they index), random keys and nonces.
// Secret keys are wiped when destroyed. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace custodian::vault {

inline constexpr size_t kKeyBytes = 32;
inline constexpr size_t kNonceBytes = 24;
inline constexpr size_t kTagBytes = 16;  // the AEAD's authentication tag
inline constexpr size_t kShortKeyBytes = 16;

// A 256-bit secret key, wiped on destruction.
class SecretKey {
 public:
  SecretKey() { bytes_.fill(0); }
  ~SecretKey();
  SecretKey(const SecretKey&) = default;
  SecretKey& operator=(const SecretKey&) = default;
  static SecretKey Random();
  static SecretKey FromBytes(std::string_view b);  // exactly kKeyBytes
  const uint8_t* data() const { return bytes_.data(); }
  std::string_view view() const {
    return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
  }

 private:
  std::array<uint8_t, kKeyBytes> bytes_;
};

// A 128-bit key for keyed tags (SipHash), wiped on destruction.
class ShortKey {
 public:
  ShortKey() { bytes_.fill(0); }
  ~ShortKey();
  ShortKey(const ShortKey&) = default;
  ShortKey& operator=(const ShortKey&) = default;
  static ShortKey Random();
  static ShortKey FromBytes(std::string_view b);  // exactly kShortKeyBytes
  const uint8_t* data() const { return bytes_.data(); }
  std::string_view view() const {
    return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
  }

 private:
  std::array<uint8_t, kShortKeyBytes> bytes_;
};

using Nonce = std::array<uint8_t, kNonceBytes>;

void InitCrypto();  // sodium_init; idempotent, called by every entry point below
void RandomBytes(void* out, size_t n);
Nonce RandomNonce();

// Appends nonce-less ciphertext ‖ tag of `plaintext` to `out`.
void SealTo(std::string& out, const SecretKey& key, const Nonce& nonce, std::string_view plaintext,
            std::string_view associated_data);
// Decrypts ciphertext ‖ tag into `out`; false when it was altered, or the key, nonce or
// associated data differ from those it was sealed with.
bool OpenTo(std::string& out, const SecretKey& key, const Nonce& nonce, std::string_view sealed,
            std::string_view associated_data);

// SipHash-2-4 of `data` under `key`: a tag that reveals nothing without the key.
uint64_t Tag64(const ShortKey& key, std::string_view data);
// SipHash-128 (siphashx24), for tags that must not collide across billions of values.
std::array<uint8_t, 16> Tag128(const ShortKey& key, std::string_view data);

// A key for one purpose derived from `master` (libsodium's crypto_kdf, BLAKE2b): `context`
// is exactly 8 characters naming the purpose, e.g. "authtotp".
SecretKey DeriveKey(const SecretKey& master, std::string_view context, uint64_t id = 1);

// Constant-time comparison.
bool EqualSecrets(std::string_view a, std::string_view b);

}  // namespace custodian::vault
