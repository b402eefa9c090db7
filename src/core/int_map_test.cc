#include "core/int_map.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace custodian {
namespace {

// Random adds, changes and removals, with keys drawn from a small range (so that removals
// meet present keys and probes wrap around the table), checked against std::unordered_map
// after every step.
TEST(IntMapTest, AgreesWithAStandardMapThroughAddsChangesAndRemovals) {
  std::mt19937_64 random(7);
  IntMap<uint32_t> map;
  std::unordered_map<uint64_t, uint32_t> expected;
  for (int step = 0; step < 200000; ++step) {
    const uint64_t key = random() % 5000 + (step % 3 == 0 ? 0 : (uint64_t{1} << 40));
    const uint32_t value = static_cast<uint32_t>(random());
    switch (random() % 3) {
      case 0:
        map.Set(key, value);
        expected[key] = value;
        break;
      case 1: {
        bool added;
        uint32_t& got = map.FindOrAdd(key, value, added);
        auto [it, inserted] = expected.try_emplace(key, value);
        ASSERT_EQ(added, inserted) << "step " << step;
        ASSERT_EQ(got, it->second) << "step " << step;
        break;
      }
      case 2:
        ASSERT_EQ(map.Erase(key), expected.erase(key) == 1) << "step " << step;
        break;
    }
    ASSERT_EQ(map.size(), expected.size());
    const uint32_t* found = map.Find(key);
    auto it = expected.find(key);
    ASSERT_EQ(found != nullptr, it != expected.end()) << "step " << step;
    if (found) {
      ASSERT_EQ(*found, it->second);
    }
  }
  size_t visited = 0;
  map.ForEach([&](uint64_t key, uint32_t value) {
    ++visited;
    ASSERT_EQ(expected.at(key), value);
  });
  EXPECT_EQ(visited, expected.size());
  for (const auto& [key, value] : expected) ASSERT_TRUE(map.Erase(key));
  EXPECT_TRUE(map.empty());
  EXPECT_EQ(map.Find(1), nullptr);
}

// Sequential keys, as account ids and slot numbers often are, all found after growing.
TEST(IntMapTest, HoldsAMillionSequentialKeys) {
  IntMap<uint64_t> map;
  for (uint64_t k = 0; k < 1000000; ++k) map.Set(k, k * 3);
  ASSERT_EQ(map.size(), 1000000u);
  for (uint64_t k = 0; k < 1000000; ++k) ASSERT_EQ(*map.Find(k), k * 3) << k;
  EXPECT_EQ(map.Find(1000000), nullptr);
}

}  // namespace
}  // namespace custodian
