// Standard input read as it arrives, for `custodian ingest -` and `subscribers import -` fed
// by a live producer (`producer | custodian ingest -`): runs of whole lines are handed over as
// soon as enough have arrived, or the first of them has waited long enough, without waiting
// for the end of the input. Memory stays bounded whatever the input: a run holds at most
// kRunBytes (plus one read), and a line longer than kLongestLine keeps only its beginning
// (the parsers refuse it by its length). Thread-compatible, but for Interrupt, which another
// thread may call while one waits in Next.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "core/status.h"

namespace custodian {

class LiveInput {
 public:
  static constexpr size_t kRunBytes = size_t{16} << 20;
  static constexpr size_t kLongestLine = size_t{64} << 10;

  // Reads `fd` (not owned); a run of at most `max_lines` whole lines is handed over once that
  // many have arrived, or `max_wait` after the first of them arrived.
  LiveInput(int fd, size_t max_lines, std::chrono::milliseconds max_wait);
  ~LiveInput();
  LiveInput(const LiveInput&) = delete;
  LiveInput& operator=(const LiveInput&) = delete;

  // The next run of whole lines (at the end of the input, the last may lack its newline);
  // empty at the end. Valid until the next call. IoError when the input cannot be read;
  // Unavailable once Interrupt was called.
  Result<std::string_view> Next();
  // Makes a Next waiting for input, now or later, return at once (the reader of the next run
  // is stopped when the run before it failed).
  void Interrupt();
  // The input's bytes up to the end of the run handed over last.
  uint64_t offset() const { return handed_offset_; }

 private:
  // A whole line gathered: where it ends in run_ and in the input, and when it arrived.
  struct LineEnd {
    size_t end;
    uint64_t offset;
    std::chrono::steady_clock::time_point arrived;
  };
  // Adds bytes just read (the input's from read_) to the run being gathered.
  void Take(std::string_view chunk);
  // Hands over the first `lines` whole lines (all that was read, at the end of the input).
  std::string_view HandOver(size_t lines);

  const int fd_;
  int interrupt_[2] = {-1, -1};  // a pipe: a byte written to [1] wakes a Next waiting on [0]
  const size_t max_lines_;
  const std::chrono::milliseconds max_wait_;
  std::string run_;        // the lines gathered, the first `handed_` bytes handed over already
  size_t handed_ = 0;
  std::deque<LineEnd> lines_;  // the whole lines of run_ not handed over
  uint64_t read_ = 0;          // bytes read from the input
  uint64_t handed_offset_ = 0;
  bool dropping_ = false;      // in a line too long: its bytes are dropped up to its newline
  bool eof_ = false;
};

}  // namespace custodian
