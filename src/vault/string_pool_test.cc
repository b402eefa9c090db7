#include "vault/string_pool.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace custodian::vault {
namespace {

TEST(StringPoolTest, EachStringIsKeptOnceAndReadBackWhateverItsLengthAndAfterAMove) {
  StringPool pool;
  std::vector<std::string> strings;
  // Enough device-id-like strings to fill several of the pool's blocks, an empty one, and
  // strings long enough to be kept in blocks of their own.
  for (int i = 0; i < 20000; ++i) strings.push_back("device-" + std::to_string(i * 7919));
  strings.push_back("");
  strings.push_back(std::string(100000, 'a'));
  strings.push_back(std::string(16385, 'b'));
  std::vector<uint32_t> ids;
  for (const std::string& s : strings) ids.push_back(pool.Intern(s));
  EXPECT_EQ(pool.size(), strings.size());
  for (size_t i = 0; i < strings.size(); ++i) {
    EXPECT_EQ(ids[i], i + 1);
    EXPECT_EQ(pool.Intern(std::string(strings[i])), ids[i]) << "string " << i << " is kept twice";
  }
  EXPECT_EQ(pool.size(), strings.size());

  StringPool moved = std::move(pool);
  for (size_t i = 0; i < strings.size(); ++i) ASSERT_EQ(moved.Get(ids[i]), strings[i]) << i;
  EXPECT_EQ(moved.Intern("device-0"), ids[0]);
  EXPECT_EQ(moved.Intern("new"), strings.size() + 1);
}

}  // namespace
}  // namespace custodian::vault
