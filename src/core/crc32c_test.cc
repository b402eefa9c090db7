#include "core/crc32c.h"

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

}  // namespace
}  // namespace custodian
