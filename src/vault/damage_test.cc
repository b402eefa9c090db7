// A damaged disk is reported, never cut away: every vault file is damaged in turn (single
// bytes, length fields, checksums, truncations inside, at record boundaries, torn tails) and
// the vault opened on it. A torn tail past the committed length (what a crash in the middle of
// an append leaves) is read around by readers and cut by the next writer, to exactly what was
// committed; everything else is Corruption naming the file and the byte, and leaves every
// file as it was. The table of what was tried and how it was handled is printed.
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/coding.h"
#include "vault/vault_test_fixture.h"

namespace custodian::vault {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

enum class Handled {
  kCorruption,        // Open fails: Corruption naming the file and the byte; nothing changes
  kCorruptionOnRead,  // Open succeeds; reading the damaged part fails so; nothing changes
  kTornTail,          // readers read around it, changing nothing; the next writer cuts it
  kRecordRebuilt,     // the lock record: judged without it; the next writer writes a new one
};

const char* Name(Handled h) {
  switch (h) {
    case Handled::kCorruption: return "reported (Corruption), left as it is";
    case Handled::kCorruptionOnRead: return "reported on read (Corruption), left as it is";
    case Handled::kTornTail: return "torn tail: left by readers, cut by the writer";
    case Handled::kRecordRebuilt: return "lock record rebuilt by the writer";
  }
  return "";
}

// Where each record of a framed file begins (length ‖ crc ‖ body, from `first`).
std::vector<size_t> Records(const std::string& bytes, size_t first) {
  std::vector<size_t> starts;
  for (size_t pos = first; pos + 8 <= bytes.size(); pos += 8 + DecodeFixed32(bytes.data() + pos)) {
    starts.push_back(pos);
  }
  return starts;
}

struct Damage {
  std::string file;  // within the data directory
  std::string what;
  Handled handled;
  std::function<void(std::string& bytes)> apply;
  std::string message;  // what the error says after "PATH: "
};

class VaultDamageTest : public VaultTest {
 protected:
  void SetUp() override {
    VaultTest::SetUp();
    // Keys, strings, journal frames and a segment; subscriber versions; a hold.
    std::string events;
    for (int i = 0; i < 12; ++i) {
      char ts[40];
      std::snprintf(ts, sizeof ts, "2026-03-%02dT10:%02d:00Z", i % 2 ? 12 : 10, i);
      events += Event(1 + i % 4, ts, "203.0.113.5",
                      ", \"user_agent\": \"agent " + std::to_string(i % 5) + "\"");
    }
    Ingest(events.substr(0, events.size() / 2));
    Ingest(events.substr(events.size() / 2));
    ASSERT_TRUE(vault_->Seal(Date{ParseDate("2026-03-11")->days}).ok());  // the 10th: a segment
    Ingest(Event(5, "2026-03-12T11:00:00Z", "203.0.113.9", ", \"user_agent\": \"agent 9\""));
    IngestReport r;
    ASSERT_TRUE(vault_->IngestSubscribers(
        "{\"account_id\": 1, \"effective_from\": \"2025-06-01T00:00:00Z\", \"username\": \"ann\"}\n"
        "{\"account_id\": 2, \"effective_from\": \"2025-06-01T00:00:00Z\", \"username\": \"bo\"}\n", r).ok());
    ASSERT_TRUE(vault_->IngestSubscribers(
        "{\"account_id\": 3, \"effective_from\": \"2025-06-01T00:00:00Z\", \"username\": \"cy\"}\n", r).ok());
    ASSERT_TRUE(vault_->PlaceHold(HoldOn("H-1", 2, T("2026-12-31T00:00:00Z"))).ok());
    for (uint64_t account = 1; account <= 5; ++account) pristine_reads_[account] = Everything(account);
    vault_.reset();
    pristine_ = Snapshot();
    journal_ = fs::relative(Files(".log").at(0), dir_).string();
    segment_ = fs::relative(Files(".seg").at(0), dir_).string();
  }

  std::vector<std::string> Everything(uint64_t account) {
    std::vector<std::string> out;
    for (const AccessRecord& e : Read(account, "2026-03-01T00:00:00Z", "2026-03-21T00:00:00Z",
                                      {Category::kAccessLog, Category::kDevice})) {
      out.push_back(FormatDateTime(e.ts) + " " + std::string(e.user_agent.value_or("-")));
    }
    return out;
  }

  // Puts the pristine files back, then damages one.
  void Stage(const Damage& d) {
    fs::remove_all(dir_);
    for (const auto& [path, bytes] : pristine_) {
      fs::create_directories((fs::path(dir_) / path).parent_path());
      std::ofstream(fs::path(dir_) / path, std::ios::binary) << bytes;
    }
    fs::create_directories(fs::path(dir_) / "vault/trash");
    std::string bytes = pristine_.at(d.file);
    d.apply(bytes);
    std::ofstream(fs::path(dir_) / d.file, std::ios::binary | std::ios::trunc) << bytes;
  }

  // Checks how the damage is handled; returns what was seen, for the table.
  void Check(const Damage& d) {
    SCOPED_TRACE(d.file + ": " + d.what);
    Stage(d);
    const auto damaged = Snapshot();
    const std::string path = (fs::path(dir_) / d.file).string();
    auto opened = EmbeddedVault::Open(dir_, master_, options_);
    switch (d.handled) {
      case Handled::kCorruption: {
        ASSERT_FALSE(opened.ok());
        EXPECT_EQ(opened.status().code(), Status::Code::kCorruption);
        EXPECT_THAT(opened.status().message(), StartsWith(path + ": "));
        EXPECT_THAT(opened.status().message(), HasSubstr(d.message));
        EXPECT_EQ(Snapshot(), damaged) << "nothing is cut or changed";
        break;
      }
      case Handled::kCorruptionOnRead: {
        ASSERT_TRUE(opened.ok()) << opened.status().message();
        vault_ = std::move(opened).value();
        const Timestamp start = T("2026-03-01T00:00:00Z"), end = T("2026-03-21T00:00:00Z");
        Status failed = Status::Ok();
        for (uint64_t account = 1; account <= 5 && failed.ok(); ++account) {
          failed = vault_->ReadAccount(GrantFor({account}, start, end), account, start, end, audit_).status();
        }
        EXPECT_EQ(failed.code(), Status::Code::kCorruption);
        EXPECT_THAT(failed.message(), StartsWith(path + ": "));
        EXPECT_THAT(failed.message(), HasSubstr(d.message));
        vault_.reset();
        EXPECT_EQ(Snapshot(), damaged) << "nothing is cut or changed";
        break;
      }
      case Handled::kTornTail: {
        ASSERT_TRUE(opened.ok()) << opened.status().message();
        vault_ = std::move(opened).value();
        for (uint64_t account = 1; account <= 5; ++account) {
          EXPECT_EQ(Everything(account), pristine_reads_[account]) << account;
        }
        EXPECT_EQ(Snapshot(), damaged) << "a reader changes no file";
        ASSERT_TRUE(vault_->Recover().ok());
        auto after = Snapshot();
        auto before = pristine_;
        after.erase("vault/LOCK");
        before.erase("vault/LOCK");
        EXPECT_EQ(after, before) << "the writer cut the tail to what was committed, and nothing else";
        Ingest(Event(6, "2026-03-12T12:00:00Z", "203.0.113.5", ", \"user_agent\": \"agent 10\""));
        IngestReport r;
        ASSERT_TRUE(vault_->IngestSubscribers(
            "{\"account_id\": 6, \"effective_from\": \"2025-06-01T00:00:00Z\", \"username\": \"di\"}\n", r).ok());
        Reopen();
        for (uint64_t account = 1; account <= 5; ++account) {
          EXPECT_EQ(Everything(account), pristine_reads_[account]) << account;
        }
        EXPECT_EQ(Everything(6).size(), 1u);
        vault_.reset();
        break;
      }
      case Handled::kRecordRebuilt: {
        ASSERT_TRUE(opened.ok()) << opened.status().message();
        vault_ = std::move(opened).value();
        EXPECT_EQ(Everything(1), pristine_reads_[1]);
        EXPECT_EQ(Snapshot(), damaged) << "a reader changes no file";
        EXPECT_FALSE(ReadLockRecord(PosixFileSystem(), path).valid);
        ASSERT_TRUE(vault_->Recover().ok());
        EXPECT_TRUE(ReadLockRecord(PosixFileSystem(), path).valid);
        vault_.reset();
        break;
      }
    }
  }

  std::map<std::string, std::string> pristine_;
  std::map<uint64_t, std::vector<std::string>> pristine_reads_;
  std::string journal_, segment_;
};

// Damages of a file of framed records.
std::vector<Damage> FramedDamages(const std::string& file, const std::string& bytes, size_t first,
                                  const std::string& header_message) {
  const std::vector<size_t> r = Records(bytes, first);
  const size_t size = bytes.size(), last = r.back();
  const std::string committed = ", inside the " + std::to_string(size) + " bytes committed";
  const auto at = [](size_t pos) { return "the record at byte " + std::to_string(pos) + " "; };
  const std::string last_record = bytes.substr(last);
  std::vector<Damage> out = {
      {file, "a byte of the first record's body", Handled::kCorruption,
       [=](std::string& b) { b[first + 8 + 5] ^= 0x01; }, at(first) + "fails its checksum" + committed},
      {file, "a bit of the first record's length", Handled::kCorruption,
       [=](std::string& b) { b[first] ^= 0x04; }, at(first)},
      {file, "the first record's length running past the end", Handled::kCorruption,
       [=](std::string& b) { std::string l; PutFixed32(l, static_cast<uint32_t>(size)); b.replace(first, 4, l); },
       at(first) + "is cut short" + committed},
      {file, "a length of zero in the first record", Handled::kCorruption,
       [=](std::string& b) { b.replace(first, 4, std::string(4, '\0')); }, at(first) + "has an impossible length"},
      {file, "the last record's length running past the end", Handled::kCorruption,
       [=](std::string& b) { b[last + 1] ^= 0x40; }, at(last) + "is cut short" + committed},
      {file, "a byte of the last record's checksum", Handled::kCorruption,
       [=](std::string& b) { b[last + 5] ^= 0x01; }, at(last) + "fails its checksum" + committed},
      {file, "cut in the middle of the second record", Handled::kCorruption,
       [=](std::string& b) { b.resize(r[1] + 10); },
       "ends at byte " + std::to_string(r[1] + 10) + ", inside the " + std::to_string(size) + " bytes committed"},
      {file, "cut at a record boundary (the last record gone)", Handled::kCorruption,
       [=](std::string& b) { b.resize(last); },
       "ends at byte " + std::to_string(last) + ", inside the " + std::to_string(size) + " bytes committed"},
      {file, "50 bytes cut off the end", Handled::kCorruption, [=](std::string& b) { b.resize(size - 50); },
       "ends at byte " + std::to_string(size - 50) + ", inside the " + std::to_string(size) + " bytes committed"},
      {file, "torn tail: a record cut short past the committed length", Handled::kTornTail,
       [last_record](std::string& b) { b += last_record.substr(0, last_record.size() / 2); }, ""},
      {file, "torn tail: a record's header cut short past the committed length", Handled::kTornTail,
       [last_record](std::string& b) { b += last_record.substr(0, 5); }, ""},
      {file, "torn tail: zeros past the committed length (a power cut)", Handled::kTornTail,
       [](std::string& b) { b += std::string(100, '\0'); }, ""},
      {file, "torn tail: a whole record whose checksum fails, past the committed length", Handled::kTornTail,
       [last_record](std::string& b) { std::string rec = last_record; rec[10] ^= 0x01; b += rec; }, ""},
      {file, "garbage past the committed length, then a good record", Handled::kCorruption,
       [last_record](std::string& b) { b += std::string(20, '\xab') + last_record; },
       at(size) + "has an impossible length, and a good record follows at byte " + std::to_string(size + 20)},
  };
  if (first > 0) {
    out.push_back({file, "a byte of the header", Handled::kCorruption, [](std::string& b) { b[3] ^= 0x01; },
                   header_message});
  }
  return out;
}

TEST_F(VaultDamageTest, DamageIsReportedWithFileAndByteAndOnlyATornTailIsCut) {
  std::vector<Damage> damages;
  for (const auto& [file, first, header] :
       {std::tuple<std::string, size_t, std::string>{"vault/strings.dict", 0, ""},
        {"vault/subscribers.log", 8, "the header at byte 0 is damaged"},
        {journal_, kJournalHeaderBytes, "the header at byte 0 is damaged"}}) {
    for (Damage& d : FramedDamages(file, pristine_.at(file), first, header)) damages.push_back(std::move(d));
  }
  const std::string slots = "keys/accounts.slots";
  const size_t slot_size = pristine_.at(slots).size();
  const std::string slot_committed = ", inside the " + std::to_string(slot_size) + " bytes committed";
  for (const auto& [what, offset] : {std::pair{"the state byte of the second slot", 96},
                                     {"the checksum of the second slot", 96 + 5},
                                     {"the tag of the second slot", 96 + 9},
                                     {"the wrapped key of the second slot", 96 + 50}}) {
    damages.push_back({slots, what, Handled::kCorruption, [at = offset](std::string& b) { b[at] ^= 0x01; },
                       "the slot at byte 96 fails its checksum"});
  }
  damages.push_back({slots, "50 bytes cut off the end (an account lost)", Handled::kCorruption,
                     [](std::string& b) { b.resize(b.size() - 50); },
                     "ends at byte " + std::to_string(slot_size - 50) + slot_committed});
  damages.push_back({slots, "cut at a slot boundary (the last slot gone)", Handled::kCorruption,
                     [](std::string& b) { b.resize(b.size() - 96); },
                     "ends at byte " + std::to_string(slot_size - 96) + slot_committed});
  damages.push_back({slots, "torn tail: a slot cut short past the committed length", Handled::kTornTail,
                     [](std::string& b) { b += b.substr(0, 40); }, ""});
  damages.push_back({"vault/holds.sealed", "a byte of the sealed holds", Handled::kCorruption,
                     [](std::string& b) { b[40] ^= 0x01; }, "the sealed holds from byte 32 fail authentication"});
  damages.push_back({"vault/holds.sealed", "10 bytes cut off the end", Handled::kCorruption,
                     [](std::string& b) { b.resize(b.size() - 10); }, "the sealed holds from byte 32 fail authentication"});
  damages.push_back({"keys/vault.keys", "a byte of the sealed keys", Handled::kCorruption,
                     [](std::string& b) { b[40] ^= 0x01; }, "the sealed keys at byte 32 do not open"});
  damages.push_back({segment_, "a byte of the header", Handled::kCorruption, [](std::string& b) { b[9] ^= 0x01; },
                     "the header at byte 0 is damaged"});
  damages.push_back({segment_, "a byte of the footer", Handled::kCorruption,
                     [](std::string& b) { b[b.size() - 20] ^= 0x01; }, "the footer at byte "});
  damages.push_back({segment_, "1 byte cut off the end", Handled::kCorruption,
                     [](std::string& b) { b.resize(b.size() - 1); }, "the footer at byte "});
  damages.push_back({segment_, "a byte of the first block", Handled::kCorruptionOnRead,
                     [](std::string& b) { b[60] ^= 0x01; }, "block 0 at byte 52 fails authentication"});
  // The block index's first chunk: where the footer says (its first section).
  const auto block_chunks = [](const std::string& b) { return DecodeFixed64(b.data() + b.size() - 132); };
  damages.push_back({segment_, "a byte of the block index's first chunk", Handled::kCorruptionOnRead,
                     [block_chunks](std::string& b) { b[block_chunks(b) + 3] ^= 0x01; },
                     "block index chunk 0 fails its checksum"});
  damages.push_back({segment_, "a byte of the block index's fence", Handled::kCorruption,
                     [](std::string& b) { b[DecodeFixed64(b.data() + b.size() - 132 + 16) + 1] ^= 0x01; },
                     "index fence 0 at byte "});
  damages.push_back({"vault/LOCK", "a byte of the lock record", Handled::kRecordRebuilt,
                     [](std::string& b) { b[30] ^= 0x01; }, ""});

  std::map<Handled, int> counts;
  std::ostringstream table;
  for (const Damage& d : damages) {
    Check(d);
    ++counts[d.handled];
    table << "  " << d.file << ": " << d.what << " -> " << Name(d.handled) << "\n";
  }
  std::cout << damages.size() << " damages tried:\n" << table.str();
  for (const auto& [handled, n] : counts) std::cout << "  " << n << " " << Name(handled) << "\n";
  EXPECT_EQ(damages.size(), 61u);
}

// Without a lock record (lost, or a vault older than it), a record that fails its checks is
// a torn tail only when no good record follows it: a length field damaged in the middle is
// still reported, never taken for a torn tail.
TEST_F(VaultDamageTest, WithoutTheRecordAGoodRecordAfterTheDamageMakesItCorruption) {
  const std::string dict = "vault/strings.dict";
  for (const char* file : {"vault/strings.dict", "vault/subscribers.log"}) {
    SCOPED_TRACE(file);
    const size_t first = std::string(file) == dict ? 0 : 8;
    Damage d{file, "", Handled::kCorruption, [first](std::string& b) {
               std::string l;
               PutFixed32(l, static_cast<uint32_t>(b.size()));
               b.replace(first, 4, l);
             }, ""};
    Stage(d);
    fs::remove(fs::path(dir_) / "vault/LOCK");
    const auto damaged = Snapshot();
    auto opened = EmbeddedVault::Open(dir_, master_, options_);
    ASSERT_FALSE(opened.ok());
    EXPECT_THAT(opened.status().message(),
                StartsWith((fs::path(dir_) / file).string() + ": the record at byte " + std::to_string(first) +
                           " is cut short, and a good record follows at byte "));
    EXPECT_EQ(Snapshot(), damaged);
  }
}

// A file cut short under a writer that is open already: it refuses to append (its view of
// the file no longer holds), names the file, and cuts nothing.
TEST_F(VaultDamageTest, AWriterNeverAppendsToAFileCutUnderIt) {
  Reopen();
  ASSERT_TRUE(vault_->Recover().ok());
  const std::string dict = (fs::path(dir_) / "vault/strings.dict").string();
  const auto size = fs::file_size(dict);
  fs::resize_file(dict, size - 10);
  const auto damaged = Snapshot();
  IngestReport r;
  Status s = vault_->Ingest(Event(1, "2026-03-12T12:00:00Z", "203.0.113.5", ", \"user_agent\": \"new agent\""), r);
  EXPECT_EQ(s.code(), Status::Code::kInternal);
  EXPECT_EQ(s.message(), dict + ": " + std::to_string(size - 10) + " bytes long where " + std::to_string(size) +
                             " were expected (written by another process without the lock?); nothing was written");
  auto after = Snapshot();
  EXPECT_EQ(after.at("vault/strings.dict"), damaged.at("vault/strings.dict"));
  after.erase("vault/LOCK");
  auto before = damaged;
  before.erase("vault/LOCK");
  EXPECT_EQ(after, before);
}

}  // namespace
}  // namespace custodian::vault
