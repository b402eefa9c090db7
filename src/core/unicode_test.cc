#include "core/unicode.h"

#include <gtest/gtest.h>

namespace custodian {
namespace {

TEST(UnicodeTest, ValidatesUtf8) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("Doña Ana, 東京, مرحبا, 🙂"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));
}

TEST(UnicodeTest, CountsCodePointsAfterTrimmingWhiteSpace) {
  EXPECT_EQ(CodePointCount("Doña"), 4u);
  EXPECT_EQ(CodePointCount("🙂"), 1u);
  // NBSP, ideographic space, line separator and NEL are all White_Space.
  EXPECT_EQ(TrimmedLength("\xC2\xA0 \xE3\x80\x80x y\xE2\x80\xA8\xC2\x85\t\n"), 3u);
  EXPECT_EQ(TrimWhiteSpace("  a b  "), "a b");
  EXPECT_EQ(TrimmedLength(" \t "), 0u);
  EXPECT_EQ(TrimmedLength(""), 0u);
  // U+200B ZERO WIDTH SPACE is not White_Space: it counts.
  EXPECT_EQ(TrimmedLength("\xE2\x80\x8B"), 1u);
}

TEST(UnicodeTest, EcmaWhiteSpaceDiffersFromWhiteSpaceAtNelAndBom) {
  EXPECT_TRUE(IsEcmaWhiteSpace(0xFEFF));
  EXPECT_FALSE(IsUnicodeWhiteSpace(0xFEFF));
  EXPECT_FALSE(IsEcmaWhiteSpace(0x85));
  EXPECT_TRUE(IsUnicodeWhiteSpace(0x85));
  EXPECT_TRUE(IsEcmaWhiteSpace(0x3000));
}

TEST(UnicodeTest, IllFormedBytesStillMakeProgress) {
  const std::string bad = "a\xFF\xFE" "b";
  size_t pos = 0;
  EXPECT_EQ(DecodeUtf8(bad, pos), U'a');
  EXPECT_EQ(DecodeUtf8(bad, pos), U'\uFFFD');
  EXPECT_EQ(DecodeUtf8(bad, pos), U'\uFFFD');
  EXPECT_EQ(DecodeUtf8(bad, pos), U'b');
  EXPECT_EQ(pos, bad.size());
}

TEST(UnicodeTest, AsciiLowerLeavesOtherBytes) {
  EXPECT_EQ(AsciiLower("FBI.GOV"), "fbi.gov");
  EXPECT_EQ(AsciiLower("ÄB"), "Äb");
}

}  // namespace
}  // namespace custodian
