#include "cli/live_input.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace custodian {

void LiveInput::Take(std::string_view chunk) {
  const auto now = std::chrono::steady_clock::now();
  for (size_t i = 0; i < chunk.size();) {
    const size_t nl = chunk.find('\n', i);
    const size_t end = nl == std::string_view::npos ? chunk.size() : nl + 1;
    if (!dropping_) {
      run_.append(chunk.substr(i, end - i));
    } else if (nl != std::string_view::npos) {
      run_.push_back('\n');
    }
    const size_t whole = lines_.empty() ? handed_ : lines_.back().end;
    if (nl != std::string_view::npos) {
      dropping_ = false;
      lines_.push_back({run_.size(), read_ + nl + 1, now});
    } else if (!dropping_ && run_.size() - whole > kLongestLine) {
      run_.resize(whole + kLongestLine);
      dropping_ = true;
    }
    i = end;
  }
  read_ += chunk.size();
}

std::string_view LiveInput::HandOver(size_t lines) {
  if (eof_ && lines == lines_.size()) {
    handed_ = run_.size();  // the last line may lack its newline
    handed_offset_ = read_;
  } else {
    handed_ = lines_[lines - 1].end;
    handed_offset_ = lines_[lines - 1].offset;
  }
  lines_.erase(lines_.begin(), lines_.begin() + static_cast<std::ptrdiff_t>(lines));
  return std::string_view(run_).substr(0, handed_);
}

Result<std::string_view> LiveInput::Next() {
  run_.erase(0, handed_);
  for (LineEnd& l : lines_) l.end -= handed_;
  handed_ = 0;
  char chunk[1 << 16];
  while (true) {
    const size_t ready = std::min(lines_.size(), max_lines_);
    if (eof_) return HandOver(lines_.size() > max_lines_ ? max_lines_ : lines_.size());
    const auto now = std::chrono::steady_clock::now();
    if (ready > 0 && (ready == max_lines_ || lines_[ready - 1].end >= kRunBytes ||
                      now >= lines_.front().arrived + max_wait_)) {
      return HandOver(ready);
    }
    int timeout = -1;
    if (ready > 0) {
      timeout = static_cast<int>(
          std::chrono::ceil<std::chrono::milliseconds>(lines_.front().arrived + max_wait_ - now).count());
    }
    pollfd p{fd_, POLLIN, 0};
    const int polled = ::poll(&p, 1, timeout);
    if (polled < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(std::string("standard input: ") + std::strerror(errno));
    }
    if (polled == 0) continue;  // the first line waited long enough
    const ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Status::IoError(std::string("standard input: ") + std::strerror(errno));
    }
    if (n == 0) {
      eof_ = true;
      continue;
    }
    Take(std::string_view(chunk, static_cast<size_t>(n)));
  }
}

}  // namespace custodian
