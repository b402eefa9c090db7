// A one-line progress bar on standard error, drawn only when it is a terminal and at most a
// few times a second. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace custodian {

class Progress {
 public:
  // `total_bytes` 0: unknown (standard input): counts are shown without a percentage. `unit`
  // names what the items are.
  Progress(std::string label, uint64_t total_bytes, std::string unit = "events");
  ~Progress();
  void Update(uint64_t bytes_done, uint64_t items_done);
  void Finish();

 private:
  std::string label_;
  uint64_t total_;
  std::string unit_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace custodian
