// Staff passwords: Argon2id (libsodium's crypto_pwhash_argon2id_str: salt and parameters are
// in the stored string). Safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace custodian::server {

inline constexpr size_t kMinPasswordLength = 12;
inline constexpr size_t kMaxPasswordLength = 1024;

// The stored form of `password`; InvalidArgument when it is shorter than kMinPasswordLength
// or longer than kMaxPasswordLength bytes.
Result<std::string> HashPassword(std::string_view password);

// A new random password, for a user an admin adds (told once, to be changed): 120 bits as
// 24 base32 letters and digits.
std::string NewPassword();

// True when `password` matches `stored` (constant time in the password).
bool VerifyPassword(std::string_view stored, std::string_view password);

}  // namespace custodian::server
