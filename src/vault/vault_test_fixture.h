// The fixture the vault's library-level tests share: a vault in a temp directory with a
// manual clock, helpers that write NDJSON events and read one account back under a grant, and
// a variant whose files go through the fault-injecting file system.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/testing/faulty_file_system.h"
#include "vault/embedded_vault.h"

namespace custodian::vault {

namespace fs = std::filesystem;

inline Timestamp T(const char* text) { return ParseDateTime(text).value(); }

// One NDJSON access event.
inline std::string Event(uint64_t account, const char* ts, const char* ip, std::string extra = "") {
  return "{\"account_id\": " + std::to_string(account) + ", \"ts\": \"" + ts +
         "\", \"kind\": \"login\", \"ip\": \"" + ip + "\"" + extra + "}\n";
}

class RecordingAudit : public ReadAudit {
 public:
  Status RecordRead(const Grant& grant, const std::string& what) override {
    if (fail) return Status::IoError("audit ledger unavailable");
    reads.push_back(grant.scope.case_id + ": " + what);
    return Status::Ok();
  }
  bool fail = false;
  std::vector<std::string> reads;
};

class VaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/custodian_vault_test_XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    master_ = SecretKey::Random();
    ASSERT_TRUE(EmbeddedVault::Create(dir_, master_).ok());
    options_.clock = &clock_;
    Reopen();
  }
  void TearDown() override {
    vault_.reset();
    fs::remove_all(dir_);
  }

  void Reopen() {
    vault_.reset();
    auto v = EmbeddedVault::Open(dir_, master_, options_);
    ASSERT_TRUE(v.ok()) << v.status().message();
    vault_ = std::move(v).value();
  }

  IngestReport Ingest(const std::string& text) {
    IngestReport report;
    Status s = vault_->Ingest(text, report);
    EXPECT_TRUE(s.ok()) << s.message();
    return report;
  }

  Grant GrantFor(std::vector<uint64_t> accounts, Timestamp start, Timestamp end,
                 std::vector<Category> categories = {Category::kAccessLog}) {
    return GrantFor(*vault_, std::move(accounts), start, end, std::move(categories));
  }
  // The same from `vault`, another vault object of the test.
  Grant GrantFor(Vault& vault, std::vector<uint64_t> accounts, Timestamp start, Timestamp end,
                 std::vector<Category> categories) {
    GrantScope scope;
    scope.case_id = "C-2026-000001";
    scope.accounts = std::move(accounts);
    for (Category c : categories) scope.categories.Add(c);
    scope.start = start;
    scope.end = end;
    scope.expires = Timestamp{clock_.Now().micros + kMicrosPerDay};
    return vault.grants().Issue(std::move(scope));
  }

  // A hold `id` of `case_id` on `account`, placed now, covering until now, lasting to `expires`.
  Hold HoldOn(std::string id, uint64_t account, Timestamp expires, std::string case_id = "C-1") {
    Hold hold;
    hold.id = std::move(id);
    hold.account = account;
    hold.case_id = std::move(case_id);
    hold.placed = clock_.Now();
    hold.expires = expires;
    hold.covers_until = clock_.Now();
    return hold;
  }

  std::vector<AccessRecord> Read(uint64_t account, const char* start = "2026-03-01T00:00:00Z",
                                 const char* end = "2026-03-21T00:00:00Z",
                                 std::vector<Category> categories = {Category::kAccessLog}) {
    auto r = vault_->ReadAccount(GrantFor({account}, T(start), T(end), categories), account,
                                 T(start), T(end), audit_);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<AccessRecord>{};
  }

  // Every byte the vault wrote, in one string.
  std::string AllBytesOnDisk() {
    std::string all;
    for (const auto& e : fs::recursive_directory_iterator(dir_)) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      all += ss.str();
    }
    return all;
  }

  // The vault's lock record, as text; put back, it stages a crash: a writer that wrote after
  // it and died before it said so in the record.
  std::string LockRecordText() { return ReadBytes(fs::path(dir_) / "vault/LOCK"); }
  void PutLockRecord(const std::string& text) {
    std::ofstream(fs::path(dir_) / "vault/LOCK", std::ios::binary | std::ios::trunc) << text;
  }
  static std::string ReadBytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Every file of the data directory and its bytes.
  std::map<std::string, std::string> Snapshot() {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(dir_)) {
      if (e.is_regular_file()) files[fs::relative(e.path(), dir_).string()] = ReadBytes(e.path());
    }
    return files;
  }

  // Files of the day partitions whose name ends with `suffix`.
  std::vector<fs::path> Files(const std::string& suffix) {
    std::vector<fs::path> out;
    for (const auto& e : fs::recursive_directory_iterator(fs::path(dir_) / "vault/days")) {
      if (e.path().string().ends_with(suffix)) out.push_back(e.path());
    }
    return out;
  }

  std::string dir_;
  SecretKey master_;
  ManualClock clock_{T("2026-03-20T12:00:00Z")};
  VaultOptions options_;
  RecordingAudit audit_;
  std::unique_ptr<Vault> vault_;
};

// A vault test whose files go through the fault-injecting file system.
template <typename Base>
class WithFaultyFiles : public Base {
 protected:
  void SetUp() override {
    this->options_.fs = &faulty_;
    Base::SetUp();
  }
  testing::FaultyFileSystem faulty_;
};
using VaultFaultTest = WithFaultyFiles<VaultTest>;

}  // namespace custodian::vault
