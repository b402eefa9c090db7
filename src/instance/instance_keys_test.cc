#include "instance/instance_keys.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace custodian {
namespace {

// The labels are the keys: changing one makes every instance's sealed attachments, packages,
// signing keys and second factors unreadable. They are pinned here.
TEST(InstanceKeysTest, TheLabelsAreTheReleasedOnesEachOnce) {
  const std::string expected[] = {"casefile", "packages", "casepseu", "signkeys",
                                  "storerec", "demomark", "authtotp"};
  ASSERT_EQ(std::size(kInstanceKeys), std::size(expected));
  std::set<std::string_view> labels;
  for (size_t i = 0; i < std::size(kInstanceKeys); ++i) {
    EXPECT_EQ(kInstanceKeys[i].label, expected[i]);
    EXPECT_EQ(kInstanceKeys[i].label.size(), 8u) << "crypto_kdf's context is 8 bytes";
    EXPECT_TRUE(labels.insert(kInstanceKeys[i].label).second) << kInstanceKeys[i].label;
    EXPECT_EQ(static_cast<size_t>(kInstanceKeys[i].key), i) << "one row per key, in order";
  }
}

TEST(InstanceKeysTest, EachKeyIsTheMasterKeysDerivationUnderItsLabel) {
  const vault::SecretKey master = vault::SecretKey::Random();
  std::set<std::string> keys;
  for (const InstanceKeyUse& use : kInstanceKeys) {
    const vault::SecretKey key = DeriveInstanceKey(master, use.key);
    const vault::SecretKey expected = vault::DeriveKey(master, use.label);
    EXPECT_TRUE(std::equal(key.data(), key.data() + vault::kKeyBytes, expected.data()))
        << use.label;
    keys.insert(std::string(reinterpret_cast<const char*>(key.data()), vault::kKeyBytes));
  }
  EXPECT_EQ(keys.size(), std::size(kInstanceKeys)) << "every key differs";
  const vault::SecretKey other = vault::SecretKey::Random();
  const vault::SecretKey a = DeriveInstanceKey(master, InstanceKey::kPackages);
  const vault::SecretKey b = DeriveInstanceKey(other, InstanceKey::kPackages);
  EXPECT_FALSE(std::equal(a.data(), a.data() + vault::kKeyBytes, b.data()));
}

}  // namespace
}  // namespace custodian
