#include "vault/key_store.h"

#include <unistd.h>

#include <filesystem>
#include <algorithm>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace custodian::vault {
namespace {

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/custodian_keystore_test_XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/accounts.slots";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<KeyStore> Open() {
    auto s = KeyStore::Open(PosixFileSystem(), path_, wrap_, tags_);
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  std::string dir_, path_;
  SecretKey wrap_ = SecretKey::Random();
  ShortKey tags_ = ShortKey::Random();
};

TEST_F(KeyStoreTest, KeysPersistOnlyOnceCommitted) {
  auto store = Open();
  auto k1 = store->GetOrCreate(1);
  ASSERT_TRUE(k1.ok());
  ASSERT_TRUE(store->CommitNew().ok());
  ASSERT_TRUE(store->GetOrCreate(2).ok());  // never committed
  store = Open();
  auto again = store->Get(1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->view(), k1->view());
  EXPECT_TRUE(store->Get(2).status().IsNotFound());
  EXPECT_EQ(store->live_accounts(), 1u);
  EXPECT_EQ(std::filesystem::file_size(path_), KeyStore::kSlotBytes);
}

TEST_F(KeyStoreTest, ManyAccountsResolveAtOnceAsOneByOne) {
  auto store = Open();
  ASSERT_TRUE(store->GetOrCreate(1).ok());
  const SecretKey two = *store->GetOrCreate(2);
  ASSERT_TRUE(store->CommitNew().ok());
  ASSERT_TRUE(store->Destroy(1).ok());

  // Known, deleted and new accounts in one call; GetMany creates nothing.
  const std::vector<uint64_t> accounts = {2, 1, 3, 4};
  std::vector<std::optional<SecretKey>> keys;
  ASSERT_TRUE(store->GetMany(accounts, keys).ok());
  ASSERT_EQ(keys.size(), 4u);
  EXPECT_EQ(keys[0]->view(), two.view());
  EXPECT_FALSE(keys[1]) << "deleted";
  EXPECT_FALSE(keys[2]) << "GetMany made a key";
  EXPECT_EQ(store->live_accounts(), 1u);

  ASSERT_TRUE(store->GetOrCreateMany(accounts, keys).ok());
  EXPECT_EQ(keys[0]->view(), two.view());
  EXPECT_FALSE(keys[1]) << "a deleted account gets no new key";
  ASSERT_TRUE(keys[2] && keys[3]);
  EXPECT_NE(keys[2]->view(), keys[3]->view()) << "each new account its own key";
  EXPECT_EQ(store->Get(3)->view(), keys[2]->view());

  // Not durable until committed; then as any other key.
  store = Open();
  EXPECT_TRUE(store->Get(3).status().IsNotFound());
  ASSERT_TRUE(store->GetOrCreateMany(accounts, keys).ok());
  const SecretKey three = *keys[2];
  ASSERT_TRUE(store->CommitNew().ok());
  store = Open();
  EXPECT_EQ(store->Get(3)->view(), three.view());
  EXPECT_EQ(store->live_accounts(), 3u);
  EXPECT_EQ(store->deleted_accounts(), 1u);
}

// New keys are made outside the store's lock: threads asking at once for the same new
// accounts (an import's days, sealed side by side, share accounts) get one key each, and
// one slot each is written. An account named twice in one call gets one key too.
TEST_F(KeyStoreTest, ThreadsCreatingTheSameAccountsAgreeOnOneKeyEach) {
  auto store = Open();
  constexpr uint64_t kAccounts = 2000;
  constexpr int kThreads = 4, kRounds = 10;  // rounds: for the threads to meet often
  std::map<uint64_t, std::string> made;       // every account's key, as the threads agreed
  for (int round = 0; round < kRounds; ++round) {
    const uint64_t base = round * kAccounts;
    std::vector<std::vector<std::optional<SecretKey>>> keys(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        std::vector<uint64_t> accounts;
        for (uint64_t a = 1; a <= kAccounts; ++a) accounts.push_back(base + (t % 2 ? kAccounts + 1 - a : a));
        accounts.push_back(accounts.front());  // the first one again
        ASSERT_TRUE(store->GetOrCreateMany(accounts, keys[t]).ok());
        if (t % 2) std::reverse(keys[t].begin(), keys[t].end() - 1);
      });
    }
    for (std::thread& t : threads) t.join();
    for (int t = 0; t < kThreads; ++t) {
      ASSERT_EQ(keys[t].size(), kAccounts + 1);
      for (uint64_t i = 0; i < kAccounts; ++i) {
        ASSERT_TRUE(keys[t][i]) << "thread " << t << ", account " << base + i + 1;
        ASSERT_EQ(keys[t][i]->view(), keys[0][i]->view()) << "thread " << t << ", account " << base + i + 1;
      }
      ASSERT_TRUE(keys[t][kAccounts]);
      EXPECT_EQ(keys[t][kAccounts]->view(), keys[t][t % 2 ? kAccounts - 1 : 0]->view());
    }
    for (uint64_t i = 0; i < kAccounts; ++i) made[base + i + 1] = std::string(keys[0][i]->view());
  }
  ASSERT_TRUE(store->CommitNew().ok());
  EXPECT_EQ(std::filesystem::file_size(path_), made.size() * KeyStore::kSlotBytes) << "one slot an account";
  store = Open();
  EXPECT_EQ(store->live_accounts(), made.size());
  for (uint64_t a = 1; a <= made.size(); a += 97) EXPECT_EQ(store->Get(a)->view(), made[a]);
}

TEST_F(KeyStoreTest, DestroyingAKeyOverwritesItsSlotAndLeavesATombstone) {
  auto store = Open();
  auto key = store->GetOrCreate(42);
  ASSERT_TRUE(store->GetOrCreate(43).ok());
  ASSERT_TRUE(store->CommitNew().ok());
  const std::string before = *PosixFileSystem().ReadAll(path_);
  ASSERT_TRUE(store->Destroy(42).ok());
  const std::string after = *PosixFileSystem().ReadAll(path_);
  EXPECT_EQ(after.size(), before.size());
  EXPECT_NE(after.substr(0, KeyStore::kSlotBytes), before.substr(0, KeyStore::kSlotBytes));
  EXPECT_EQ(after.substr(KeyStore::kSlotBytes), before.substr(KeyStore::kSlotBytes));
  EXPECT_EQ(after.substr(16, KeyStore::kSlotBytes - 16), std::string(KeyStore::kSlotBytes - 16, '\0'));
  EXPECT_TRUE(store->Get(42).status().IsNotFound());
  EXPECT_TRUE(store->GetOrCreate(42).status().IsNotFound()) << "a deleted account gets no new key";
  store = Open();
  EXPECT_TRUE(store->IsDeleted(42));
  EXPECT_TRUE(store->GetOrCreate(42).status().IsNotFound());
  EXPECT_TRUE(store->Get(43).ok());
  EXPECT_TRUE(store->AccountsOfTag(store->TagOf(42)).empty());
  EXPECT_EQ(store->AccountsOfTag(store->TagOf(43)), std::vector<uint64_t>{43});
  EXPECT_EQ(store->deleted_accounts(), 1u);
}

TEST_F(KeyStoreTest, ATornSlotIsCutAndAnAlteredOneIsCorruption) {
  auto store = Open();
  ASSERT_TRUE(store->GetOrCreate(1).ok());
  ASSERT_TRUE(store->CommitNew().ok());
  store.reset();
  std::filesystem::resize_file(path_, KeyStore::kSlotBytes + 40);
  store = Open();
  EXPECT_TRUE(store->Get(1).ok());
  EXPECT_EQ(std::filesystem::file_size(path_), KeyStore::kSlotBytes);
  // Flip a bit of the sealed key (writing a fixed byte could leave it as it was): the slot's
  // checksum says so at once.
  std::string byte = PosixFileSystem().ReadAll(path_)->substr(50, 1);
  byte[0] ^= 0x01;
  ASSERT_TRUE(PosixFileSystem().WriteAt(path_, 50, byte).ok());
  auto damaged = KeyStore::Open(PosixFileSystem(), path_, wrap_, tags_);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.status().code(), Status::Code::kCorruption);
  EXPECT_EQ(damaged.status().message(), path_ + ": the slot at byte 0 fails its checksum");
}

// A slot written before slots had a checksum (zero there) is checked as it always was: a key
// that does not open is corruption, and it is never replaced by a new one.
TEST_F(KeyStoreTest, ASlotWithoutAChecksumThatDoesNotOpenIsCorruption) {
  auto store = Open();
  ASSERT_TRUE(store->GetOrCreate(1).ok());
  ASSERT_TRUE(store->CommitNew().ok());
  store.reset();
  std::string slot = *PosixFileSystem().ReadAll(path_);
  std::fill(slot.begin() + 4, slot.begin() + 8, '\0');
  slot[50] ^= 0x01;
  ASSERT_TRUE(PosixFileSystem().WriteAt(path_, 0, slot).ok());
  store = Open();
  EXPECT_EQ(store->Get(1).status().code(), Status::Code::kCorruption);
  EXPECT_EQ(store->GetOrCreate(1).status().code(), Status::Code::kCorruption)
      << "a damaged slot must never be replaced by a new key";
}

// A store whose index is written once more than 8 slots lie past it, with room for 3 keys.
class IndexedKeyStoreTest : public KeyStoreTest {
 protected:
  static constexpr size_t kCache = 3, kIndexAfter = 8;
  std::unique_ptr<KeyStore> OpenSmall() {
    auto s = KeyStore::Open(PosixFileSystem(), path_, wrap_, tags_, kCache, kIndexAfter);
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  // Accounts 1..n, committed `per_commit` at a time; their keys.
  std::map<uint64_t, std::string> Create(KeyStore& store, uint64_t n, uint64_t per_commit) {
    std::map<uint64_t, std::string> keys;
    for (uint64_t a = 1; a <= n; ++a) {
      keys[a] = std::string(store.GetOrCreate(a)->view());
      if (a % per_commit == 0 || a == n) {
        EXPECT_TRUE(store.CommitNew().ok());
      }
    }
    return keys;
  }
  std::string index_path() const { return path_ + ".index"; }
};

TEST_F(IndexedKeyStoreTest, AnIndexCoversTheSlotsAndKeysAreFoundThroughItWithABoundedCache) {
  auto store = OpenSmall();
  const auto keys = Create(*store, 100, 7);
  EXPECT_TRUE(std::filesystem::exists(index_path()));
  // Rewritten when more than max(8, covered / 8) slots lie past it: at 9, 18, 28, 39, 51,
  // 65, 81 (commits of 7 land on 14, 21, 35, 42, 56, 70, 84, 98).
  EXPECT_EQ(store->indexed_slots(), 98u);
  EXPECT_LE(store->cached_keys(), kCache);
  ASSERT_TRUE(store->Destroy(40).ok());

  // Another store opens the index and reads only the two slots past it.
  auto reopened = OpenSmall();
  EXPECT_EQ(reopened->indexed_slots(), 98u);
  for (const auto& [account, key] : keys) {
    if (account == 40) continue;
    auto got = reopened->Get(account);
    ASSERT_TRUE(got.ok()) << account;
    EXPECT_EQ(got->view(), key) << account;
    EXPECT_LE(reopened->cached_keys(), kCache);
  }
  EXPECT_TRUE(reopened->IsDeleted(40)) << "a tombstone is found through the index";
  EXPECT_TRUE(reopened->GetOrCreate(40).status().IsNotFound());
  EXPECT_EQ(reopened->AccountsOfTag(reopened->TagOf(77)), std::vector<uint64_t>{77});
  EXPECT_EQ(reopened->live_accounts(), 99u);
  EXPECT_EQ(reopened->deleted_accounts(), 1u);
  // A new account gets a new slot, never a second key for a known one.
  EXPECT_TRUE(reopened->GetOrCreate(101).ok());
  ASSERT_TRUE(reopened->CommitNew().ok());
  EXPECT_EQ(std::filesystem::file_size(path_), 101 * KeyStore::kSlotBytes);
}

TEST_F(IndexedKeyStoreTest, AReaderTakesUpTheIndexAWriterWroteAndForgetsKeysDestroyedElsewhere) {
  auto writer = OpenSmall();
  Create(*writer, 5, 5);
  KeyStore reader(PosixFileSystem(), path_, wrap_, tags_, kCache);
  ASSERT_TRUE(reader.CatchUp(writer->mark(), CatchUpAccess::kRead).ok());
  EXPECT_EQ(reader.indexed_slots(), 0u);
  ASSERT_TRUE(reader.Get(3).ok());

  Create(*writer, 30, 10);  // accounts 1..5 known, 6..30 new: an index of 30 slots
  ASSERT_TRUE(writer->Destroy(3).ok());
  auto caught = reader.CatchUp(writer->mark(), CatchUpAccess::kRead);
  ASSERT_TRUE(caught.ok());
  EXPECT_TRUE(*caught) << "a key was destroyed elsewhere";
  EXPECT_EQ(reader.indexed_slots(), 30u);
  EXPECT_TRUE(reader.Get(3).status().IsNotFound()) << "its cached key is forgotten";
  EXPECT_EQ(reader.Get(29)->view(), writer->Get(29)->view());
}

TEST_F(IndexedKeyStoreTest, ADamagedIndexIsReportedOrRebuiltNeverTrustedBlindly) {
  auto store = OpenSmall();
  const auto keys = Create(*store, 40, 40);
  store.reset();
  ASSERT_TRUE(std::filesystem::exists(index_path()));
  const std::string pristine = *PosixFileSystem().ReadAll(index_path());

  // A byte of an entry: the block's checksum says so when a lookup reads it.
  std::string damaged = pristine;
  damaged[20 + 3] ^= 0x01;
  ASSERT_TRUE(PosixFileSystem().WriteAtomically(index_path(), damaged).ok());
  {
    KeyStore reader(PosixFileSystem(), path_, wrap_, tags_, kCache);
    ASSERT_TRUE(reader.CatchUp({40 * KeyStore::kSlotBytes, 0}, CatchUpAccess::kRead).ok());
    Status failed;
    for (uint64_t a = 1; a <= 40 && failed.ok(); ++a) failed = reader.Get(a).status();
    EXPECT_EQ(failed.code(), Status::Code::kCorruption);
    EXPECT_EQ(failed.message(), index_path() + ": the block at byte 20 fails its checksum");
  }
  // A damaged header: no index, so the slots are read; a writer writes it again.
  damaged = pristine;
  damaged[0] = 'X';
  ASSERT_TRUE(PosixFileSystem().WriteAtomically(index_path(), damaged).ok());
  store = OpenSmall();
  EXPECT_EQ(*PosixFileSystem().ReadAll(index_path()), pristine);
  for (const auto& [account, key] : keys) {
    EXPECT_EQ(store->Get(account)->view(), key);
  }
}

}  // namespace
}  // namespace custodian::vault
