// The ClickHouse engine's account keys in the case store, on SQLite and PostgreSQL, with two
// servers (two connections to one store): both get one key an account, even making it at
// once; a deletion through one is seen by the other at its next lookup, though it cached the
// key; a deleted account never gets a new key; the store holds neither ids nor keys in the
// clear, and a row changed or moved does not open.
#include "vault/clickhouse/account_keys.h"

#include <numeric>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cases/migrations.h"
#include "cases/store/test_store.h"
#include "core/base64.h"
#include "core/coding.h"
#include "core/sha256.h"

namespace custodian::vault::clickhouse {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<uint64_t> Accounts(uint64_t first, uint64_t last) {
  std::vector<uint64_t> out(last - first + 1);
  std::iota(out.begin(), out.end(), first);
  return out;
}

class AccountKeysTest : public ::testing::TestWithParam<cases::Backend> {
 protected:
  void SetUp() override {
    CUSTODIAN_REQUIRE_BACKEND(GetParam());
    store_ = std::make_unique<cases::TestStore>(GetParam());
    first_db_ = store_->Open(cases::Migrations());
    second_db_ = store_->Open(cases::Migrations());
    ASSERT_TRUE(first_db_ && second_db_);
    first_ = std::make_unique<AccountKeys>(*first_db_, wrap_, tags_);
    second_ = std::make_unique<AccountKeys>(*second_db_, wrap_, tags_);
  }
  static std::vector<std::optional<SecretKey>> Keys(AccountKeys& keys, const std::vector<uint64_t>& accounts,
                                                    bool create) {
    std::vector<std::optional<SecretKey>> out;
    Status s = create ? keys.GetOrCreateMany(accounts, out) : keys.GetMany(accounts, out);
    EXPECT_TRUE(s.ok()) << s.message();
    return out;
  }
  static std::string Hex(const std::optional<SecretKey>& k) { return k ? std::string(k->view()) : "none"; }

  const SecretKey wrap_ = SecretKey::Random();
  const ShortKey tags_ = ShortKey::Random();
  std::unique_ptr<cases::TestStore> store_;
  std::unique_ptr<cases::Database> first_db_, second_db_;
  std::unique_ptr<AccountKeys> first_, second_;
};

TEST_P(AccountKeysTest, EveryServerGetsOneKeyAnAccount) {
  const auto made = Keys(*first_, Accounts(1, 100), true);
  const auto read = Keys(*second_, Accounts(1, 100), false);
  for (size_t i = 0; i < 100; ++i) {
    ASSERT_TRUE(made[i].has_value());
    EXPECT_EQ(Hex(made[i]), Hex(read[i])) << i;
  }
  EXPECT_NE(Hex(made[0]), Hex(made[1]));
  const auto more = Keys(*second_, Accounts(50, 150), true);
  EXPECT_EQ(Hex(more[0]), Hex(made[49])) << "an account's key is made once";
  EXPECT_FALSE(Keys(*first_, {151}, false)[0].has_value()) << "GetMany makes none";
  EXPECT_EQ(*first_->LiveAccounts(), 150u);
}

// Two servers meeting the same 300 new accounts at the same moment agree on every key.
TEST_P(AccountKeysTest, TwoServersMakingKeysAtOnceAgree) {
  std::vector<std::optional<SecretKey>> a, b;
  std::thread one([&] { a = Keys(*first_, Accounts(1000, 1299), true); });
  std::thread two([&] { b = Keys(*second_, Accounts(1000, 1299), true); });
  one.join();
  two.join();
  ASSERT_EQ(a.size(), 300u);
  for (size_t i = 0; i < 300; ++i) EXPECT_EQ(Hex(a[i]), Hex(b[i])) << i;
  EXPECT_EQ(*first_->LiveAccounts(), 300u);
}

TEST_P(AccountKeysTest, ADeletionThroughOneServerHoldsOnEvery) {
  ASSERT_TRUE(Keys(*first_, {7, 8}, true)[0].has_value());
  ASSERT_TRUE(Keys(*second_, {7, 8}, false)[0].has_value()) << "the second caches 7's key";
  ASSERT_TRUE(first_->Destroy(7).ok());
  EXPECT_FALSE(Keys(*second_, {7}, false)[0].has_value()) << "its cached key is forgotten";
  EXPECT_FALSE(Keys(*second_, {7}, true)[0].has_value()) << "never a new key for a deleted account";
  EXPECT_TRUE(Keys(*second_, {8}, false)[0].has_value());
  EXPECT_TRUE(*second_->IsDeleted(7));
  EXPECT_FALSE(*second_->IsDeleted(8));
  EXPECT_EQ(second_->Destroy(7).code(), Status::Code::kNotFound);
  EXPECT_EQ(second_->Destroy(9).code(), Status::Code::kNotFound);
  EXPECT_EQ(*first_->LiveAccounts(), 1u);
  EXPECT_EQ(*first_->DeletedAccounts(), 1u);
  EXPECT_THAT(*first_->AccountsOfTags(std::vector{first_->TagOf(7), first_->TagOf(8), first_->TagOf(9)}),
              ElementsAre(8u));
}

TEST_P(AccountKeysTest, TheStoreHoldsNoIdOrKeyAndARowMovedDoesNotOpen) {
  const auto keys = Keys(*first_, {4242424242, 17}, true);
  std::string rows;
  ASSERT_TRUE(first_db_->Transaction([&](soci::session& sql) {
    soci::rowset<soci::row> all = sql.prepare << "SELECT tag, wrapped FROM vault_account_keys";
    for (const soci::row& r : all) rows += r.get<std::string>(0) + " " + *Base64Decode(r.get<std::string>(1)) + "\n";
    return Status::Ok();
  }).ok());
  EXPECT_EQ(rows.find("4242424242"), std::string::npos);
  EXPECT_EQ(rows.find(std::string(keys[0]->view())), std::string::npos);
  EXPECT_EQ(rows.find(std::string(keys[1]->view())), std::string::npos);

  // 4242424242's wrapped key put under 17's tag (someone with the store's access).
  const auto tag = [&](uint64_t account) {
    std::string b;
    PutFixed64(b, first_->TagOf(account).first);
    PutFixed32(b, first_->TagOf(account).second);
    return "'" + HexEncode(reinterpret_cast<const uint8_t*>(b.data()), b.size()) + "'";
  };
  ASSERT_TRUE(store_->ExecuteOutside("UPDATE vault_account_keys SET wrapped = (SELECT wrapped FROM "
                                     "vault_account_keys WHERE tag = " + tag(4242424242) + ") WHERE tag = " +
                                     tag(17)));
  AccountKeys fresh(*first_db_, wrap_, tags_);
  std::vector<std::optional<SecretKey>> out;
  const Status s = fresh.GetMany(std::vector<uint64_t>{17}, out);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("does not open for its tag"));
}

INSTANTIATE_TEST_SUITE_P(Stores, AccountKeysTest, ::testing::ValuesIn(cases::TestBackends()), cases::BackendName);

}  // namespace
}  // namespace custodian::vault::clickhouse
