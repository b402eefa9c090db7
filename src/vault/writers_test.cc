// Several writers of one vault: two Vault objects in one process (the writer lock is a flock,
// per open file description, so they exclude each other as two processes do), threads, and
// two processes. Each write catches up with what the other wrote on every file the vault
// appends to or replaces (key slots, dictionary, journal, segments, subscriber log, holds),
// and nothing either wrote is lost or misread (an event shows its own user agent).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "vault/vault_test_fixture.h"

namespace custodian::vault {
namespace {

using ::testing::HasSubstr;

// An event whose user agent and device name its account and number, so that a misread shows.
std::string Tagged(uint64_t account, int n, const char* day = "2026-03-12") {
  char ts[40];
  std::snprintf(ts, sizeof ts, "%sT%02d:%02d:%02dZ", day, (n / 3600) % 24, (n / 60) % 60, n % 60);
  return Event(account, ts, "203.0.113.5",
               ", \"user_agent\": \"ua-" + std::to_string(account) + "-" + std::to_string(n) +
                   "\", \"device_id\": \"dev-" + std::to_string(account) + "\"");
}

std::string Version(uint64_t account, const char* from, const std::string& username) {
  return "{\"account_id\": " + std::to_string(account) + ", \"effective_from\": \"" + from +
         "\", \"username\": \"" + username + "\"}\n";
}

class VaultWritersTest : public VaultTest {
 protected:
  std::unique_ptr<Vault> OpenAnother(VaultOptions options) {
    auto v = EmbeddedVault::Open(dir_, master_, options);
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? std::move(v).value() : nullptr;
  }
  // Every event of `account` as `vault` reads it: "time user-agent device".
  std::vector<std::string> Events(Vault& vault, uint64_t account) {
    const Timestamp start = T("2026-01-01T00:00:00Z"), end = T("2026-03-21T00:00:00Z");
    auto r = vault.ReadAccount(GrantFor(vault, {account}, start, end, {Category::kAccessLog, Category::kDevice}),
                               account, start, end, audit_);
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (const AccessRecord& e : *r) {
      out.push_back(FormatDateTime(e.ts) + " " + std::string(e.user_agent.value_or("-")) + " " +
                    e.device_id.value_or("-"));
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<std::string> Usernames(Vault& vault, uint64_t account) {
    const Timestamp start = T("2025-01-01T00:00:00Z"), end = T("2026-03-21T00:00:00Z");
    GrantScope scope;
    scope.case_id = "C-2026-000001";
    scope.accounts = {account};
    scope.categories.Add(Category::kBasicSubscriber);
    scope.start = start;
    scope.end = end;
    scope.expires = Timestamp{clock_.Now().micros + kMicrosPerDay};
    auto r = vault.ReadSubscriber(vault.grants().Issue(std::move(scope)), account, start, end, audit_);
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& v : *r) out.push_back(v.username.value_or("-"));
    }
    return out;
  }
  // What `text` (Tagged lines) says the account's events are.
  static void Expect(std::map<uint64_t, std::vector<std::string>>& expected, const std::string& text) {
    for (size_t pos = 0; pos < text.size();) {
      const size_t nl = text.find('\n', pos);
      const std::string line = text.substr(pos, nl - pos);
      pos = nl + 1;
      const uint64_t account = std::stoull(line.substr(line.find("\"account_id\": ") + 14));
      const size_t ts = line.find("\"ts\": \"") + 7;
      const size_t ua = line.find("\"user_agent\": \"") + 15;
      expected[account].push_back(line.substr(ts, line.find('"', ts) - ts) + " " +
                                  line.substr(ua, line.find('"', ua) - ua) + " dev-" + std::to_string(account));
    }
    for (auto& [account, events] : expected) std::sort(events.begin(), events.end());
  }
  void ExpectEverywhere(const std::vector<Vault*>& vaults,
                        const std::map<uint64_t, std::vector<std::string>>& expected, const char* step) {
    SCOPED_TRACE(step);
    auto fresh = OpenAnother(options_);
    ASSERT_NE(fresh, nullptr);
    std::vector<Vault*> all = vaults;
    all.push_back(fresh.get());
    for (size_t i = 0; i < all.size(); ++i) {
      for (const auto& [account, events] : expected) {
        EXPECT_EQ(Events(*all[i], account), events) << "vault " << i << ", account " << account;
      }
    }
  }
  IngestReport IngestInto(Vault& vault, const std::string& text) {
    IngestReport report;
    Status s = vault.Ingest(text, report);
    EXPECT_TRUE(s.ok()) << s.message();
    return report;
  }
};

TEST_F(VaultWritersTest, TwoVaultsTakeTurnsOnEveryFileAndBothReadEverything) {
  Vault& a = *vault_;
  auto b_owner = OpenAnother(options_);
  ASSERT_NE(b_owner, nullptr);
  Vault& b = *b_owner;
  std::map<uint64_t, std::vector<std::string>> expected;
  const auto ingest = [&](Vault& v, const std::string& text) {
    IngestInto(v, text);
    Expect(expected, text);
  };

  // Key slots, dictionary strings and the journal, appended by each in turn.
  ingest(a, Tagged(1, 1) + Tagged(1, 2));
  ingest(b, Tagged(2, 1) + Tagged(1, 3));
  ingest(a, Tagged(3, 1) + Tagged(2, 2));
  ingest(b, Tagged(4, 1));
  ExpectEverywhere({&a, &b}, expected, "appends in turn");

  // The subscriber log.
  IngestReport r;
  ASSERT_TRUE(a.IngestSubscribers(Version(1, "2025-06-01T00:00:00Z", "ann"), r).ok());
  ASSERT_TRUE(b.IngestSubscribers(Version(2, "2025-06-01T00:00:00Z", "bo") + Version(5, "2025-06-01T00:00:00Z", "eve"), r).ok());
  // (eve0 was superseded long ago: retention rewrites the log without it, further down.)
  ASSERT_TRUE(a.IngestSubscribers(Version(1, "2025-09-01T00:00:00Z", "ann2") +
                                      Version(5, "2024-01-01T00:00:00Z", "eve0") +
                                      Version(5, "2024-06-01T00:00:00Z", "eve1"),
                                  r).ok());
  const auto expect_versions = [&](Vault& v) {
    EXPECT_EQ(Usernames(v, 1), (std::vector<std::string>{"ann", "ann2"}));
    EXPECT_EQ(Usernames(v, 2), std::vector<std::string>{"bo"});
    EXPECT_EQ(Usernames(v, 5), (std::vector<std::string>{"eve1", "eve"}));
  };
  expect_versions(a);
  expect_versions(b);

  // Holds, replaced whole by either.
  Hold hold = HoldOn("H-1", 2, T("2026-12-31T00:00:00Z"));
  ASSERT_TRUE(a.PlaceHold(hold).ok());
  ASSERT_EQ(b.Holds().size(), 1u);
  hold.id = "H-2";
  ASSERT_TRUE(b.PlaceHold(hold).ok());
  EXPECT_EQ(a.Holds().size(), 2u);
  ASSERT_TRUE(a.ReleaseHold("H-1").ok());
  ASSERT_TRUE(b.ReleaseHold("H-2").ok());
  EXPECT_TRUE(a.Holds().empty());

  // A key destroyed by one is gone for the other, memtable and all.
  ASSERT_EQ(b.DeleteAccount(3).value(), DeletionOutcome::kDeleted);
  expected.erase(3);
  EXPECT_TRUE(Events(a, 3).empty());
  EXPECT_TRUE(a.DeleteAccount(3).ok());
  IngestReport refused = IngestInto(a, Tagged(3, 9));
  EXPECT_EQ(refused.rejected, 1u) << "a deleted account gets no new key from the other writer";

  // A day sealed by one while the other holds its journal's events in memory; then more.
  ASSERT_TRUE(a.Seal().ok());
  ingest(b, Tagged(1, 4) + Tagged(6, 1));
  ingest(a, Tagged(6, 2));
  ExpectEverywhere({&a, &b}, expected, "after a seal");

  // A bulk import by one (segments, new keys and strings) between the other's batches.
  std::string imported;
  for (int n = 0; n < 20; ++n) imported += Tagged(7 + n % 3, 100 + n, "2026-03-13");
  ASSERT_TRUE(b.Import(imported, r).ok());
  Expect(expected, imported);
  ingest(a, Tagged(7, 200, "2026-03-13") + Tagged(8, 201));
  ExpectEverywhere({&a, &b}, expected, "after an import");

  // Retention by one: a day past it leaves both.
  ingest(a, Tagged(9, 1, "2026-01-05"));
  ExpectEverywhere({&a, &b}, expected, "before retention");
  clock_.Set(T("2026-04-06T00:00:00Z"));
  auto retained = b.RunRetention();
  ASSERT_TRUE(retained.ok()) << retained.status().message();
  EXPECT_EQ(retained->partitions_deleted, 1u);
  EXPECT_EQ(retained->subscriber_versions_deleted, 1u);
  clock_.Set(T("2026-03-20T12:00:00Z"));
  expect_versions(a);  // the log was rewritten under it: read again, not at old offsets
  ASSERT_TRUE(a.IngestSubscribers(Version(2, "2025-10-01T00:00:00Z", "bo2"), r).ok());
  EXPECT_EQ(Usernames(b, 2), (std::vector<std::string>{"bo", "bo2"}));
  for (auto& [account, events] : expected) {
    std::erase_if(events, [](const std::string& e) { return e.starts_with("2026-01-05"); });
  }
  ingest(a, Tagged(9, 2));
  ExpectEverywhere({&a, &b}, expected, "after retention");
  EXPECT_EQ(a.Stats()->partitions, b.Stats()->partitions);
}

// Two writers in threads, each its own vault object, batches as fast as they come: every
// batch of both lands, each event with its own user agent.
TEST_F(VaultWritersTest, ConcurrentWritersLoseAndMixUpNothing) {
  auto b_owner = OpenAnother(options_);
  ASSERT_NE(b_owner, nullptr);
  std::vector<std::string> texts(2);
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    Vault& v = w == 0 ? *vault_ : *b_owner;
    threads.emplace_back([&, w, &v = v] {
      for (int batch = 0; batch < 30; ++batch) {
        std::string text;
        // New accounts and strings in every batch, and accounts the other writer also uses.
        for (int i = 0; i < 10; ++i) {
          const uint64_t account = i < 5 ? 1000 + w * 1000 + batch * 5 + i : 1 + i;
          text += Tagged(account, w * 10000 + batch * 10 + i);
        }
        IngestReport report;
        Status s = v.Ingest(text, report);
        ASSERT_TRUE(s.ok()) << s.message();
        ASSERT_EQ(report.accepted, 10u);
        texts[w] += text;
        IngestReport subscribers;
        ASSERT_TRUE(v.IngestSubscribers(Version(1000 + w * 1000 + batch * 5, "2025-06-01T00:00:00Z",
                                                "user" + std::to_string(w * 1000 + batch)),
                                        subscribers).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::map<uint64_t, std::vector<std::string>> expected;
  Expect(expected, texts[0] + texts[1]);
  ExpectEverywhere({vault_.get(), b_owner.get()}, expected, "after both");
  for (int w = 0; w < 2; ++w) {
    for (int batch = 0; batch < 30; ++batch) {
      EXPECT_EQ(Usernames(*vault_, 1000 + w * 1000 + batch * 5),
                std::vector<std::string>{"user" + std::to_string(w * 1000 + batch)});
    }
  }
}

// The same with a second process: a child ingests and imports while the parent ingests.
TEST_F(VaultWritersTest, TwoProcessesWriteSideBySide) {
  std::string child_text, parent_text;
  for (int batch = 0; batch < 40; ++batch) {
    for (int i = 0; i < 5; ++i) {
      child_text += Tagged(2000 + batch * 5 + i, batch * 10 + i);
      parent_text += Tagged(3000 + batch * 5 + i, batch * 10 + i);
    }
  }
  vault_.reset();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    VaultOptions options;
    options.clock = &clock_;
    auto v = EmbeddedVault::Open(dir_, master_, options);
    if (!v.ok()) ::_exit(3);
    for (size_t pos = 0; pos < child_text.size();) {
      const size_t end = child_text.find('\n', pos + 400);  // a few lines a batch
      const size_t stop = end == std::string::npos ? child_text.size() : end + 1;
      IngestReport r;
      if (!(*v)->Ingest(std::string_view(child_text).substr(pos, stop - pos), r).ok()) ::_exit(4);
      pos = stop;
    }
    IngestReport r;
    if (!(*v)->Import(Tagged(4000, 1, "2026-03-14") + Tagged(4001, 2, "2026-03-14"), r).ok()) ::_exit(5);
    ::_exit(0);
  }
  Reopen();
  for (size_t pos = 0; pos < parent_text.size();) {
    const size_t end = parent_text.find('\n', pos + 400);
    const size_t stop = end == std::string::npos ? parent_text.size() : end + 1;
    IngestInto(*vault_, parent_text.substr(pos, stop - pos));
    pos = stop;
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  std::map<uint64_t, std::vector<std::string>> expected;
  Expect(expected, child_text + parent_text + Tagged(4000, 1, "2026-03-14") + Tagged(4001, 2, "2026-03-14"));
  ExpectEverywhere({vault_.get()}, expected, "after both processes");
}

// An import through `vault` that holds the writer lock, paused at its first progress report
// until Finish().
class PausedImport {
 public:
  PausedImport(Vault& vault, std::string text)
      : thread_([this, &vault, text = std::move(text)] {
          IngestReport r;
          bool first = true;
          Status s = vault.Import(text, r, [&](uint64_t, uint64_t) {
            if (!first) return;
            first = false;
            std::unique_lock lock(mu_);
            importing_ = true;
            cv_.notify_all();
            cv_.wait(lock, [&] { return release_; });
          });
          EXPECT_TRUE(s.ok()) << s.message();
        }) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return importing_; });
  }
  ~PausedImport() {
    if (thread_.joinable()) Finish();
  }
  void Finish() {
    {
      std::lock_guard lock(mu_);
      release_ = true;
      cv_.notify_all();
    }
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool importing_ = false, release_ = false;
  std::thread thread_;  // last: it starts once the rest is in place
};

// A second writer waits for the first, up to its limit, and then says who holds the lock.
TEST_F(VaultWritersTest, ABusyLockIsWaitedForThenNamed) {
  PausedImport import(*vault_, Tagged(1, 1) + Tagged(2, 2));
  VaultOptions impatient = options_;
  impatient.lock_wait = std::chrono::milliseconds(100);
  auto other = OpenAnother(impatient);
  ASSERT_NE(other, nullptr);
  IngestReport r;
  Status s = other->Ingest(Tagged(3, 3), r);
  EXPECT_EQ(s.code(), Status::Code::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr(dir_ + "/vault/LOCK: the vault's writer lock is held by pid " +
                                     std::to_string(::getpid()) + " ("));
  EXPECT_THAT(s.message(), HasSubstr("), import, since 20"));
  EXPECT_EQ(r.accepted, 0u);
  // Reads go on meanwhile.
  EXPECT_TRUE(Events(*other, 1).empty());
  import.Finish();
  // A patient writer goes ahead once the lock is free.
  ASSERT_TRUE(other->Ingest(Tagged(3, 3), r).ok());
  EXPECT_EQ(Events(*other, 1).size(), 1u);
  EXPECT_EQ(Events(*vault_, 3).size(), 1u);
}

// Writers through one vault object (a server's request threads) take turns in the process,
// and one that waits past its limit names the operation it waited for.
TEST_F(VaultWritersTest, WritersOfOneVaultObjectTakeTurnsAndNameTheHolder) {
  VaultOptions impatient = options_;
  impatient.lock_wait = std::chrono::milliseconds(100);
  auto shared = OpenAnother(impatient);
  ASSERT_NE(shared, nullptr);
  PausedImport import(*shared, Tagged(1, 1));
  IngestReport r;
  Status s = shared->Ingest(Tagged(3, 3), r);
  EXPECT_EQ(s.code(), Status::Code::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr(dir_ + "/vault/LOCK: the vault's writer lock is held by this process (import); waited 0 s"));
  EXPECT_EQ(r.accepted, 0u);
  import.Finish();
  // Eight threads writing through one object at once (with the usual patience): each in its
  // turn, none refused, nothing lost.
  auto patient = OpenAnother(options_);
  ASSERT_NE(patient, nullptr);
  std::vector<std::thread> writers;
  for (uint64_t t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      for (uint64_t i = 0; i < 20; ++i) {
        IngestReport each;
        Status w = patient->Ingest(Tagged(100 + t * 20 + i, 100 + t * 20 + i), each);
        EXPECT_TRUE(w.ok()) << w.message();
      }
    });
  }
  for (auto& w : writers) w.join();
  for (uint64_t a = 100; a < 260; ++a) EXPECT_EQ(Events(*patient, a).size(), 1u) << a;
}

// A reader that opens the vault while another process imports changes no file, and the
// import completes whole (the reader used to delete its pending segments).
TEST_F(VaultWritersTest, AReaderDuringAnImportChangesNothingAndTheImportCompletes) {
  std::string text;
  for (int n = 0; n < 6000; ++n) text += Tagged(1 + n % 50, n, n % 2 ? "2026-03-12" : "2026-03-13");
  vault_.reset();
  int to_parent[2], to_child[2];
  ASSERT_EQ(::pipe(to_parent), 0);
  ASSERT_EQ(::pipe(to_child), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    VaultOptions options;
    options.clock = &clock_;
    options.import_round_bytes = 64 << 10;  // several rounds: pending segments early on
    auto v = EmbeddedVault::Open(dir_, master_, options);
    if (!v.ok()) ::_exit(3);
    int calls = 0;
    IngestReport r;
    Status s = (*v)->Import(text, r, [&](uint64_t, uint64_t) {
      if (++calls != 3) return;  // two rounds sealed into pending segments
      char c = 'p';
      if (::write(to_parent[1], &c, 1) != 1 || ::read(to_child[0], &c, 1) != 1) ::_exit(6);
    });
    ::_exit(s.ok() && r.accepted == 6000 ? 0 : 4);
  }
  char c;
  ASSERT_EQ(::read(to_parent[0], &c, 1), 1);
  const auto before = Snapshot();
  size_t pending = 0;
  for (const auto& [path, bytes] : before) pending += path.ends_with(".pending");
  EXPECT_GT(pending, 0u) << "the import was paused before its pending segments were written";
  {
    auto reader = EmbeddedVault::Open(dir_, master_, options_);
    ASSERT_TRUE(reader.ok()) << reader.status().message();
    EXPECT_EQ((*reader)->Stats()->events, 0u) << "nothing of the import is committed yet";
  }
  EXPECT_EQ(Snapshot(), before) << "a reader changes no file";
  ASSERT_EQ(::write(to_child[1], "g", 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  Reopen();
  EXPECT_EQ(vault_->Stats()->events, 6000u);
  EXPECT_TRUE(Files(".pending").empty());
}

}  // namespace
}  // namespace custodian::vault
