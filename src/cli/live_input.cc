#include "cli/live_input.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace custodian {

LiveInput::LiveInput(int fd, size_t max_lines, std::chrono::milliseconds max_wait)
    : fd_(fd), max_lines_(max_lines), max_wait_(max_wait) {
  if (::pipe2(interrupt_, O_CLOEXEC | O_NONBLOCK) != 0) interrupt_[0] = interrupt_[1] = -1;
}

LiveInput::~LiveInput() {
  for (int fd : interrupt_) {
    if (fd >= 0) ::close(fd);
  }
}

void LiveInput::Interrupt() {
  if (interrupt_[1] < 0) return;
  const char byte = 1;
  // A failed write loses nothing: a pipe too full to take it holds bytes that wake Next.
  const ssize_t written = ::write(interrupt_[1], &byte, 1);
  static_cast<void>(written);
}

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
    pollfd p[2] = {{fd_, POLLIN, 0}, {interrupt_[0], POLLIN, 0}};
    const int polled = ::poll(p, interrupt_[0] >= 0 ? 2 : 1, timeout);
    if (polled < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(std::string("standard input: ") + std::strerror(errno));
    }
    if (polled == 0) continue;  // the first line waited long enough
    if (p[1].revents) return Status::Unavailable("standard input: no longer read");
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
