#include "core/crc32c.h"

#include <iostream>
#include <string>

#include <gtest/gtest.h>

namespace custodian {
namespace {

TEST(Crc32cTest, KnownValues) {
  // RFC 3720, B.4: 32 bytes of zeros, and "123456789" (the standard check value).
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
}

TEST(Crc32cTest, ExtendsAcrossPieces) {
  const std::string s = "The quick brown fox jumps over the lazy dog, twice over.";
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    EXPECT_EQ(Crc32c(s.data() + cut, s.size() - cut, Crc32c(s.data(), cut)), Crc32c(s)) << cut;
  }
}

// Whichever computation Crc32c uses here, the portable one agrees with it at every length and
// alignment.
TEST(Crc32cTest, ThePortableComputationAgrees) {
  std::string bytes(300, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 131 + 7);
  for (size_t start = 0; start < 9; ++start) {
    for (size_t n = 0; start + n <= bytes.size(); n += 7) {
      EXPECT_EQ(Crc32cPortable(bytes.data() + start, n, 0x1234u), Crc32c(bytes.data() + start, n, 0x1234u))
          << start << " " << n;
    }
  }
  std::cout << "crc32c in hardware: " << (Crc32cInHardware() ? "yes" : "no") << "\n";
}

}  // namespace
}  // namespace custodian
