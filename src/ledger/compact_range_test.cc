#include "ledger/compact_range.h"

#include <bit>
#include <map>
#include <utility>

#include <gtest/gtest.h>

namespace custodian::ledger {
namespace {

TEST(CompactRangeTest, RootEqualsTheFullRecomputationForEverySizeUpTo300) {
  std::vector<Digest> leaves;
  CompactRange range;
  EXPECT_EQ(range.Root(), EmptyRoot());
  for (uint64_t size = 1; size <= 300; ++size) {
    leaves.push_back(LeafHash("leaf " + std::to_string(size)));
    range.Append(leaves.back());
    ASSERT_EQ(range.size(), size);
    ASSERT_EQ(range.roots().size(), static_cast<size_t>(std::popcount(size)));
    ASSERT_EQ(range.Root(), RootOf(leaves)) << size;
  }
}

TEST(CompactRangeTest, ReportsEveryPerfectNodeOnceWhenItCompletes) {
  std::vector<Digest> leaves;
  std::map<std::pair<int, uint64_t>, Digest> stored;
  CompactRange range;
  for (uint64_t size = 1; size <= 100; ++size) {
    leaves.push_back(LeafHash(std::to_string(size)));
    size_t reported = 0;
    range.Append(leaves.back(), [&](int level, uint64_t index, const Digest& hash) {
      ++reported;
      // The node ends with the new leaf, and was never reported before.
      EXPECT_EQ((index + 1) << level, size);
      EXPECT_TRUE(stored.emplace(std::pair(level, index), hash).second);
      EXPECT_EQ(hash, RootOf(std::span(leaves).subspan(index << level, uint64_t{1} << level)));
    });
    // The leaf, and one node for each binary digit 1 the growing size carries.
    EXPECT_EQ(reported, 1u + std::countr_one(size - 1));
  }
  const NodeReader from_store = [&](int level, uint64_t index) -> Result<Digest> {
    return stored.at({level, index});
  };
  for (uint64_t size = 0; size <= 100; ++size) {
    auto loaded = CompactRange::Load(size, from_store);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(loaded->size(), size);
    EXPECT_EQ(loaded->Root(), RootOf(std::span(leaves).first(size)));
  }
}

TEST(CompactRangeTest, ALoadedRangeGoesOnAsTheOriginal) {
  std::vector<Digest> leaves;
  for (int i = 0; i < 45; ++i) leaves.push_back(LeafHash(std::to_string(i)));
  auto range = CompactRange::Load(21, LeafHashNodes(std::span(leaves).first(21)));
  ASSERT_TRUE(range.ok());
  for (size_t i = 21; i < leaves.size(); ++i) range->Append(leaves[i]);
  EXPECT_EQ(range->Root(), RootOf(leaves));
}

TEST(CompactRangeTest, LoadPassesOnTheStoresError) {
  const NodeReader failing = [](int, uint64_t) -> Result<Digest> {
    return Status::IoError("disk gone");
  };
  EXPECT_EQ(CompactRange::Load(5, failing).status().message(), "disk gone");
  EXPECT_TRUE(CompactRange::Load(0, failing).ok());
}

}  // namespace
}  // namespace custodian::ledger
