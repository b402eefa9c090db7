// For the sign-in tests: what an authenticator app does with the secret an enrolment answers.
#pragma once

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

namespace custodian::server {

// RFC 4648 base32 (no padding) back to bytes.
inline std::string FromBase32(const std::string& text) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const size_t v = kAlphabet.find(c);
    EXPECT_NE(v, std::string::npos) << "not base32";
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  return out;
}

}  // namespace custodian::server
