// RowBinary as ClickHouse writes it (docs/clickhouse.md, §3): LEB128 lengths at their
// boundaries, little-endian integers, every byte value through a String, and an answer cut
// anywhere is Corruption rather than a value read past its end.
#include "vault/clickhouse/row_binary.h"

#include <gtest/gtest.h>

namespace custodian::vault::clickhouse {
namespace {

TEST(RowBinaryTest, ValuesAreWrittenAsClickHouseReadsThem) {
  RowBinaryWriter w;
  w.UInt16(20000);  // a Date: 2024-10-04
  w.UInt64(0x0102030405060708);
  w.String("");
  w.String(std::string(127, 'a'));
  w.String(std::string(128, 'b'));
  w.Fixed(std::string("\0\x01\xff", 3));
  const std::string& b = w.bytes();
  EXPECT_EQ(b.substr(0, 2), std::string("\x20\x4e", 2));
  EXPECT_EQ(b.substr(2, 8), std::string("\x08\x07\x06\x05\x04\x03\x02\x01", 8));
  EXPECT_EQ(b[10], '\0') << "an empty String is its length, 0";
  EXPECT_EQ(b[11], '\x7f') << "127 fits one byte";
  EXPECT_EQ(b.substr(139, 2), std::string("\x80\x01", 2)) << "128 takes two";
  EXPECT_EQ(b.size(), 2u + 8 + 1 + 1 + 127 + 2 + 128 + 3);
}

TEST(RowBinaryTest, WhatIsWrittenReadsBackAndACutAnswerIsCorruption) {
  std::string every;
  for (int i = 0; i < 256; ++i) every += static_cast<char>(i);
  RowBinaryWriter w;
  w.UInt32(0xdeadbeef);
  w.String(every);
  w.String(std::string(20000, 'x'));
  w.Fixed(std::string(16, '\0'));
  w.UInt8(7);
  const std::string bytes = w.bytes();

  RowBinaryReader r(bytes);
  EXPECT_EQ(*r.UInt(4), 0xdeadbeefu);
  EXPECT_EQ(*r.String(), every);
  EXPECT_EQ(r.String()->size(), 20000u);
  EXPECT_EQ(*r.Fixed(16), std::string(16, '\0'));
  EXPECT_EQ(*r.UInt(1), 7u);
  EXPECT_TRUE(r.done());

  for (size_t cut = 0; cut < bytes.size(); cut += 97) {
    RowBinaryReader partial(std::string_view(bytes).substr(0, cut));
    Status s = Status::Ok();
    if (auto v = partial.UInt(4); !v.ok()) s = v.status();
    if (s.ok()) {
      if (auto v = partial.String(); !v.ok()) s = v.status();
    }
    if (s.ok()) {
      if (auto v = partial.String(); !v.ok()) s = v.status();
    }
    if (s.ok()) {
      if (auto v = partial.Fixed(16); !v.ok()) s = v.status();
    }
    if (s.ok()) {
      if (auto v = partial.UInt(1); !v.ok()) s = v.status();
    }
    EXPECT_EQ(s.code(), Status::Code::kCorruption) << "cut at " << cut;
  }
  const std::string continued(12, '\xff');  // every byte says "more follows"
  RowBinaryReader endless(continued);
  EXPECT_EQ(endless.String().status().code(), Status::Code::kCorruption) << "a length that never ends";
}

}  // namespace
}  // namespace custodian::vault::clickhouse
