#include "vault/journal.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

namespace custodian::vault {
namespace {

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/custodian_journal_test_XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/journal.log";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Frames(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) {
      JournalFrame f;
      f.account_tag = 100 + i;
      f.nonce.fill(static_cast<uint8_t>(i));
      f.sealed = std::string(20 + i, 'x');
      EncodeJournalFrame(f, out);
    }
    return out;
  }

  std::string dir_, path_;
};

TEST_F(JournalTest, EveryTruncationKeepsTheWholeFramesBeforeIt) {
  JournalId id;
  id.fill(7);
  ASSERT_TRUE(CreateJournal(PosixFileSystem(), path_, Date{20000}, id).ok());
  ASSERT_TRUE(AppendDurably(PosixFileSystem(), path_, kJournalHeaderBytes, Frames(3)).ok());
  const uint64_t full = std::filesystem::file_size(path_);
  const std::string original = *PosixFileSystem().ReadAll(path_);
  std::vector<uint64_t> frame_ends;
  {
    auto c = ReadJournal(PosixFileSystem(), path_);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->frames.size(), 3u);
    EXPECT_EQ(c->day.days, 20000);
    EXPECT_EQ(c->id, id);
    EXPECT_FALSE(c->torn_tail);
  }
  for (uint64_t len = full; len >= 36; --len) {
    ASSERT_TRUE(PosixFileSystem().WriteAtomically(path_, original.substr(0, len)).ok());
    auto c = ReadJournal(PosixFileSystem(), path_);
    ASSERT_TRUE(c.ok()) << len << ": " << c.status().message();
    EXPECT_EQ(c->torn_tail, c->valid_bytes != len) << len;
    EXPECT_LE(c->valid_bytes, len);
  }
  // Shorter than its header, with nothing committed: a creation a crash cut short.
  ASSERT_TRUE(PosixFileSystem().WriteAtomically(path_, original.substr(0, 20)).ok());
  auto created = ReadJournal(PosixFileSystem(), path_);
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(created->torn_creation);
}

// Within what the lock record says was committed, a truncation is damage, never a torn tail.
TEST_F(JournalTest, ATruncationInsideTheCommittedLengthIsCorruption) {
  JournalId id;
  id.fill(7);
  ASSERT_TRUE(CreateJournal(PosixFileSystem(), path_, Date{20000}, id).ok());
  ASSERT_TRUE(AppendDurably(PosixFileSystem(), path_, kJournalHeaderBytes, Frames(3)).ok());
  const uint64_t full = std::filesystem::file_size(path_);
  const std::string original = *PosixFileSystem().ReadAll(path_);
  for (uint64_t len = full - 1; len >= 1; --len) {
    ASSERT_TRUE(PosixFileSystem().WriteAtomically(path_, original.substr(0, len)).ok());
    auto c = ReadJournal(PosixFileSystem(), path_, 0, full);
    ASSERT_FALSE(c.ok()) << len;
    EXPECT_EQ(c.status().code(), Status::Code::kCorruption) << len;
    EXPECT_NE(c.status().message().find(path_ + ": "), std::string::npos) << c.status().message();
  }
  // Read from where an earlier read ended, frames appended since are all there is.
  ASSERT_TRUE(PosixFileSystem().WriteAtomically(path_, original).ok());
  ASSERT_TRUE(AppendDurably(PosixFileSystem(), path_, full, Frames(2)).ok());
  auto more = ReadJournal(PosixFileSystem(), path_, full, full);
  ASSERT_TRUE(more.ok()) << more.status().message();
  EXPECT_EQ(more->frames.size(), 2u);
  EXPECT_EQ(more->frames[0].offset, full);
}

}  // namespace
}  // namespace custodian::vault
