#include "server/totp.h"

#include <sodium.h>

#include <cctype>
#include <cstdio>

namespace custodian::server {

std::string NewTotpSecret() {
  if (sodium_init() < 0) return {};
  std::string s(kTotpSecretBytes, '\0');
  randombytes_buf(s.data(), s.size());
  return s;
}

std::string TotpCode(std::string_view secret, int64_t step, int digits) {
  unsigned char counter[8];
  for (int i = 7; i >= 0; --i, step >>= 8) counter[i] = static_cast<unsigned char>(step & 0xff);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, counter, sizeof counter);
  crypto_auth_hmacsha256_final(&state, mac);
  // RFC 4226, 5.3: dynamic truncation.
  const int offset = mac[sizeof mac - 1] & 0x0f;
  const uint32_t binary = (uint32_t{mac[offset]} & 0x7f) << 24 | uint32_t{mac[offset + 1]} << 16 |
                          uint32_t{mac[offset + 2]} << 8 | uint32_t{mac[offset + 3]};
  uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  char out[16];
  std::snprintf(out, sizeof out, "%0*u", digits, binary % modulus);
  return out;
}

std::optional<int64_t> VerifyTotp(std::string_view secret, std::string_view code, Timestamp now,
                                  std::optional<int64_t> last_used_step) {
  if (code.size() != 6) return std::nullopt;
  const int64_t current = now.micros / kMicrosPerSecond / kTotpStepSeconds;
  std::optional<int64_t> matched;
  for (int64_t step = current - 1; step <= current + 1; ++step) {
    const std::string expected = TotpCode(secret, step);
    // Compare every candidate in full, whatever matched before: no timing hint.
    if (sodium_memcmp(expected.data(), code.data(), 6) == 0) matched = step;
  }
  if (!matched || (last_used_step && *matched <= *last_used_step)) return std::nullopt;
  return matched;
}

std::string Base32(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::string OtpauthUri(std::string_view user, std::string_view secret) {
  // The label percent-encoded but for what names and addresses are mostly made of: a
  // requester's address may hold '?', '#', '&' or '%'.
  std::string label;
  for (unsigned char c : user) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '@') {
      label += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      label += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return "otpauth://totp/custodian:" + label + "?secret=" + Base32(secret) +
         "&issuer=custodian&algorithm=SHA256&digits=6&period=30";
}

}  // namespace custodian::server
