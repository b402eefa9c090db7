#include "core/coding.h"

#include <gtest/gtest.h>

namespace custodian {
namespace {

TEST(CodingTest, RoundTrips) {
  std::string b;
  PutFixed32(b, 0xDEADBEEF);
  PutFixed64(b, 0x0123456789ABCDEFull);
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, ~0ull}) PutVarint(b, v);
  PutLengthPrefixed(b, "abc");
  Decoder d(b);
  EXPECT_EQ(d.Fixed32(), 0xDEADBEEFu);
  EXPECT_EQ(d.Fixed64(), 0x0123456789ABCDEFull);
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, ~0ull}) EXPECT_EQ(d.Varint(), v);
  EXPECT_EQ(d.LengthPrefixed(10), "abc");
  EXPECT_TRUE(d.ok());
  EXPECT_TRUE(d.done());
}

TEST(CodingTest, NeverReadsPastTheEnd) {
  std::string b;
  PutVarint(b, 1ull << 40);
  for (size_t len = 0; len < b.size(); ++len) {
    Decoder d(std::string_view(b).substr(0, len));
    d.Varint();
    EXPECT_FALSE(d.ok()) << len;
  }
  Decoder over("\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x01");  // 11 bytes: too long
  over.Varint();
  EXPECT_FALSE(over.ok());
  Decoder lp("\x05" "ab");
  EXPECT_EQ(lp.LengthPrefixed(10), "");
  EXPECT_FALSE(lp.ok());
  Decoder capped("\x03" "abc");
  capped.LengthPrefixed(2);
  EXPECT_FALSE(capped.ok());
}

}  // namespace
}  // namespace custodian
