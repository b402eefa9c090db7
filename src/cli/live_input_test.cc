#include "cli/live_input.h"

#include <unistd.h>

#include <thread>

#include <gtest/gtest.h>

namespace custodian {
namespace {

class LiveInputTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::pipe(fds_), 0); }
  void TearDown() override {
    ::close(fds_[0]);
    if (fds_[1] >= 0) ::close(fds_[1]);
  }
  void Write(const std::string& text) {
    ASSERT_EQ(::write(fds_[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  void CloseWriter() {
    ::close(fds_[1]);
    fds_[1] = -1;
  }
  int fds_[2];
};

// Runs of at most N lines, handed over before the end of the input; the rest at its end.
TEST_F(LiveInputTest, HandsOverRunsOfWholeLinesBeforeTheEnd) {
  LiveInput input(fds_[0], 2, std::chrono::milliseconds(60000));
  Write("a\nbb\nccc\ndd");  // and the pipe stays open
  auto run = input.Next();
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(*run, "a\nbb\n");
  EXPECT_EQ(input.offset(), 5u);
  CloseWriter();
  run = input.Next();
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(*run, "ccc\ndd") << "at the end, the last line without its newline";
  EXPECT_EQ(input.offset(), 11u);
  run = input.Next();
  ASSERT_TRUE(run.ok());
  EXPECT_TRUE(run->empty());
}

// A read waiting for input returns when another thread interrupts it, before or after it
// began to wait, though the producer neither writes nor closes.
TEST_F(LiveInputTest, AnInterruptEndsAWaitingRead) {
  LiveInput input(fds_[0], 2, std::chrono::milliseconds(60000));
  Write("a\n");  // one line of the two a run waits for, and the pipe stays open
  Result<std::string_view> run = std::string_view();
  std::thread reader([&] { run = input.Next(); });
  input.Interrupt();
  reader.join();
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().code(), Status::Code::kUnavailable);
  EXPECT_FALSE(input.Next().ok()) << "it stays interrupted";
}

// Fewer lines than a run holds are handed over once the first has waited long enough,
// whatever the producer does next.
TEST_F(LiveInputTest, ALoneLineIsHandedOverWithoutTheEnd) {
  LiveInput input(fds_[0], 1000, std::chrono::milliseconds(1));
  Write("one\ntwo\n");
  auto run = input.Next();
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(*run, "one\ntwo\n");
}

// A line longer than kLongestLine keeps only its beginning: memory stays bounded, and the
// offsets still count every byte of the input.
TEST_F(LiveInputTest, AnOverlongLineKeepsItsBeginningOnly) {
  LiveInput input(fds_[0], 2, std::chrono::milliseconds(60000));
  const std::string huge(LiveInput::kLongestLine * 4, 'x');
  std::thread writer([&] {
    Write(huge + "\nshort\n");
    CloseWriter();
  });
  auto run = input.Next();
  ASSERT_TRUE(run.ok());
  writer.join();
  EXPECT_EQ(*run, std::string(LiveInput::kLongestLine, 'x') + "\nshort\n");
  EXPECT_EQ(input.offset(), huge.size() + 7);
}

}  // namespace
}  // namespace custodian
