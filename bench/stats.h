// Timing for the benchmark: a stopwatch and nearest-rank percentiles.
// Values and pure functions: safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace custodian::bench {

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  double Micros() const { return Seconds() * 1e6; }

 private:
  std::chrono::steady_clock::time_point start_;
};

// A figure of /proc/self/status in kB ("VmHWM:", "RssAnon:"), or none where there is none.
std::optional<uint64_t> ProcStatusKb(const char* field);

// The nearest-rank `p`-th percentile (0 < p <= 100) of `samples`; 0 when there are none.
double Percentile(std::vector<double> samples, double p);

}  // namespace custodian::bench
