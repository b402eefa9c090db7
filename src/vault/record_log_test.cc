#include "vault/record_log.h"

#include <gtest/gtest.h>

namespace custodian::vault {
namespace {

constexpr RecordBounds kBounds{4, 1 << 20};

std::string Log(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) AppendRecord("record " + std::to_string(i), out);
  return out;
}

Result<RecordScan> Scan(const std::string& bytes, uint64_t committed, int* visited = nullptr) {
  return ScanRecords("log", bytes, 0, committed, kBounds, [&](uint64_t, std::string_view) {
    if (visited) ++*visited;
    return Status::Ok();
  });
}

TEST(RecordLogTest, ATornTailIsOnlyPastTheCommittedLengthWithNothingGoodAfterIt) {
  const std::string log = Log(3);  // records of 16 bytes: at 0, 16, 32
  int visited = 0;
  auto whole = Scan(log, log.size(), &visited);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->end, 48u);
  EXPECT_FALSE(whole->torn_tail);
  EXPECT_EQ(visited, 3);

  auto torn = Scan(log + Log(1).substr(0, 10), log.size());
  ASSERT_TRUE(torn.ok());
  EXPECT_EQ(torn->end, 48u);
  EXPECT_TRUE(torn->torn_tail);

  EXPECT_EQ(Scan(log.substr(0, 40), log.size()).status().message(),
            "log: ends at byte 40, inside the 48 bytes committed to it");
  EXPECT_TRUE(Scan(log.substr(0, 40), 32).ok()) << "past the committed length: a torn tail";
  std::string damaged = log;
  damaged[20] ^= 1;
  EXPECT_EQ(Scan(damaged, log.size()).status().message(),
            "log: the record at byte 16 fails its checksum, inside the 48 bytes committed to the file");
  EXPECT_EQ(Scan(damaged, 0).status().message(),
            "log: the record at byte 16 fails its checksum, and a good record follows at byte 32");
  std::string follows = log + std::string(5, '\xff') + Log(1);
  EXPECT_EQ(Scan(follows, log.size()).status().message(),
            "log: the record at byte 48 has an impossible length, and a good record follows at byte 53");
}

TEST(RecordLogTest, MoreThanAnAppendWritesAfterABadRecordIsNotATornTail) {
  std::string log = Log(1) + std::string((64 << 20) + 1, '\0');
  EXPECT_EQ(Scan(log, 16).status().message(),
            "log: the record at byte 16 has an impossible length, and 67108865 bytes follow it: more "
            "than an interrupted append leaves");
}

TEST(RecordLogTest, APartialLastSlotIsATornTail) {
  auto torn = ScanSlots("slots", 96 * 3 + 40, 96 * 2, 96);
  ASSERT_TRUE(torn.ok());
  EXPECT_EQ(torn->end, 96u * 3);
  EXPECT_TRUE(torn->torn_tail);
  EXPECT_EQ(ScanSlots("slots", 96 * 2 - 50, 96 * 2, 96).status().message(),
            "slots: ends at byte 142, inside the 192 bytes committed to it");
}

}  // namespace
}  // namespace custodian::vault
