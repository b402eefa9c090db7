#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace custodian {

Progress::Progress(std::string label, uint64_t total_bytes, std::string unit)
    : label_(std::move(label)),
      total_(total_bytes),
      unit_(std::move(unit)),
      enabled_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

Progress::~Progress() { Finish(); }

void Progress::Update(uint64_t bytes_done, uint64_t items_done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  drawn_ = true;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(items_done) / seconds : 0;
  constexpr int kWidth = 30;
  if (total_ > 0) {
    const double fraction = static_cast<double>(bytes_done) / static_cast<double>(total_);
    const int filled = static_cast<int>(fraction * kWidth);
    std::fprintf(stderr, "\r%s [%.*s%*s] %3.0f%%  %llu %s  %.0f %s/s ", label_.c_str(),
                 filled, "##############################", kWidth - filled, "", fraction * 100,
                 static_cast<unsigned long long>(items_done), unit_.c_str(), rate, unit_.c_str());
  } else {
    std::fprintf(stderr, "\r%s %llu %s  %.0f %s/s ", label_.c_str(),
                 static_cast<unsigned long long>(items_done), unit_.c_str(), rate, unit_.c_str());
  }
  std::fflush(stderr);
}

void Progress::Finish() {
  if (enabled_ && drawn_) std::fprintf(stderr, "\n");
  drawn_ = false;
  enabled_ = false;
}

}  // namespace custodian
