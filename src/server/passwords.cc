#include "server/passwords.h"

#include <sodium.h>

#include "server/totp.h"
#include "vault/crypto.h"

namespace custodian::server {

// OWASP's floor for Argon2id is 19 MiB and 2 passes; libsodium's "interactive" limits are
// 64 MiB and 2 passes, about 0.1 s here: a login stays quick, a guess stays expensive.
constexpr unsigned long long kOps = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
constexpr size_t kMem = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;

Result<std::string> HashPassword(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return Status::InvalidArgument("password: at least " + std::to_string(kMinPasswordLength) +
                                   " characters");
  }
  if (password.size() > kMaxPasswordLength) {
    return Status::InvalidArgument("password: at most " + std::to_string(kMaxPasswordLength) +
                                   " bytes");
  }
  if (sodium_init() < 0) return Status::Internal("libsodium did not initialise");
  char out[crypto_pwhash_argon2id_STRBYTES];
  if (crypto_pwhash_argon2id_str(out, password.data(), password.size(), kOps, kMem) != 0) {
    return Status::Internal("password hashing ran out of memory");
  }
  return std::string(out);
}

std::string NewPassword() {
  std::string raw(15, '\0');
  vault::RandomBytes(raw.data(), raw.size());
  return Base32(raw);
}

bool VerifyPassword(std::string_view stored, std::string_view password) {
  if (sodium_init() < 0 || password.size() > kMaxPasswordLength) return false;
  const std::string s(stored);  // NUL-terminated for libsodium
  return crypto_pwhash_argon2id_str_verify(s.c_str(), password.data(), password.size()) == 0;
}

}  // namespace custodian::server
