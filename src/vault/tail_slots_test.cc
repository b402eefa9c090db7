#include "vault/tail_slots.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

namespace custodian::vault {
namespace {

std::multiset<uint64_t> SlotsOf(TailSlots& t, uint64_t tag) {
  std::multiset<uint64_t> out;
  t.ForTag(tag, [&](uint64_t slot) { out.insert(slot); });
  return out;
}

TEST(TailSlotsTest, EntriesSharingATagAreAllFound) {
  TailSlots t;
  t.Add(7, 1);
  t.Add(7, 5);
  t.Add(7 + 16, 3);  // the same home in a table of 16
  EXPECT_EQ(SlotsOf(t, 7), (std::multiset<uint64_t>{1, 5}));
  EXPECT_EQ(SlotsOf(t, 23), (std::multiset<uint64_t>{3}));
  EXPECT_TRUE(SlotsOf(t, 8).empty());
  EXPECT_TRUE(t.Erase(7, 1));
  EXPECT_FALSE(t.Erase(7, 1));
  EXPECT_EQ(SlotsOf(t, 7), (std::multiset<uint64_t>{5}));
  EXPECT_EQ(SlotsOf(t, 23), (std::multiset<uint64_t>{3}));
}

// An owner is remembered by slot, and forgotten with its slot, by a cut, or when asked.
TEST(TailSlotsTest, OwnersGoWithTheirSlots) {
  TailSlots t;
  for (uint64_t slot = 0; slot < 10; ++slot) t.Add(100 + slot, slot);
  t.SetOwner(2, {42, 9});
  t.SetOwner(3, {43, 8});
  t.SetOwner(8, {48, 7});
  EXPECT_EQ(t.OwnerOf(2), (TailSlots::Owner{42, 9}));
  EXPECT_FALSE(t.OwnerOf(4));
  EXPECT_TRUE(t.Erase(103, 3));
  EXPECT_FALSE(t.OwnerOf(3));
  t.EraseBelow(5);
  EXPECT_FALSE(t.OwnerOf(2));
  EXPECT_EQ(t.OwnerOf(8), (TailSlots::Owner{48, 7}));
  t.ForgetOwner(8);
  EXPECT_FALSE(t.OwnerOf(8));
  t.SetOwner(9, {49, 6});
  t.ForgetOwners();
  EXPECT_FALSE(t.OwnerOf(9));
  EXPECT_EQ(SlotsOf(t, 109), (std::multiset<uint64_t>{9}));
}

// Adds, erases and cuts at random, with tags drawn from a small range so that runs are long
// and wrap around the table's end, and compares every tag's slots with a std::multimap's.
TEST(TailSlotsTest, AgreesWithAMultimapThroughAddsErasesAndCuts) {
  std::mt19937_64 random(17);
  TailSlots t;
  std::multimap<uint64_t, uint64_t> reference;  // tag → slot
  uint64_t next_slot = 0;
  for (int step = 0; step < 20000; ++step) {
    const int what = static_cast<int>(random() % 100);
    if (what < 60) {
      const uint64_t tag = random() % 64 | (random() % 4) << 40;
      t.Add(tag, next_slot);
      reference.emplace(tag, next_slot++);
    } else if (what < 99 && !reference.empty()) {
      auto it = reference.begin();
      std::advance(it, static_cast<long>(random() % reference.size()));
      ASSERT_TRUE(t.Erase(it->first, it->second));
      reference.erase(it);
    } else {
      const uint64_t below = next_slot - std::min<uint64_t>(next_slot, random() % 200);
      t.EraseBelow(below);
      std::erase_if(reference, [&](const auto& kv) { return kv.second < below; });
    }
    ASSERT_EQ(t.size(), reference.size());
    if (step % 97 == 0) {
      std::set<uint64_t> tags;
      for (const auto& [tag, slot] : reference) tags.insert(tag);
      for (uint64_t tag : tags) {
        std::multiset<uint64_t> expected;
        for (auto [b, e] = reference.equal_range(tag); b != e; ++b) expected.insert(b->second);
        ASSERT_EQ(SlotsOf(t, tag), expected) << "tag " << tag << " at step " << step;
      }
      size_t seen = 0;
      t.ForEach([&](uint64_t, uint64_t) { ++seen; });
      ASSERT_EQ(seen, reference.size());
    }
  }
}

TEST(TailSlotsTest, CuttingGivesBackTheMemory) {
  TailSlots t;
  for (uint64_t i = 0; i < 100000; ++i) t.Add(i * 0x9E3779B97F4A7C15ULL, i);
  const size_t full = t.memory_bytes();
  t.EraseBelow(99990);
  EXPECT_EQ(t.size(), 10u);
  EXPECT_LT(t.memory_bytes() * 100, full);
  EXPECT_EQ(SlotsOf(t, 99995 * 0x9E3779B97F4A7C15ULL), (std::multiset<uint64_t>{99995}));
}

}  // namespace
}  // namespace custodian::vault
