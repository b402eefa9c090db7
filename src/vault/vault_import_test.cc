// Vault::Import, the bulk path: it stores what Ingest stores and refuses what Ingest refuses,
// and it is all or nothing, through failed syncs and kill -9.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "vault/vault_test_fixture.h"

namespace custodian::vault {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Events of accounts 1–5 over days 10–14 of March, in file order: `n` lines.
std::string Workload(int n, const std::string& id_prefix = "") {
  std::string text;
  for (int i = 0; i < n; ++i) {
    char ts[40];
    std::snprintf(ts, sizeof ts, "2026-03-%02dT%02d:%02d:%02d.%06dZ", 10 + i % 5, i % 24, i % 60,
                  (i * 7) % 60, i);
    std::string extra = ", \"port\": " + std::to_string(1000 + i) + ", \"device_id\": \"dev-" +
                        std::to_string(i % 3) + "\", \"user_agent\": \"UA " + std::to_string(i % 4) + "\"";
    if (!id_prefix.empty()) extra += ", \"event_id\": \"" + id_prefix + std::to_string(i) + "\"";
    text += Event(1 + i % 5, ts, i % 2 ? "203.0.113.5" : "2001:db8::7", extra);
  }
  return text;
}

class VaultImportTest : public VaultTest {
 protected:
  IngestReport Import(const std::string& text) {
    IngestReport report;
    Status s = vault_->Import(text, report);
    EXPECT_TRUE(s.ok()) << s.message();
    return report;
  }
  // Every event of accounts 1–9, as text, in order.
  std::vector<std::string> Everything() {
    std::vector<std::string> out;
    for (uint64_t account = 1; account <= 9; ++account) {
      for (const AccessRecord& r : Read(account, "2026-03-01T00:00:00Z", "2026-03-21T00:00:00Z",
                                        {Category::kAccessLog, Category::kDevice})) {
        out.push_back(std::to_string(r.account_id) + " " + FormatDateTime(r.ts) + " " +
                      r.ip.ToString() + ":" + std::to_string(r.port.value_or(0)) + " " +
                      std::string(r.user_agent.value_or("-")) + " " + r.device_id.value_or("-"));
      }
    }
    return out;
  }
  void Recreate() {
    vault_.reset();
    fs::remove_all(dir_);
    ASSERT_TRUE(EmbeddedVault::Create(dir_, master_).ok());
    Reopen();
  }
};

TEST_F(VaultImportTest, StoresExactlyWhatIngestStores) {
  // Bad lines among good ones, and rounds and pieces small enough that lines are numbered
  // across several of each.
  std::string text = Workload(300);
  text.insert(text.find('\n', text.size() / 3) + 1, "not json\n\n");
  text += Event(1, "2025-01-01T00:00:00Z", "203.0.113.5") + "{\"account_id\": 2}\n";
  options_.import_round_bytes = 4096;
  options_.threads = 3;
  Reopen();
  const IngestReport ingested = Ingest(text);
  const std::vector<std::string> expected = Everything();
  ASSERT_EQ(expected.size(), 300u);

  Recreate();
  const IngestReport imported = Import(text);
  EXPECT_EQ(imported.accepted, ingested.accepted);
  EXPECT_EQ(imported.rejected, 3u);
  ASSERT_EQ(imported.errors.size(), ingested.errors.size());
  for (size_t i = 0; i < imported.errors.size(); ++i) {
    EXPECT_EQ(imported.errors[i].line, ingested.errors[i].line);
    EXPECT_EQ(imported.errors[i].error, ingested.errors[i].error);
  }
  EXPECT_EQ(Everything(), expected);
  auto stats = vault_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->unsealed_events, 0u);  // sealed straight into segments
  EXPECT_GT(stats->segments, 5u);  // several rounds: more than one segment a day
  EXPECT_TRUE(Files(".log").empty()) << "no journal";
  Reopen();
  EXPECT_EQ(Everything(), expected);
}

TEST_F(VaultImportTest, KnownEventIdsAreNotStoredTwice) {
  Ingest(Event(1, "2026-03-10T08:00:00Z", "203.0.113.5", ", \"event_id\": \"e1\""));
  options_.import_round_bytes = 200;  // one line a round: the second e2 comes in a later round
  Reopen();
  const IngestReport r = Import(
      Event(1, "2026-03-10T08:00:00Z", "203.0.113.5", ", \"event_id\": \"e1\"") +
      Event(1, "2026-03-10T09:00:00Z", "203.0.113.5", ", \"event_id\": \"e2\"") +
      Event(1, "2026-03-10T09:00:00Z", "203.0.113.5", ", \"event_id\": \"e2\"") +
      Event(2, "2026-03-10T09:00:00Z", "203.0.113.5", ", \"event_id\": \"e2\""));
  EXPECT_EQ(r.accepted, 4u);
  EXPECT_EQ(r.duplicates, 2u);
  EXPECT_EQ(Read(1).size(), 2u);
  EXPECT_EQ(Read(2).size(), 1u);  // event ids are an account's own
}

TEST_F(VaultImportTest, EventsOfADeletedAccountAreRejected) {
  Ingest(Event(9, "2026-03-10T08:00:00Z", "203.0.113.5"));
  ASSERT_TRUE(vault_->DeleteAccount(9).ok());
  const IngestReport r = Import(Event(8, "2026-03-10T08:00:00Z", "203.0.113.5") +
                                Event(9, "2026-03-10T09:00:00Z", "203.0.113.5"));
  EXPECT_EQ(r.accepted, 1u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 2u);
  EXPECT_EQ(r.errors[0].error, "account_id: the account was deleted");
}

TEST_F(VaultImportTest, ProgressCountsEveryByteAndLine) {
  const std::string text = Workload(50);
  uint64_t bytes = 0, lines = 0;
  IngestReport report;
  ASSERT_TRUE(vault_->Import(text, report, [&](uint64_t b, uint64_t l) {
    EXPECT_GE(b, bytes);
    bytes = b;
    lines = l;
  }).ok());
  EXPECT_EQ(bytes, text.size());
  EXPECT_EQ(lines, 50u);
}

using VaultImportFaultTest = WithFaultyFiles<VaultImportTest>;

TEST_F(VaultImportFaultTest, AnImportIsAllOrNothingWhereverASyncFails) {
  const std::string text = Workload(100);
  int nothing = 0, everything = 0;
  for (int fail_at = 0; fail_at < 40; ++fail_at) {
    SCOPED_TRACE(fail_at);
    vault_.reset();
    fs::remove_all(dir_);
    ASSERT_TRUE(EmbeddedVault::Create(dir_, master_).ok());
    Reopen();
    Ingest(Event(6, "2026-03-10T08:00:00Z", "203.0.113.5"));
    faulty_.FailSyncAfter(fail_at);
    IngestReport report;
    const bool ok = vault_->Import(text, report).ok();
    faulty_.Heal();
    ASSERT_TRUE(faulty_.DropUnsyncedData().ok());
    Reopen();
    const size_t read = Everything().size();
    ASSERT_TRUE(vault_->Recover().ok());  // the next writer finishes or discards the import
    const size_t stored = Everything().size();
    EXPECT_EQ(read, stored) << "a reader sees what the writer will finish";
    if (ok) {
      EXPECT_EQ(report.accepted, 100u);
      EXPECT_EQ(stored, 101u);
      break;  // no fault left to inject
    }
    EXPECT_EQ(report.accepted, 0u);
    EXPECT_TRUE(stored == 1 || stored == 101) << stored << " events";
    (stored == 1 ? nothing : everything)++;
    EXPECT_TRUE(Files(".pending").empty());
    EXPECT_TRUE(Files(".tmp").empty());
    EXPECT_FALSE(fs::exists(fs::path(dir_) / "vault/IMPORT"));
  }
  EXPECT_GE(nothing, 5) << "failures before the commit point were not exercised";
  EXPECT_GE(everything, 2) << "failures after the commit point were not exercised";
}

TEST_F(VaultImportTest, AnInterruptedCommitIsReadByReadersAndFinishedByTheNextWriter) {
  const std::string text = Workload(100);
  Import(text);
  const std::vector<std::string> expected = Everything();
  // Put the vault back where a crash just after the commit point leaves it: the intent
  // written, no segment renamed yet.
  vault_.reset();
  std::string intent;
  for (const fs::path& p : Files(".seg")) {
    fs::rename(p, p.string() + ".pending");
    intent += fs::relative(p, dir_).string() + "\n";
  }
  std::ofstream(fs::path(dir_) / "vault/IMPORT") << intent;
  const auto before = Snapshot();
  Reopen();
  EXPECT_EQ(Everything(), expected);
  EXPECT_EQ(Snapshot(), before) << "a reader changes no file";
  ASSERT_TRUE(vault_->Recover().ok());
  EXPECT_EQ(Everything(), expected);
  EXPECT_TRUE(Files(".pending").empty());
  EXPECT_FALSE(fs::exists(fs::path(dir_) / "vault/IMPORT"));
  Reopen();
  EXPECT_EQ(Everything(), expected);
}

TEST_F(VaultImportTest, PendingSegmentsWithoutTheIntentAreDiscardedByTheNextWriter) {
  Import(Workload(100));
  vault_.reset();
  for (const fs::path& p : Files(".seg")) fs::rename(p, p.string() + ".pending");
  Reopen();
  EXPECT_TRUE(Everything().empty());
  EXPECT_FALSE(Files(".pending").empty()) << "a reader deletes nothing: an import may be at work";
  ASSERT_TRUE(vault_->Recover().ok());
  EXPECT_TRUE(Everything().empty());
  EXPECT_TRUE(Files(".pending").empty());
}

TEST_F(VaultImportTest, KillDashNineLeavesNothingOrEverything) {
  const std::string text = Workload(20000);
  for (int delay_ms : {0, 5, 20, 60}) {
    SCOPED_TRACE(delay_ms);
    Recreate();
    vault_.reset();
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      VaultOptions options;
      options.clock = &clock_;
      options.import_round_bytes = 64 << 10;  // many segments to commit
      auto v = EmbeddedVault::Open(dir_, master_, options);
      if (!v.ok()) ::_exit(3);
      IngestReport r;
      ::_exit((*v)->Import(text, r).ok() ? 0 : 4);
    }
    ::usleep(delay_ms * 1000);
    ::kill(child, SIGKILL);
    int status;
    ::waitpid(child, &status, 0);
    Reopen();
    const size_t stored = Everything().size();
    EXPECT_TRUE(stored == 0 || stored == 20000) << stored << " events";
    ASSERT_TRUE(vault_->Recover().ok());
    EXPECT_EQ(Everything().size(), stored);
    EXPECT_TRUE(Files(".pending").empty());
  }
}

TEST_F(VaultImportTest, ReadsGoOnWhileAnImportRuns) {
  Ingest(Event(6, "2026-03-10T08:00:00Z", "203.0.113.5"));
  const std::string text = Workload(20000);
  std::atomic<bool> done{false};
  std::thread importer([&] {
    IngestReport r;
    EXPECT_TRUE(vault_->Import(text, r).ok());
    done = true;
  });
  size_t reads = 0;
  while (!done) {
    const size_t n = Read(1).size();
    ASSERT_TRUE(n == 0 || n == 4000u) << n;  // each day's segment appears whole
    ++reads;
  }
  importer.join();
  EXPECT_GT(reads, 0u);
  EXPECT_EQ(Read(1).size(), 4000u);
  EXPECT_EQ(Read(6).size(), 1u);
}

}  // namespace
}  // namespace custodian::vault
