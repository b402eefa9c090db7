// The vault end to end through its library API: ingest, durability across reopen and
// sealing, grant-checked reads, deduplication, what reaches the disk, tampering and faults.
#include "vault/embedded_vault.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "vault/vault_test_fixture.h"

namespace custodian::vault {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST_F(VaultTest, StoresEventsAndReadsBackOneAccountInTimeOrder) {
  const IngestReport r = Ingest(
      Event(7, "2026-03-12T10:00:00.123456Z", "203.0.113.5",
            ", \"port\": 51234, \"user_agent\": \"Mozilla/5.0 (X11)\", \"device_id\": \"dev-a\"") +
      Event(8, "2026-03-12T10:00:01Z", "198.51.100.1") +
      Event(7, "2026-03-11T09:00:00Z", "2001:DB8::1") +
      Event(7, "2026-03-13T23:59:59.999999Z", "::ffff:203.0.113.9"));
  EXPECT_EQ(r.accepted, 4u);
  EXPECT_EQ(r.rejected, 0u);
  const auto records = Read(7);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(FormatDateTime(records[0].ts), "2026-03-11T09:00:00Z");
  EXPECT_EQ(records[0].ip.ToString(), "2001:db8::1");
  EXPECT_FALSE(records[0].port);
  EXPECT_EQ(FormatDateTime(records[1].ts), "2026-03-12T10:00:00.123456Z");
  EXPECT_EQ(records[1].ip.ToString(), "203.0.113.5");
  EXPECT_EQ(records[1].port, 51234);
  EXPECT_EQ(records[1].kind, EventKind::kLogin);
  // Device fields only when the grant covers `device`.
  EXPECT_FALSE(records[1].user_agent);
  EXPECT_FALSE(records[1].device_id);
  EXPECT_EQ(records[2].ip.ToString(), "203.0.113.9");  // IPv4-mapped is stored as IPv4
  const auto with_device =
      Read(7, "2026-03-01T00:00:00Z", "2026-03-21T00:00:00Z", {Category::kAccessLog, Category::kDevice});
  EXPECT_EQ(with_device[1].user_agent, "Mozilla/5.0 (X11)");
  EXPECT_EQ(with_device[1].device_id, "dev-a");
  EXPECT_EQ(Read(8).size(), 1u);
  EXPECT_TRUE(Read(9).empty());
}

TEST_F(VaultTest, TheWindowIsHalfOpen) {
  Ingest(Event(7, "2026-03-12T00:00:00Z", "203.0.113.5") +
         Event(7, "2026-03-12T23:59:59.999999Z", "203.0.113.5") +
         Event(7, "2026-03-13T00:00:00Z", "203.0.113.5"));
  EXPECT_EQ(Read(7, "2026-03-12T00:00:00Z", "2026-03-13T00:00:00Z").size(), 2u);
  EXPECT_EQ(Read(7, "2026-03-12T00:00:00.000001Z", "2026-03-13T00:00:00.000001Z").size(), 2u);
  EXPECT_EQ(Read(7, "2026-03-11T00:00:00Z", "2026-03-12T00:00:00Z").size(), 0u);
}

TEST_F(VaultTest, BadLinesAreReportedAndGoodOnesStored) {
  const IngestReport r = Ingest(
      Event(7, "2026-03-12T10:00:00Z", "203.0.113.5") +
      "not json\n" +
      Event(7, "2026-03-12T10:00:00", "203.0.113.5") +
      Event(7, "2026-03-12T10:00:01Z", "203.0.113.500") +
      "{\"account_id\": 7, \"ts\": \"2026-03-12T10:00:00Z\", \"kind\": \"logon\", \"ip\": \"1.2.3.4\"}\n" +
      "{\"account_id\": -7, \"ts\": \"2026-03-12T10:00:00Z\", \"kind\": \"login\", \"ip\": \"1.2.3.4\"}\n" +
      "{\"ts\": \"2026-03-12T10:00:00Z\", \"kind\": \"login\", \"ip\": \"1.2.3.4\"}\n" +
      Event(7, "2026-03-12T10:00:02Z", "203.0.113.5", ", \"user_agent\": \"" + std::string(513, 'u') + "\"") +
      Event(7, "2026-03-12T10:00:03Z", "203.0.113.5", ", \"port\": 65536") +
      Event(7, "2026-03-12T10:00:04Z", "203.0.113.5", ", \"secret\": 1") +
      "\n" +
      Event(7, "2025-12-01T10:00:00Z", "203.0.113.5") +
      Event(7, "2026-03-22T10:00:00Z", "203.0.113.5") +
      Event(7, "2026-03-12T11:00:00Z", "203.0.113.5"));
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_EQ(r.rejected, 11u);
  std::vector<std::string> errors;
  for (const auto& e : r.errors) errors.push_back(std::to_string(e.line) + " " + e.error);
  EXPECT_THAT(errors, ElementsAre("2 not a JSON object",
                                  "3 ts: not a date-time (RFC 3339, e.g. 2026-03-12T15:04:05Z)",
                                  "4 ip: not an IP address",
                                  "5 kind: must be one of: login, logout, session_refresh, failed_login, password_change, recovery",
                                  "6 account_id: not an unsigned 64-bit integer",
                                  "7 account_id: missing",
                                  "8 user_agent: longer than 512 bytes",
                                  "9 port: not an integer from 0 to 65535",
                                  "10 unknown field 'secret'",
                                  "12 ts: older than the retention period (90 days)",
                                  "13 ts: more than a day in the future"));
  EXPECT_EQ(Read(7).size(), 2u);
}

TEST_F(VaultTest, EventsSurviveReopenFromTheJournalAndFromSegments) {
  Ingest(Event(7, "2026-03-12T10:00:00Z", "203.0.113.5", ", \"device_id\": \"d1\"") +
         Event(7, "2026-03-13T10:00:00Z", "203.0.113.6"));
  Reopen();
  EXPECT_EQ(Read(7).size(), 2u);
  ASSERT_TRUE(vault_->Seal().ok());
  EXPECT_EQ(Files(".log").size(), 0u);
  EXPECT_EQ(Files(".seg").size(), 2u);
  Reopen();
  const auto records = Read(7, "2026-03-01T00:00:00Z", "2026-03-21T00:00:00Z",
                            {Category::kAccessLog, Category::kDevice});
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].device_id, "d1");
  // A late event for a sealed day opens a new journal beside the segment.
  Ingest(Event(7, "2026-03-12T09:00:00Z", "203.0.113.7"));
  Reopen();
  EXPECT_EQ(Read(7).size(), 3u);
  auto stats = vault_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->events, 3u);
  EXPECT_EQ(stats->accounts, 1u);
  EXPECT_EQ(stats->partitions, 2u);
  EXPECT_EQ(stats->segments, 2u);
  EXPECT_EQ(stats->unsealed_events, 1u);
  EXPECT_GT(stats->bytes_on_disk, 0u);
}

TEST_F(VaultTest, AResentEventWithAKnownIdIsNotStoredTwice) {
  const std::string batch = Event(7, "2026-03-12T10:00:00Z", "203.0.113.5", ", \"event_id\": \"e-1\"") +
                            Event(7, "2026-03-12T10:00:01Z", "203.0.113.5", ", \"event_id\": \"e-2\"") +
                            Event(8, "2026-03-12T10:00:02Z", "203.0.113.5", ", \"event_id\": \"e-1\"");
  EXPECT_EQ(Ingest(batch).duplicates, 0u);
  IngestReport again = Ingest(batch);
  EXPECT_EQ(again.accepted, 3u);
  EXPECT_EQ(again.duplicates, 3u);
  EXPECT_EQ(Read(7).size(), 2u);
  ASSERT_TRUE(vault_->Seal().ok());
  Reopen();
  EXPECT_EQ(Ingest(batch).duplicates, 3u);  // remembered by the segment too
  EXPECT_EQ(Read(7).size(), 2u);
  EXPECT_EQ(Read(8).size(), 1u);
}

TEST_F(VaultTest, NothingPersonalReachesTheDisk) {
  Ingest(Event(424242, "2026-03-12T10:17:33.654321Z", "203.0.113.77",
               ", \"port\": 40001, \"user_agent\": \"UniqueAgent/9.9 (custodian-test)\", "
               "\"device_id\": \"device-5ee7c0de\", \"event_id\": \"evt-unique-1\"") +
         Event(424242, "2026-03-12T11:00:00Z", "2001:db8:feed::77"));
  const auto check = [&](const char* stage) {
    const std::string disk = AllBytesOnDisk();
    for (const std::string& needle : std::vector<std::string>{"203.0.113.77", "2001:db8:feed", "UniqueAgent", "device-5ee7c0de", "evt-unique-1",
          "10:17:33", "424242", std::string("\xCB\x00\x71\x4D", 4)}) {
      EXPECT_EQ(disk.find(needle), std::string::npos) << stage << ": " << needle;
    }
  };
  check("journal");
  ASSERT_TRUE(vault_->Seal().ok());
  check("segment");
}

TEST_F(VaultTest, ReadsNeedAGrantThatCoversThem) {
  Ingest(Event(7, "2026-03-12T10:00:00Z", "203.0.113.5") + Event(8, "2026-03-12T10:00:00Z", "203.0.113.5"));
  const Timestamp start = T("2026-03-01T00:00:00Z"), end = T("2026-03-15T00:00:00Z");
  const Grant grant = GrantFor({7}, start, end);
  EXPECT_TRUE(vault_->ReadAccount(grant, 7, start, end, audit_).ok());
  EXPECT_THAT(vault_->ReadAccount(grant, 8, start, end, audit_).status().message(),
              HasSubstr("does not name account 8"));
  EXPECT_THAT(vault_->ReadAccount(grant, 7, start, T("2026-03-16T00:00:00Z"), audit_).status().message(),
              HasSubstr("outside the grant's window"));
  Grant altered = grant;
  altered.scope.accounts.push_back(8);
  EXPECT_THAT(vault_->ReadAccount(altered, 8, start, end, audit_).status().message(),
              HasSubstr("not valid"));
  const Grant subscriber_only = GrantFor({7}, start, end, {Category::kBasicSubscriber});
  EXPECT_THAT(vault_->ReadAccount(subscriber_only, 7, start, end, audit_).status().message(),
              HasSubstr("does not cover access_log"));
  clock_.Advance(2 * kMicrosPerDay);
  EXPECT_THAT(vault_->ReadAccount(grant, 7, start, end, audit_).status().message(),
              HasSubstr("expired"));
  // A grant from another vault is worthless here.
  GrantScope scope = grant.scope;
  scope.expires = Timestamp{clock_.Now().micros + kMicrosPerDay};
  const Grant foreign = GrantAuthority(SecretKey::Random()).Issue(scope);
  EXPECT_FALSE(vault_->ReadAccount(foreign, 7, start, end, audit_).ok());
  // Only the one permitted read was audited.
  EXPECT_THAT(audit_.reads, ElementsAre("C-2026-000001: access_log account 7 "
                                        "[2026-03-01T00:00:00Z, 2026-03-15T00:00:00Z)"));
}

TEST_F(VaultTest, NoDataLeavesWhenTheAuditFails) {
  Ingest(Event(7, "2026-03-12T10:00:00Z", "203.0.113.5"));
  audit_.fail = true;
  const Timestamp start = T("2026-03-01T00:00:00Z"), end = T("2026-03-15T00:00:00Z");
  auto r = vault_->ReadAccount(GrantFor({7}, start, end), 7, start, end, audit_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "audit ledger unavailable");
}

TEST_F(VaultTest, ReadsByAddressFindTheAccountsThatUsedIt) {
  Ingest(Event(1, "2026-03-12T10:00:00Z", "203.0.113.5", ", \"port\": 443") +
         Event(1, "2026-03-12T11:00:00Z", "198.51.100.1") +
         Event(2, "2026-03-12T12:00:00Z", "203.0.113.5", ", \"port\": 8443") +
         Event(3, "2026-03-13T12:00:00Z", "203.0.113.5") +
         Event(4, "2026-03-12T12:00:00Z", "2001:db8::5"));
  for (bool sealed : {false, true}) {
    SCOPED_TRACE(sealed ? "sealed" : "journal");
    if (sealed) {
      ASSERT_TRUE(vault_->Seal().ok());
    }
    const Timestamp start = T("2026-03-12T00:00:00Z"), end = T("2026-03-13T00:00:00Z");
    GrantScope scope;
    scope.case_id = "C-1";
    scope.addresses = {*IpEndpoint::Parse("203.0.113.5"), *IpEndpoint::Parse("203.0.113.5:443")};
    scope.categories.Add(Category::kAccessLog);
    scope.start = start;
    scope.end = T("2026-03-14T00:00:00Z");
    scope.expires = Timestamp{clock_.Now().micros + kMicrosPerDay};
    const Grant grant = vault_->grants().Issue(scope);
    auto r = vault_->ReadAddress(grant, scope.addresses[0], start, end, 10, audit_);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_FALSE(r->withheld);
    ASSERT_EQ(r->records.size(), 2u);  // accounts 1 and 2, only their events at the address
    EXPECT_EQ(r->records[0].account_id, 1u);
    EXPECT_EQ(r->records[1].account_id, 2u);
    auto with_port = vault_->ReadAddress(grant, scope.addresses[1], start, end, 10, audit_);
    ASSERT_TRUE(with_port.ok());
    ASSERT_EQ(with_port->records.size(), 1u);
    EXPECT_EQ(with_port->records[0].account_id, 1u);
    auto capped = vault_->ReadAddress(grant, scope.addresses[0], start, T("2026-03-14T00:00:00Z"), 2, audit_);
    ASSERT_TRUE(capped.ok());
    EXPECT_TRUE(capped->withheld);
    EXPECT_EQ(capped->accounts, 3u);
    EXPECT_TRUE(capped->records.empty());
  }
}

TEST_F(VaultTest, AlteredSegmentBytesAreDetectedNotServed) {
  Ingest(Event(7, "2026-03-12T10:00:00Z", "203.0.113.5"));
  ASSERT_TRUE(vault_->Seal().ok());
  const auto segments = Files(".seg");
  ASSERT_EQ(segments.size(), 1u);
  {
    std::fstream f(segments[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(60);  // inside the first block
    char c;
    f.read(&c, 1);
    f.seekp(60);
    c ^= 0x01;
    f.write(&c, 1);
  }
  Reopen();
  const Timestamp start = T("2026-03-01T00:00:00Z"), end = T("2026-03-15T00:00:00Z");
  auto r = vault_->ReadAccount(GrantFor({7}, start, end), 7, start, end, audit_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(r.status().message(), HasSubstr("fails authentication"));
}

// A crash in the middle of an append: frames past what the lock record says was committed,
// the last cut short. Opening reads the rest and changes nothing; the next write cuts it.
TEST_F(VaultTest, ATornJournalTailIsLeftByReadersAndCutByTheNextWriter) {
  Ingest(Event(7, "2026-03-12T10:00:00Z", "203.0.113.5"));
  const std::string record = LockRecordText();
  Ingest(Event(7, "2026-03-12T11:00:00Z", "203.0.113.5"));
  vault_.reset();
  PutLockRecord(record);  // the writer died before it said what it appended
  const auto journals = Files(".log");
  ASSERT_EQ(journals.size(), 1u);
  const auto size = fs::file_size(journals[0]);
  fs::resize_file(journals[0], size - 5);
  const auto before = Snapshot();
  Reopen();
  EXPECT_EQ(Read(7).size(), 1u);
  EXPECT_EQ(Snapshot(), before) << "a reader changes no file";
  Ingest(Event(7, "2026-03-12T12:00:00Z", "203.0.113.5"));
  Reopen();
  const auto records = Read(7);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(FormatDateTime(records[1].ts), "2026-03-12T12:00:00Z");
}

// The same bytes cut off a journal whose record says they were committed: damage, reported
// with the file and the byte, and left as it is.
TEST_F(VaultTest, ACommittedJournalCutShortIsCorruptionNeverCut) {
  Ingest(Event(7, "2026-03-12T10:00:00Z", "203.0.113.5"));
  Ingest(Event(7, "2026-03-12T11:00:00Z", "203.0.113.5"));
  vault_.reset();
  const auto journals = Files(".log");
  ASSERT_EQ(journals.size(), 1u);
  const auto size = fs::file_size(journals[0]);
  fs::resize_file(journals[0], size - 5);
  const auto before = Snapshot();
  auto v = EmbeddedVault::Open(dir_, master_, options_);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Status::Code::kCorruption);
  EXPECT_EQ(v.status().message(), journals[0].string() + ": ends at byte " + std::to_string(size - 5) +
                                       ", inside the " + std::to_string(size) + " bytes committed to it");
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(VaultTest, ADamagedJournalFrameFollowedByGoodOnesIsCorruption) {
  Ingest(Event(7, "2026-03-12T10:00:00Z", "203.0.113.5"));
  Ingest(Event(7, "2026-03-12T11:00:00Z", "203.0.113.5"));
  const auto journals = Files(".log");
  {
    std::fstream f(journals[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(60);
    char c;
    f.read(&c, 1);
    c ^= 0x01;  // a flipped bit: writing a fixed byte could leave it as it was
    f.seekp(60);
    f.write(&c, 1);
  }
  vault_.reset();
  auto v = EmbeddedVault::Open(dir_, master_, options_);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(v.status().message(), HasSubstr(": the record at byte 36 fails its checksum, inside the"));
  // Without the record to say what was committed, the good frame after it says it all the same.
  std::filesystem::remove(fs::path(dir_) / "vault/LOCK");
  v = EmbeddedVault::Open(dir_, master_, options_);
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.status().message(), HasSubstr(": the record at byte 36 fails its checksum, and a good record follows at byte"));
}

TEST_F(VaultTest, TheWrongMasterKeyIsRefused) {
  vault_.reset();
  auto v = EmbeddedVault::Open(dir_, SecretKey::Random(), options_);
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.status().message(), HasSubstr("does not open under this master key"));
}

TEST_F(VaultFaultTest, AFailedWriteOrSyncLosesNothingAcknowledged) {
  Ingest(Event(7, "2026-03-12T10:00:00Z", "203.0.113.5"));
  for (int fault = 0; fault < 3; ++fault) {
    SCOPED_TRACE(fault);
    if (fault == 0) faulty_.FailAppendAfter(0);
    if (fault == 1) faulty_.FailAppendAfter(0, /*disk_full=*/true);
    if (fault == 2) faulty_.FailSyncAfter(0);
    IngestReport report;
    Status s = vault_->Ingest(Event(7, "2026-03-12T11:00:00Z", "203.0.113.5"), report);
    EXPECT_EQ(s.code(), Status::Code::kIoError);
    if (fault == 1) {
      EXPECT_THAT(s.message(), HasSubstr("disk full"));
    }
    EXPECT_EQ(report.accepted, 0u);
    faulty_.Heal();
    EXPECT_EQ(Read(7).size(), 1u);  // the failed batch is not served
  }
  // The journal was cut back: the next batch lands cleanly, and a crash loses nothing synced.
  Ingest(Event(7, "2026-03-12T12:00:00Z", "203.0.113.5"));
  ASSERT_TRUE(faulty_.DropUnsyncedData().ok());
  Reopen();
  const auto records = Read(7);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(FormatDateTime(records[1].ts), "2026-03-12T12:00:00Z");
}

TEST_F(VaultFaultTest, AFailedSealLeavesTheJournalInCharge) {
  Ingest(Event(7, "2026-03-12T10:00:00Z", "203.0.113.5"));
  faulty_.FailSyncAfter(0);
  EXPECT_FALSE(vault_->Seal().ok());
  faulty_.Heal();
  ASSERT_TRUE(faulty_.DropUnsyncedData().ok());
  Reopen();
  EXPECT_EQ(Read(7).size(), 1u);
  EXPECT_TRUE(Files(".tmp").empty());
  ASSERT_TRUE(vault_->Seal().ok());
  Reopen();
  EXPECT_EQ(Read(7).size(), 1u);
}

TEST_F(VaultTest, ConcurrentIngestAndReadsAreSafe) {
  constexpr int kWriters = 3, kBatches = 40, kPerBatch = 25;
  std::vector<std::thread> threads;
  std::atomic<bool> done{false};
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int b = 0; b < kBatches; ++b) {
        std::string text;
        for (int i = 0; i < kPerBatch; ++i) {
          char ts[40];
          std::snprintf(ts, sizeof ts, "2026-03-1%dT%02d:%02d:%02dZ", 1 + (b % 3), w, b % 60, i);
          text += Event(100 + w, ts, "203.0.113.5");
        }
        IngestReport r;
        ASSERT_TRUE(vault_->Ingest(text, r).ok());
        ASSERT_EQ(r.accepted, static_cast<uint64_t>(kPerBatch));
        if (b == kBatches / 2 && w == 0) {
          ASSERT_TRUE(vault_->Seal().ok());
        }
      }
    });
  }
  threads.emplace_back([&] {
    while (!done) {
      for (int w = 0; w < kWriters; ++w) {
        const Timestamp start = T("2026-03-10T00:00:00Z"), end = T("2026-03-20T00:00:00Z");
        RecordingAudit audit;
        auto r = vault_->ReadAccount(GrantFor({uint64_t(100 + w)}, start, end), 100 + w, start, end, audit);
        ASSERT_TRUE(r.ok()) << r.status().message();
        for (size_t i = 1; i < r->size(); ++i) ASSERT_LE((*r)[i - 1].ts, (*r)[i].ts);
      }
    }
  });
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  done = true;
  threads.back().join();
  for (int w = 0; w < kWriters; ++w) {
    EXPECT_EQ(Read(100 + w).size(), static_cast<size_t>(kBatches * kPerBatch));
  }
  Reopen();
  for (int w = 0; w < kWriters; ++w) {
    EXPECT_EQ(Read(100 + w).size(), static_cast<size_t>(kBatches * kPerBatch));
  }
}

// kill -9 in the middle of ingest: every batch acknowledged before the kill is there after
// reopening, and nothing half-written is served.
TEST_F(VaultTest, EveryAcknowledgedEventSurvivesKillDashNine) {
  vault_.reset();
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    VaultOptions options;
    options.clock = &clock_;
    options.seal_after_events = 700;  // seal now and then, mid-stream
    auto v = EmbeddedVault::Open(dir_, master_, options);
    if (!v.ok()) ::_exit(3);
    for (uint32_t batch = 0;; ++batch) {
      std::string text;
      for (int i = 0; i < 50; ++i) {
        char ts[40];
        std::snprintf(ts, sizeof ts, "2026-03-%02uT%02u:%02u:%02uZ", 10 + batch % 5, (batch / 5) % 24,
                      i, batch % 60);
        text += Event(1 + i % 7, ts, "203.0.113.5", ", \"event_id\": \"b" + std::to_string(batch) + "-" + std::to_string(i) + "\"");
      }
      IngestReport r;
      if (!(*v)->Ingest(text, r).ok()) ::_exit(4);
      if (::write(pipe_fds[1], &batch, sizeof batch) != sizeof batch) ::_exit(5);
    }
  }
  ::close(pipe_fds[1]);
  uint32_t acknowledged = 0, value;
  while (acknowledged < 60 && ::read(pipe_fds[0], &value, sizeof value) == sizeof value) {
    acknowledged = value + 1;
  }
  ::kill(child, SIGKILL);
  int status;
  ::waitpid(child, &status, 0);
  while (::read(pipe_fds[0], &value, sizeof value) == sizeof value) acknowledged = value + 1;
  ::close(pipe_fds[0]);
  ASSERT_GE(acknowledged, 60u);
  Reopen();
  size_t total = 0;
  for (uint64_t account = 1; account <= 7; ++account) total += Read(account).size();
  // Whole batches only, and at least every acknowledged one.
  EXPECT_EQ(total % 50, 0u);
  EXPECT_GE(total, acknowledged * 50u);
  EXPECT_LE(total, (acknowledged + 1) * 50u);
}

}  // namespace
}  // namespace custodian::vault

namespace custodian::vault {
namespace {

class VaultLifecycleTest : public VaultTest {
 protected:
  // Case C-2026-000009's hold on `account`, lasting `days` from now.
  Hold HoldForDays(uint64_t account, const char* id, int64_t days) {
    return HoldOn(id, account, Timestamp{clock_.Now().micros + days * kMicrosPerDay}, "C-2026-000009");
  }
  size_t Days() { return vault_->Stats()->partitions; }
};

TEST_F(VaultLifecycleTest, ANewRetentionPeriodRulesIngestAtOnceAndDeletionAtTheNextRun) {
  Ingest(Event(7, "2026-01-10T10:00:00Z", "203.0.113.5") + Event(7, "2026-03-12T10:00:00Z", "203.0.113.5"));
  ASSERT_TRUE(vault_->Seal().ok());
  vault_->SetRetention(30, 365);  // the standards in force changed: 30 days
  EXPECT_EQ(Days(), 2u) << "nothing is deleted before the next retention run";
  const IngestReport refused = Ingest(Event(7, "2026-02-01T10:00:00Z", "203.0.113.5"));
  EXPECT_EQ(refused.accepted, 0u);
  ASSERT_EQ(refused.errors.size(), 1u);
  EXPECT_EQ(refused.errors[0].error, "ts: older than the retention period (30 days)");
  auto r = vault_->RunRetention();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->partitions_deleted, 1u);
  EXPECT_EQ(Read(7, "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z").size(), 1u);
  // A longer period brings nothing back.
  vault_->SetRetention(365, 365);
  ASSERT_TRUE(vault_->RunRetention().ok());
  EXPECT_EQ(Read(7, "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z").size(), 1u);
}

TEST_F(VaultLifecycleTest, RetentionDeletesWholeDaysPastTheRetentionPeriod) {
  Ingest(Event(7, "2026-01-10T10:00:00Z", "203.0.113.5") + Event(7, "2026-03-12T10:00:00Z", "203.0.113.5"));
  ASSERT_TRUE(vault_->Seal().ok());
  EXPECT_EQ(Days(), 2u);
  auto r = vault_->RunRetention();  // 2026-01-10 is 69 days before 2026-03-20: kept
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->partitions_deleted, 0u);
  clock_.Set(T("2026-04-11T00:00:00Z"));  // now 91 days later
  r = vault_->RunRetention();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->partitions_deleted, 1u);
  EXPECT_EQ(Days(), 1u);
  EXPECT_FALSE(fs::exists(fs::path(dir_) / "vault/days/2026-01-10"));
  vault_->WaitForDeletions();
  EXPECT_TRUE(fs::is_empty(fs::path(dir_) / "vault/trash")) << "the day's files are deleted";
  EXPECT_EQ(Read(7, "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z").size(), 1u);
  Reopen();
  EXPECT_EQ(Read(7, "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z").size(), 1u);
}

TEST_F(VaultLifecycleTest, AHoldKeepsItsAccountThroughRetentionAndOnlyIt) {
  Ingest(Event(7, "2026-01-10T10:00:00Z", "203.0.113.5", ", \"device_id\": \"kept\"") +
         Event(8, "2026-01-10T11:00:00Z", "203.0.113.6") +
         Event(7, "2026-01-10T12:00:00Z", "203.0.113.7"));
  ASSERT_TRUE(vault_->PlaceHold(HoldForDays(7, "H-1", 90)).ok());
  clock_.Set(T("2026-04-15T00:00:00Z"));
  auto r = vault_->RunRetention();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->partitions_kept_for_holds, 1u);
  const auto held = Read(7, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z",
                         {Category::kAccessLog, Category::kDevice});
  ASSERT_EQ(held.size(), 2u);
  EXPECT_EQ(held[0].device_id, "kept");
  EXPECT_TRUE(Read(8, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z").empty());
  Reopen();
  EXPECT_EQ(Read(7, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z").size(), 2u);
  EXPECT_TRUE(Read(8, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z").empty());
  // Once the hold ends, the held data follows the normal rules.
  clock_.Set(T("2026-06-20T00:00:00Z"));
  r = vault_->RunRetention();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->holds_expired, 1u);
  EXPECT_EQ(r->partitions_deleted, 1u);
  EXPECT_EQ(Days(), 0u);
  // A day left in the trash by a crash is deleted by the next writer (never by a reader).
  fs::create_directories(fs::path(dir_) / "vault/trash/2026-01-09.0011223344556677");
  std::ofstream(fs::path(dir_) / "vault/trash/2026-01-09.0011223344556677/seg-x.seg") << "x";
  Reopen();
  vault_->WaitForDeletions();
  EXPECT_FALSE(fs::is_empty(fs::path(dir_) / "vault/trash"));
  ASSERT_TRUE(vault_->Recover().ok());
  vault_->WaitForDeletions();
  EXPECT_TRUE(fs::is_empty(fs::path(dir_) / "vault/trash"));
}

TEST_F(VaultLifecycleTest, DeletingAnAccountShredsItAtOnce) {
  Ingest(Event(7, "2026-03-12T10:00:00Z", "203.0.113.5") + Event(8, "2026-03-12T10:00:00Z", "203.0.113.5"));
  ASSERT_TRUE(vault_->Seal().ok());
  Ingest(Event(7, "2026-03-13T10:00:00Z", "203.0.113.5"));  // one still in a journal
  auto outcome = vault_->DeleteAccount(7);
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  EXPECT_EQ(*outcome, DeletionOutcome::kDeleted);
  EXPECT_TRUE(Read(7).empty());
  // Reverse lookups skip it; new events for it are refused; it stays deleted after reopen.
  GrantScope scope;
  scope.case_id = "C-1";
  scope.addresses = {*IpEndpoint::Parse("203.0.113.5")};
  scope.categories.Add(Category::kAccessLog);
  scope.start = T("2026-03-12T00:00:00Z");
  scope.end = T("2026-03-14T00:00:00Z");
  scope.expires = Timestamp{clock_.Now().micros + kMicrosPerDay};
  auto r = vault_->ReadAddress(vault_->grants().Issue(scope), scope.addresses[0], scope.start,
                               scope.end, 10, audit_);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].account_id, 8u);
  const IngestReport again = Ingest(Event(7, "2026-03-14T10:00:00Z", "203.0.113.5"));
  EXPECT_EQ(again.rejected, 1u);
  EXPECT_EQ(again.errors[0].error, "account_id: the account was deleted");
  Reopen();
  EXPECT_TRUE(Read(7).empty());
  EXPECT_EQ(Read(8).size(), 1u);
  EXPECT_EQ(vault_->Stats()->deleted_accounts, 1u);
  EXPECT_EQ(vault_->DeleteAccount(9).status().code(), Status::Code::kNotFound);
  // A deleted account cannot be held; one without data yet can (late events are kept).
  EXPECT_EQ(vault_->PlaceHold(HoldForDays(7, "H-gone", 90)).code(), Status::Code::kNotFound);
  EXPECT_TRUE(vault_->PlaceHold(HoldForDays(9, "H-early", 90)).ok());
  EXPECT_EQ(vault_->Holds().size(), 1u);
}

TEST_F(VaultLifecycleTest, AWideBatchIsFramedInRunsAndStoredWhole) {
  // A day of a batch with thousands of accounts is framed on several threads: every event
  // is stored once, a deleted account's lines are refused in line order, a resent id is
  // counted a duplicate, and all of it is there again after the journal is replayed.
  Ingest(Event(100, "2026-03-12T09:00:00Z", "203.0.113.5") + Event(4100, "2026-03-12T09:00:00Z", "203.0.113.5"));
  ASSERT_EQ(*vault_->DeleteAccount(100), DeletionOutcome::kDeleted);
  ASSERT_EQ(*vault_->DeleteAccount(4100), DeletionOutcome::kDeleted);
  constexpr uint64_t kAccounts = 5000;
  std::string batch;
  for (uint64_t a = 1; a <= kAccounts; ++a) {
    const std::string id = ", \"event_id\": \"e-" + std::to_string(a) + "\"";
    batch += Event(a, "2026-03-12T10:00:00Z", "203.0.113.5", id);
    batch += Event(a, "2026-03-12T10:00:01Z", "203.0.113.6");
    if (a % 1000 == 0) batch += Event(a, "2026-03-12T10:00:02Z", "203.0.113.7", id);  // sent twice
  }
  const IngestReport r = Ingest(batch);
  EXPECT_EQ(r.rejected, 4u);
  ASSERT_EQ(r.errors.size(), 4u);
  EXPECT_EQ(r.errors[0].line, 199u);  // account 100's two lines
  EXPECT_EQ(r.errors[1].line, 200u);
  EXPECT_EQ(r.errors[2].line, 8203u);  // account 4100's, after four resent lines
  EXPECT_EQ(r.errors[3].line, 8204u);
  EXPECT_EQ(r.errors[0].error, "account_id: the account was deleted");
  EXPECT_EQ(r.duplicates, 5u);
  EXPECT_EQ(r.accepted, 2 * kAccounts + 5 - 4);
  const auto check = [&] {
    EXPECT_EQ(vault_->Stats()->events, 2 * (kAccounts - 2));
    for (uint64_t a : {1u, 99u, 101u, 2500u, 4099u, 4101u, 5000u}) EXPECT_EQ(Read(a).size(), 2u) << a;
    EXPECT_TRUE(Read(100).empty());
    EXPECT_TRUE(Read(4100).empty());
  };
  check();
  Reopen();  // from the journal
  check();
}

TEST_F(VaultLifecycleTest, AHeldAccountIsDeletedOnlyWhenItsHoldEnds) {
  Ingest(Event(7, "2026-03-12T10:00:00Z", "203.0.113.5"));
  ASSERT_TRUE(vault_->PlaceHold(HoldForDays(7, "H-1", 90)).ok());
  ASSERT_TRUE(vault_->PlaceHold(HoldForDays(7, "H-2", 30)).ok());
  auto outcome = vault_->DeleteAccount(7);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(*outcome, DeletionOutcome::kDeferred);
  EXPECT_EQ(Read(7).size(), 1u);
  ASSERT_TRUE(vault_->ReleaseHold("H-1").ok());
  EXPECT_EQ(Read(7).size(), 1u) << "H-2 still holds it";
  Reopen();
  ASSERT_TRUE(vault_->ReleaseHold("H-2").ok());
  EXPECT_TRUE(Read(7).empty());
  EXPECT_EQ(vault_->ReleaseHold("H-2").code(), Status::Code::kNotFound);
}

TEST_F(VaultLifecycleTest, AHoldsExpiryCarriesOutAWaitingDeletion) {
  Ingest(Event(7, "2026-03-12T10:00:00Z", "203.0.113.5"));
  ASSERT_TRUE(vault_->PlaceHold(HoldForDays(7, "H-1", 10)).ok());
  EXPECT_EQ(*vault_->DeleteAccount(7), DeletionOutcome::kDeferred);
  clock_.Advance(11 * kMicrosPerDay);
  auto r = vault_->RunRetention();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->holds_expired, 1u);
  EXPECT_EQ(r->deletions_completed, 1u);
  EXPECT_TRUE(Read(7, "2026-03-01T00:00:00Z", "2026-03-31T00:00:00Z").empty());
}

TEST_F(VaultLifecycleTest, HoldsAreSealedOnDisk) {
  Ingest(Event(777001, "2026-03-12T10:00:00Z", "203.0.113.5"));
  ASSERT_TRUE(vault_->PlaceHold(HoldForDays(777001, "H-secret-case", 90)).ok());
  const std::string disk = AllBytesOnDisk();
  EXPECT_EQ(disk.find("H-secret-case"), std::string::npos);
  EXPECT_EQ(disk.find("C-2026-000009"), std::string::npos);
  EXPECT_EQ(disk.find("777001"), std::string::npos);
  Reopen();
  ASSERT_EQ(vault_->Holds().size(), 1u);
  EXPECT_EQ(vault_->Holds()[0].id, "H-secret-case");
}

}  // namespace
}  // namespace custodian::vault

namespace custodian::vault {
namespace {

class VaultSubscriberTest : public VaultTest {
 protected:
  void SetUp() override {
    VaultTest::SetUp();
    Import(R"({"account_id": 1, "effective_from": "2025-01-01T00:00:00Z", "username": "Kestrel42", "name": "Ana Q. Example", "emails": ["Ana@Example.net"], "phones": ["+1 (575) 555-0100"], "created_at": "2019-04-01T12:00:00Z", "status": "active"}
{"account_id": 1, "effective_from": "2026-02-01T00:00:00Z", "username": "kestrel42", "name": "Ana Q. Example", "emails": ["ana@new.example"], "phones": [], "status": "active"}
{"account_id": 2, "effective_from": "2026-02-10T00:00:00Z", "username": "heron", "name": "Bea Núñez 李", "emails": ["bea@example.org"], "phones": ["+15755550100"]}
)");
  }
  IngestReport Import(const std::string& text) {
    IngestReport r;
    Status s = vault_->IngestSubscribers(text, r);
    EXPECT_TRUE(s.ok()) << s.message();
    return r;
  }
  std::vector<SubscriberVersion> Versions(uint64_t account, const char* start, const char* end) {
    const Grant g = GrantFor({account}, T(start), T(end), {Category::kBasicSubscriber});
    auto r = vault_->ReadSubscriber(g, account, T(start), T(end), audit_);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<SubscriberVersion>{};
  }
  std::vector<uint64_t> Resolve(const char* type, const char* value, const char* start, const char* end) {
    GrantScope scope;
    scope.case_id = "C-7";
    scope.identifiers = {{type, value}};
    scope.start = T(start);
    scope.end = T(end);
    scope.expires = Timestamp{clock_.Now().micros + kMicrosPerDay};
    auto r = vault_->ResolveIdentifier(vault_->grants().Issue(scope), scope.identifiers[0], T(start),
                                       T(end), audit_);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<uint64_t>{};
  }
};

TEST_F(VaultSubscriberTest, VersionsInForceDuringAWindow) {
  auto both = Versions(1, "2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z");
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].emails, std::vector<std::string>{"ana@example.net"});
  EXPECT_EQ(both[0].phones, std::vector<std::string>{"+15755550100"});
  EXPECT_EQ(FormatDateTime(*both[0].created_at), "2019-04-01T12:00:00Z");
  EXPECT_EQ(both[1].emails, std::vector<std::string>{"ana@new.example"});
  ASSERT_EQ(Versions(1, "2026-02-15T00:00:00Z", "2026-03-01T00:00:00Z").size(), 1u);
  auto old = Versions(1, "2025-06-01T00:00:00Z", "2025-07-01T00:00:00Z");
  ASSERT_EQ(old.size(), 1u);
  EXPECT_EQ(old[0].username, "Kestrel42");
  // A version starting exactly at the window's end is not in force during it.
  EXPECT_EQ(Versions(1, "2025-06-01T00:00:00Z", "2026-02-01T00:00:00Z").size(), 1u);
  EXPECT_TRUE(Versions(2, "2025-06-01T00:00:00Z", "2026-02-10T00:00:00Z").empty());
  Reopen();
  auto names = Versions(2, "2026-02-10T00:00:00Z", "2026-03-01T00:00:00Z");
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0].name, "Bea Núñez 李");
}

TEST_F(VaultSubscriberTest, IdentifiersResolveToWhoHeldThemThen) {
  // A recycled phone number: account 1 until 2026-02-01, account 2 from 2026-02-10.
  EXPECT_EQ(Resolve("phone", "+1-575-555-0100", "2025-06-01T00:00:00Z", "2025-07-01T00:00:00Z"),
            std::vector<uint64_t>{1});
  EXPECT_EQ(Resolve("phone", "+15755550100", "2026-02-15T00:00:00Z", "2026-03-01T00:00:00Z"),
            std::vector<uint64_t>{2});
  EXPECT_EQ(Resolve("phone", "+15755550100", "2026-01-15T00:00:00Z", "2026-03-01T00:00:00Z"),
            (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(Resolve("email", "ANA@example.NET", "2025-06-01T00:00:00Z", "2025-07-01T00:00:00Z"),
            std::vector<uint64_t>{1});
  EXPECT_TRUE(Resolve("email", "ana@example.net", "2026-02-15T00:00:00Z", "2026-03-01T00:00:00Z").empty());
  EXPECT_EQ(Resolve("username", "KESTREL42", "2026-02-15T00:00:00Z", "2026-03-01T00:00:00Z"),
            std::vector<uint64_t>{1});
  EXPECT_TRUE(Resolve("username", "nobody", "2025-01-01T00:00:00Z", "2026-03-01T00:00:00Z").empty());
  EXPECT_TRUE(Resolve("phone", "not a phone", "2025-01-01T00:00:00Z", "2026-03-01T00:00:00Z").empty());
  // A deleted account is skipped.
  Ingest(Event(2, "2026-03-12T10:00:00Z", "203.0.113.5"));
  ASSERT_EQ(*vault_->DeleteAccount(2), DeletionOutcome::kDeleted);
  EXPECT_TRUE(Resolve("phone", "+15755550100", "2026-02-15T00:00:00Z", "2026-03-01T00:00:00Z").empty());
  EXPECT_TRUE(Versions(2, "2026-02-10T00:00:00Z", "2026-03-01T00:00:00Z").empty());
}

TEST_F(VaultSubscriberTest, BadRecordsAreReportedByLine) {
  const IngestReport r = Import(
      "{\"account_id\": 3, \"effective_from\": \"2026-01-01\"}\n"
      "{\"account_id\": 3, \"effective_from\": \"2026-01-01T00:00:00Z\", \"emails\": [\"no-at-sign\"]}\n"
      "{\"account_id\": 3, \"effective_from\": \"2026-01-01T00:00:00Z\", \"phones\": [\"0123\"]}\n"
      "{\"account_id\": 3, \"username\": \"x\"}\n"
      "{\"account_id\": 3, \"effective_from\": \"2026-01-01T00:00:00Z\", \"ssn\": \"x\"}\n"
      "{\"account_id\": 3, \"effective_from\": \"2026-01-01T00:00:00Z\", \"name\": \"C\"}\n");
  EXPECT_EQ(r.accepted, 1u);
  std::vector<std::string> errors;
  for (const auto& e : r.errors) errors.push_back(std::to_string(e.line) + " " + e.error);
  EXPECT_THAT(errors, ElementsAre("1 effective_from: not a date-time (RFC 3339, e.g. 2026-03-12T15:04:05Z)",
                                  "2 emails: an item is not an e-mail address",
                                  "3 phones: an item is not an E.164 phone number",
                                  "4 effective_from: missing", "5 unknown field 'ssn'"));
}

TEST_F(VaultSubscriberTest, NothingOfTheSubscriberReachesTheDiskInPlaintext) {
  const std::string disk = AllBytesOnDisk();
  for (const char* needle : {"Ana Q. Example", "ana@example.net", "Kestrel42", "kestrel42",
                             "5755550100", "example.org", "Núñez"}) {
    EXPECT_EQ(disk.find(needle), std::string::npos) << needle;
  }
}

TEST_F(VaultSubscriberTest, ReadsNeedTheRightGrant) {
  const Timestamp start = T("2026-01-01T00:00:00Z"), end = T("2026-03-01T00:00:00Z");
  auto r = vault_->ReadSubscriber(GrantFor({1}, start, end, {Category::kAccessLog}), 1, start, end, audit_);
  EXPECT_THAT(r.status().message(), HasSubstr("does not cover basic_subscriber"));
  GrantScope scope;
  scope.case_id = "C-7";
  scope.identifiers = {{"email", "ana@example.net"}};
  scope.start = start;
  scope.end = end;
  scope.expires = Timestamp{clock_.Now().micros + kMicrosPerDay};
  const Grant g = vault_->grants().Issue(scope);
  EXPECT_THAT(vault_->ResolveIdentifier(g, {"email", "bea@example.org"}, start, end, audit_).status().message(),
              HasSubstr("does not name that email"));
}

}  // namespace
}  // namespace custodian::vault

namespace custodian::vault {
namespace {

TEST_F(VaultSubscriberTest, RetentionDropsOldSupersededVersionsUnlessHeld) {
  // Account 1's first version was superseded on 2026-02-01; account 2 has one version.
  clock_.Set(T("2027-01-15T00:00:00Z"));  // 348 days later: within a year, kept
  auto r = vault_->RunRetention();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->subscriber_versions_deleted, 0u);
  clock_.Set(T("2027-02-02T00:00:00Z"));  // 366 days: the old version goes
  r = vault_->RunRetention();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->subscriber_versions_deleted, 1u);
  EXPECT_EQ(Versions(1, "2025-01-01T00:00:00Z", "2027-01-01T00:00:00Z").size(), 1u);
  EXPECT_EQ(Versions(2, "2025-01-01T00:00:00Z", "2027-01-01T00:00:00Z").size(), 1u);
  EXPECT_TRUE(Resolve("email", "ana@example.net", "2025-01-01T00:00:00Z", "2027-01-01T00:00:00Z").empty());
  Reopen();
  EXPECT_EQ(vault_->Stats()->subscriber_versions, 2u);
  EXPECT_EQ(Resolve("email", "ana@new.example", "2025-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
            std::vector<uint64_t>{1});
}

TEST_F(VaultSubscriberTest, AHeldAccountKeepsItsWholeHistory) {
  ASSERT_TRUE(vault_->PlaceHold(HoldOn("H-1", 1, T("2028-01-01T00:00:00Z"))).ok());
  clock_.Set(T("2027-02-02T00:00:00Z"));
  auto r = vault_->RunRetention();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->subscriber_versions_deleted, 0u);
  EXPECT_EQ(Versions(1, "2025-01-01T00:00:00Z", "2027-01-01T00:00:00Z").size(), 2u);
}

TEST_F(VaultSubscriberTest, ADeletedAccountsVersionsGoAtTheNextRetentionRun) {
  Ingest(Event(2, "2026-03-12T10:00:00Z", "203.0.113.5"));
  ASSERT_EQ(*vault_->DeleteAccount(2), DeletionOutcome::kDeleted);
  auto r = vault_->RunRetention();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->subscriber_versions_deleted, 1u);
  EXPECT_EQ(vault_->Stats()->subscriber_versions, 2u);
}

}  // namespace
}  // namespace custodian::vault

namespace custodian::vault {
namespace {

TEST_F(VaultTest, AccountsAtAnAddressAreExactEvenWhereTheIndexIsNot) {
  // Account 1 used the address at 01:00 and 23:00; account 2 at 06:00.
  Ingest(Event(1, "2026-03-12T01:00:00Z", "203.0.113.5") + Event(1, "2026-03-12T23:00:00Z", "203.0.113.5") +
         Event(2, "2026-03-12T06:00:00Z", "203.0.113.5") + Event(3, "2026-03-12T06:00:00Z", "198.51.100.9"));
  for (bool sealed : {false, true}) {
    SCOPED_TRACE(sealed ? "sealed" : "journal");
    if (sealed) {
      ASSERT_TRUE(vault_->Seal().ok());
    }
    const auto at = [&](const char* start, const char* end) {
      GrantScope scope;
      scope.case_id = "C-1";
      scope.addresses = {*IpEndpoint::Parse("203.0.113.5")};
      scope.categories.Add(Category::kAccessLog);
      scope.start = T(start);
      scope.end = T(end);
      scope.expires = Timestamp{clock_.Now().micros + kMicrosPerDay};
      auto r = vault_->AccountsAtAddress(vault_->grants().Issue(scope), scope.addresses[0], T(start),
                                         T(end), audit_);
      EXPECT_TRUE(r.ok()) << r.status().message();
      return r.ok() ? *r : std::vector<uint64_t>{};
    };
    EXPECT_EQ(at("2026-03-12T05:00:00Z", "2026-03-12T10:00:00Z"), std::vector<uint64_t>{2});
    EXPECT_EQ(at("2026-03-12T00:00:00Z", "2026-03-13T00:00:00Z"), (std::vector<uint64_t>{1, 2}));
    EXPECT_EQ(at("2026-03-12T22:00:00Z", "2026-03-13T02:00:00Z"), std::vector<uint64_t>{1});
    EXPECT_TRUE(at("2026-03-12T23:00:00.000001Z", "2026-03-13T01:00:00Z").empty());
  }
}

}  // namespace
}  // namespace custodian::vault

namespace custodian::vault {
namespace {

// A retention run that re-seals a held account's day and fails at every sync in turn: after
// a crash and a reopen, the held events are there exactly once, the others either still
// there (the run undone) or gone (finished), and the next run completes it.
TEST_F(VaultFaultTest, AnInterruptedRetentionRunIsFinishedOrUndoneOnOpen) {
  int interrupted_with_intent = 0;  // runs that left the RETENTION intent for the open to act on
  for (int fail_at = 0; fail_at < 8; ++fail_at) {
    SCOPED_TRACE(fail_at);
    vault_.reset();
    fs::remove_all(dir_);
    ASSERT_TRUE(EmbeddedVault::Create(dir_, master_).ok());
    clock_.Set(T("2026-03-20T12:00:00Z"));
    Reopen();
    Ingest(Event(7, "2026-01-10T10:00:00Z", "203.0.113.5") + Event(7, "2026-01-10T11:00:00Z", "203.0.113.5") +
           Event(8, "2026-01-10T12:00:00Z", "203.0.113.6"));
    ASSERT_TRUE(vault_->Seal().ok());
    Hold hold;
    hold.id = "H-1";
    hold.account = 7;
    hold.case_id = "C-1";
    hold.placed = clock_.Now();
    hold.expires = T("2026-12-31T00:00:00Z");
    hold.covers_until = clock_.Now();
    ASSERT_TRUE(vault_->PlaceHold(hold).ok());
    clock_.Set(T("2026-04-15T00:00:00Z"));
    faulty_.FailSyncAfter(fail_at);
    const bool completed = vault_->RunRetention().ok();
    interrupted_with_intent += fs::exists(fs::path(dir_) / "vault/days/2026-01-10/RETENTION");
    faulty_.Heal();
    ASSERT_TRUE(faulty_.DropUnsyncedData().ok());
    Reopen();
    const char* from = "2026-01-01T00:00:00Z";
    const char* to = "2026-02-01T00:00:00Z";
    EXPECT_EQ(Read(7, from, to).size(), 2u);
    const size_t others = Read(8, from, to).size();
    EXPECT_LE(others, 1u);
    if (completed) {
      EXPECT_EQ(others, 0u);
    }
    ASSERT_TRUE(vault_->RunRetention().ok());
    EXPECT_EQ(Read(7, from, to).size(), 2u);
    EXPECT_TRUE(Read(8, from, to).empty());
    EXPECT_TRUE(Files(".tmp").empty());
  }
  EXPECT_GE(interrupted_with_intent, 2) << "the recovery paths were not exercised";
}

}  // namespace
}  // namespace custodian::vault
