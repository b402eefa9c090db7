#include "vault/crypto.h"

#include <sodium.h>

#include <algorithm>
#include <cassert>
#include <stdexcept>

namespace custodian::vault {

void InitCrypto() {
  static const int ok = sodium_init();
  if (ok < 0) throw std::runtime_error("libsodium failed to initialize");
}

SecretKey::~SecretKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

SecretKey SecretKey::Random() {
  SecretKey k;
  RandomBytes(k.bytes_.data(), k.bytes_.size());
  return k;
}

SecretKey SecretKey::FromBytes(std::string_view b) {
  assert(b.size() == kKeyBytes);
  SecretKey k;
  std::copy(b.begin(), b.end(), k.bytes_.begin());
  return k;
}

ShortKey::~ShortKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

ShortKey ShortKey::Random() {
  ShortKey k;
  RandomBytes(k.bytes_.data(), k.bytes_.size());
  return k;
}

ShortKey ShortKey::FromBytes(std::string_view b) {
  assert(b.size() == kShortKeyBytes);
  ShortKey k;
  std::copy(b.begin(), b.end(), k.bytes_.begin());
  return k;
}

void RandomBytes(void* out, size_t n) {
  InitCrypto();
  randombytes_buf(out, n);
}

Nonce RandomNonce() {
  Nonce n;
  RandomBytes(n.data(), n.size());
  return n;
}

void SealTo(std::string& out, const SecretKey& key, const Nonce& nonce, std::string_view plaintext,
            std::string_view associated_data) {
  InitCrypto();
  const size_t start = out.size();
  out.resize(start + plaintext.size() + kTagBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(out.data() + start), &written,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(associated_data.data()), associated_data.size(),
      nullptr, nonce.data(), key.data());
  out.resize(start + written);
}

bool OpenTo(std::string& out, const SecretKey& key, const Nonce& nonce, std::string_view sealed,
            std::string_view associated_data) {
  InitCrypto();
  if (sealed.size() < kTagBytes) return false;
  out.resize(sealed.size() - kTagBytes);
  unsigned long long written = 0;
  const int r = crypto_aead_xchacha20poly1305_ietf_decrypt(
      reinterpret_cast<unsigned char*>(out.data()), &written, nullptr,
      reinterpret_cast<const unsigned char*>(sealed.data()), sealed.size(),
      reinterpret_cast<const unsigned char*>(associated_data.data()), associated_data.size(),
      nonce.data(), key.data());
  if (r != 0) {
    out.clear();
    return false;
  }
  out.resize(written);
  return true;
}

uint64_t Tag64(const ShortKey& key, std::string_view data) {
  InitCrypto();
  unsigned char h[crypto_shorthash_siphash24_BYTES];
  crypto_shorthash_siphash24(h, reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                             key.data());
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(h[i]) << (8 * i);
  return v;
}

std::array<uint8_t, 16> Tag128(const ShortKey& key, std::string_view data) {
  InitCrypto();
  std::array<uint8_t, 16> h;
  crypto_shorthash_siphashx24(h.data(), reinterpret_cast<const unsigned char*>(data.data()),
                              data.size(), key.data());
  return h;
}

bool EqualSecrets(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

SecretKey DeriveKey(const SecretKey& master, std::string_view context, uint64_t id) {
  InitCrypto();
  static_assert(crypto_kdf_KEYBYTES == kKeyBytes);
  char ctx[crypto_kdf_CONTEXTBYTES + 1] = {};
  std::copy_n(context.data(), std::min(context.size(), size_t{crypto_kdf_CONTEXTBYTES}), ctx);
  std::string out(kKeyBytes, '\0');
  crypto_kdf_derive_from_key(reinterpret_cast<unsigned char*>(out.data()), out.size(), id, ctx,
                             master.data());
  SecretKey key = SecretKey::FromBytes(out);
  sodium_memzero(out.data(), out.size());
  return key;
}

}  // namespace custodian::vault
