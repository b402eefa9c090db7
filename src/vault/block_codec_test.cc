#include "vault/block_codec.h"

#include <span>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/coding.h"
#include "core/time.h"

namespace custodian::vault {
namespace {

TEST(BlockCodecTest, RoundTripsEveryFieldWithAndWithoutCompression) {
  for (size_t n : {1u, 3u, 200u}) {
    SCOPED_TRACE(n);
    StringPool pool;
    std::vector<PackedEvent> events;
    const int64_t day_start = 20000 * kMicrosPerDay;
    for (size_t i = 0; i < n; ++i) {
      PackedEvent e;
      e.account_id = 9;
      e.ts = day_start + static_cast<int64_t>(i) * 1234567 + 7;
      e.kind = static_cast<uint8_t>(i % 6);
      e.ip[0] = 203, e.ip[3] = static_cast<uint8_t>(i % 3);
      if (i % 4 == 0) {
        e.flags |= PackedEvent::kIpV6;
        e.ip[15] = 1;
      }
      if (i % 2) {
        e.flags |= PackedEvent::kHasPort;
        e.port = static_cast<uint16_t>(40000 + i);
      }
      e.user_agent = i % 5 ? static_cast<uint32_t>(i % 5) : 0;
      if (i % 3) e.device = pool.Intern(i % 2 ? "dev-one" : "dev-two");
      if (i % 7 == 0) e.event_id = pool.Intern("event-" + std::to_string(i));
      events.push_back(e);
    }
    std::string block, scratch;
    EncodeBlock(events, day_start, pool, block);
    if (n == 200) {
      EXPECT_EQ(block[0], 3) << "a large block is compressed (layout 2)";
    }
    size_t i = 0;
    ASSERT_TRUE(DecodeBlock(block, day_start, scratch, [&](const BlockEvent& d) {
      const PackedEvent& e = events[i++];
      EXPECT_EQ(d.ts, e.ts);
      EXPECT_EQ(d.kind, e.kind);
      EXPECT_EQ(d.flags, e.flags);
      EXPECT_EQ(d.ip, e.ip);
      EXPECT_EQ(d.port, e.port);
      EXPECT_EQ(d.user_agent, e.user_agent);
      EXPECT_EQ(d.has_device, e.device != 0);
      if (e.device) {
        EXPECT_EQ(d.device, pool.Get(e.device));
      }
      EXPECT_EQ(d.has_event_id, e.event_id != 0);
      if (e.event_id) {
        EXPECT_EQ(d.event_id, pool.Get(e.event_id));
      }
    }).ok());
    EXPECT_EQ(i, n);
  }
}

TEST(BlockCodecTest, EveryTruncationIsCorruptionNeverACrash) {
  StringPool pool;
  std::vector<PackedEvent> events(5);
  for (size_t i = 0; i < events.size(); ++i) {
    events[i].ts = static_cast<int64_t>(i) * 1000;
    events[i].device = pool.Intern("d" + std::to_string(i % 2));
    events[i].flags = PackedEvent::kHasPort;
  }
  std::string block, scratch;
  EncodeBlock(events, 0, pool, block);
  for (size_t len = 0; len < block.size(); ++len) {
    EXPECT_FALSE(DecodeBlock(block.substr(0, len), 0, scratch, [](const BlockEvent&) {}).ok()) << len;
  }
}

// One event with device id `device`, encoded: the block and what it decodes to.
std::pair<std::string, std::string> WithDevice(std::string_view device) {
  StringPool pool;
  PackedEvent e;
  e.ts = 42;
  e.device = pool.Intern(device);
  std::string block, scratch, decoded = "(none)";
  EncodeBlock(std::span(&e, 1), 0, pool, block);
  EXPECT_TRUE(DecodeBlock(block, 0, scratch, [&](const BlockEvent& d) {
    decoded = d.has_device ? std::string(d.device) : "(no device)";
  }).ok());
  return {block, decoded};
}

TEST(BlockCodecTest, DeviceIdsOfEveryFormRoundTripAndHexTakesHalfItsDigits) {
  const std::string as_is_16 = "ghijklmnopqrstuv";  // 16 bytes, not hex: stored as they are
  const size_t as_is_size = WithDevice(as_is_16).first.size();
  for (const auto& [device, packed_bytes] : std::vector<std::pair<std::string, size_t>>{
           {"0123456789abcdef", 8},
           {"0123456789ABCDEF", 8},
           {"00ff", 2},
           {"550e8400-e29b-41d4-a716-446655440000", 16},
           {"550E8400-E29B-41D4-A716-446655440000", 16},
           {"550e8400e29b41d4a716446655440000abcd", 18},  // 36 hex digits, no dashes
       }) {
    SCOPED_TRACE(device);
    const auto [block, decoded] = WithDevice(device);
    EXPECT_EQ(decoded, device);
    // A varint head (length << 3 | form): one byte up to 15 bytes, two from 16.
    EXPECT_EQ(block.size(), as_is_size - 18 + packed_bytes + (packed_bytes >= 16 ? 2 : 1));
  }
  // Not of one form: kept as they are, and read back exactly.
  for (const std::string& device :
       {std::string("0A1b"), std::string("abc"), std::string("550e8400-e29b-41d4-a716-44665544000g"),
        std::string("550e8400e-29b-41d4-a716-446655440000"), std::string("t\xc3\xa9l\xc3\xa9"),
        std::string("-0123456789abcdef-0123456789abcdef-"), as_is_16}) {
    SCOPED_TRACE(device);
    const auto [block, decoded] = WithDevice(device);
    EXPECT_EQ(decoded, device);
    EXPECT_EQ(block.size(), as_is_size - 18 + device.size() + (device.size() >= 16 ? 2 : 1));
  }
}

TEST(BlockCodecTest, ABlockOfLayoutOneStillDecodes) {
  // Written by vault format 1: raw, one event 5 us into the day, a device, one IPv4 address.
  const std::string v1 = {0, 1, 5, 0x20, 1, 4, 10, 0, 0, 1, 1, 3, 'd', 'e', 'v'};
  std::string scratch;
  size_t n = 0;
  ASSERT_TRUE(DecodeBlock(v1, 1000, scratch, [&](const BlockEvent& e) {
    ++n;
    EXPECT_EQ(e.ts, 1005);
    EXPECT_EQ(e.ip[0], 10);
    EXPECT_EQ(e.ip[3], 1);
    EXPECT_EQ(e.device, "dev");
  }).ok());
  EXPECT_EQ(n, 1u);
  // The same bytes under layout 2's raw marker: "dev" has no form there (3 is not
  // length << 3 | form of three bytes), so the block does not decode.
  std::string v2 = v1;
  v2[0] = 2;
  EXPECT_FALSE(DecodeBlock(v2, 1000, scratch, [](const BlockEvent&) {}).ok());
}

TEST(BlockCodecTest, ADamagedDeviceFormIsCorruption) {
  const std::string block = WithDevice("550e8400-e29b-41d4-a716-446655440000").first;
  // The block ends with the device: a two-byte head (16 << 3 | 3), then its 16 bytes.
  const size_t head = block.size() - 18;
  std::string expected;
  PutVarint(expected, 16 << 3 | 3);
  ASSERT_EQ(block.substr(head, 2), expected);
  std::string scratch;
  for (const uint64_t bad : {16 << 3 | 5, 16 << 3 | 7, 17 << 3 | 3, 8 << 3 | 3, 0 << 3 | 1}) {
    std::string damaged = block.substr(0, head);
    PutVarint(damaged, bad);
    damaged += block.substr(head + 2);
    EXPECT_FALSE(DecodeBlock(damaged, 0, scratch, [](const BlockEvent&) {}).ok()) << bad;
  }
  std::string unknown = block;
  unknown[0] = 4;  // no such encoding
  EXPECT_FALSE(DecodeBlock(unknown, 0, scratch, [](const BlockEvent&) {}).ok());
}

}  // namespace
}  // namespace custodian::vault
