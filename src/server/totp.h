// Time-based one-time passwords (RFC 6238) as the staff's second factor: HMAC-SHA256 (RFC
// 6238 allows SHA-1, SHA-256 and SHA-512; libsodium has the SHA-2 ones), 30-second steps,
// 6 digits. Apps are configured by an otpauth:// URI that names the algorithm.
// Pure functions: safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"

namespace custodian::server {

inline constexpr int64_t kTotpStepSeconds = 30;
inline constexpr size_t kTotpSecretBytes = 32;

// A new random secret.
std::string NewTotpSecret();
// The code for time step `step` (seconds since the epoch / 30), `digits` long.
std::string TotpCode(std::string_view secret, int64_t step, int digits = 6);
// The step of `code` at `now`, allowing one step of clock skew either way; nullopt when the
// code matches none, or only a step at or before `last_used_step` (a code works once).
std::optional<int64_t> VerifyTotp(std::string_view secret, std::string_view code, Timestamp now,
                                  std::optional<int64_t> last_used_step);
// RFC 4648 base32 without padding, as authenticator apps take secrets.
std::string Base32(std::string_view bytes);
// otpauth://totp/custodian:NAME?secret=…&issuer=custodian&algorithm=SHA256&digits=6&period=30
std::string OtpauthUri(std::string_view user, std::string_view secret);

}  // namespace custodian::server
