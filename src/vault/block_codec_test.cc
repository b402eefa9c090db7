#include "vault/block_codec.h"

#include <gtest/gtest.h>

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
      EXPECT_EQ(block[0], 1) << "a large block is compressed";
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

}  // namespace
}  // namespace custodian::vault
