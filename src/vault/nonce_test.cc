// Collects every nonce the vault's files carry under account keys (journal frames, segment
// blocks, subscriber frames, key slots) through the paths that could repeat one: crash
// replay, late events after sealing, a sealing that failed and ran again, a bulk import that
// failed and ran again, re-sealing for a hold at retention. No nonce may appear at two places.
#include <filesystem>
#include <map>

#include <gtest/gtest.h>

#include "vault/journal.h"
#include "vault/segment.h"
#include "vault/vault.h"
#include "vault/vault_keys.h"
#include "vault/vault_test_fixture.h"

namespace custodian::vault {
namespace {

class VaultNonceTest : public VaultFaultTest {
 protected:
  void SetUp() override {
    VaultFaultTest::SetUp();
    keys_ = VaultKeys::Load(PosixFileSystem(), dir_ + "/keys/vault.keys", master_).value();
  }
  static std::string Lines(uint64_t account, const std::string& day, int n) {
    std::string text;
    for (int i = 0; i < n; ++i) {
      char line[200];
      std::snprintf(line, sizeof line,
                    "{\"account_id\": %llu, \"ts\": \"%sT%02d:%02d:00Z\", \"kind\": \"login\", "
                    "\"ip\": \"203.0.113.%d\"}\n",
                    static_cast<unsigned long long>(account), day.c_str(), i % 24, i % 60, i % 200);
      text += line;
    }
    return text;
  }
  void Ingest(uint64_t account, const std::string& day, int n) {
    IngestReport r;
    ASSERT_TRUE(vault_->Ingest(Lines(account, day, n), r).ok());
  }

  // Records every nonce now on disk, with where it is; fails on a nonce seen at another place.
  void Collect() {
    for (const auto& e : fs::recursive_directory_iterator(dir_)) {
      const std::string path = e.path().string();
      const std::string name = e.path().filename().string();
      if (name.starts_with("journal-")) {
        auto c = ReadJournal(PosixFileSystem(), path);
        ASSERT_TRUE(c.ok());
        for (size_t i = 0; i < c->frames.size(); ++i) {
          const auto& n = c->frames[i].nonce;
          Add(std::string(n.begin(), n.end()), path + "#" + std::to_string(i));
        }
      } else if (name.starts_with("seg-") && name.ends_with(".seg")) {
        auto s = SegmentReader::Open(PosixFileSystem(), path, keys_->metadata);
        ASSERT_TRUE(s.ok());
        for (size_t i = 0; i < (*s)->blocks(); ++i) {
          const Nonce n = BlockNonce((*s)->id(), i);
          Add(std::string(n.begin(), n.end()), path + "#" + std::to_string(i));
        }
        for (size_t i = 0; i < (*s)->address_chunks(); ++i) {
          const Nonce n = IndexNonce((*s)->id(), kAddressChunk, i);
          Add(std::string(n.begin(), n.end()), path + "#address-chunk-" + std::to_string(i));
        }
        const Nonce fence = IndexNonce((*s)->id(), kAddressFence, 0);
        Add(std::string(fence.begin(), fence.end()), path + "#address-fence");
      } else if (name == "accounts.slots") {
        auto bytes = PosixFileSystem().ReadAll(path);
        for (size_t off = 0; off + 96 <= bytes->size(); off += 96) {
          if ((*bytes)[off] == 1) Add(bytes->substr(off + 16, 24), path + "#" + std::to_string(off));
        }
      }
    }
  }
  void Add(const std::string& nonce, const std::string& place) {
    auto [it, added] = seen_.emplace(nonce, place);
    EXPECT_TRUE(added || it->second == place) << "nonce reused at " << place << " and " << it->second;
  }

  std::map<std::string, std::string> seen_;
  std::optional<VaultKeys> keys_;
};

TEST_F(VaultNonceTest, NoNonceRepeatsAcrossReplayLateEventsRetriesAndReSealing) {
  Ingest(1, "2026-01-10", 30);
  Ingest(2, "2026-01-10", 30);
  Collect();
  Reopen();  // crash replay reads the journal; it writes nothing new
  Ingest(1, "2026-01-10", 5);
  Collect();
  faulty_.FailSyncAfter(0);  // a sealing that fails...
  EXPECT_FALSE(vault_->Seal().ok());
  faulty_.Heal();
  Collect();
  ASSERT_TRUE(vault_->Seal().ok());  // ...and runs again with a new segment id
  Collect();
  Ingest(1, "2026-01-10", 7);  // late events for a sealed day
  ASSERT_TRUE(vault_->Seal().ok());
  Collect();
  IngestReport imported;  // a bulk import into the same day that fails, then its retry
  faulty_.FailSyncAfter(2);
  EXPECT_FALSE(vault_->Import(Lines(1, "2026-01-10", 4), imported).ok());
  faulty_.Heal();
  Collect();
  ASSERT_TRUE(vault_->Import(Lines(1, "2026-01-10", 4), imported).ok());
  Collect();
  Hold hold;
  hold.id = "H-1";
  hold.account = 1;
  hold.case_id = "C-1";
  hold.placed = clock_.Now();
  hold.expires = Timestamp{clock_.Now().micros + 120 * kMicrosPerDay};
  hold.covers_until = clock_.Now();
  ASSERT_TRUE(vault_->PlaceHold(hold).ok());
  clock_.Set(T("2026-04-20T00:00:00Z"));
  auto r = vault_->RunRetention();  // re-seals account 1's events under a new segment id
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->partitions_kept_for_holds, 1u);
  Collect();
  // 2 key slots, 3 journal frames, 3 blocks sealed from journals, 1 imported, 1 re-sealed.
  EXPECT_GE(seen_.size(), 10u);
  // The re-sealed data still reads back whole.
  GrantScope scope;
  scope.case_id = "C-1";
  scope.accounts = {1};
  scope.categories.Add(Category::kAccessLog);
  scope.start = T("2026-01-01T00:00:00Z");
  scope.end = T("2026-02-01T00:00:00Z");
  scope.expires = Timestamp{clock_.Now().micros + kMicrosPerDay};
  auto records = vault_->ReadAccount(vault_->grants().Issue(scope), 1, scope.start, scope.end, audit_);
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), 46u);
}

}  // namespace
}  // namespace custodian::vault
