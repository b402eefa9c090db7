#include "server/connection.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace custodian::server {
namespace {

// The numeric address and port of a socket's peer (or of its own end).
void AddressOf(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  const int r = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                     : ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (r != 0) return;
  char host[NI_MAXHOST], service[NI_MAXSERV];
  if (::getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof host, service,
                    sizeof service, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return;
  }
  ip = host;
  port = std::atoi(service);
}

}  // namespace

Connection::Connection(int fd, SSL_CTX* tls, std::chrono::milliseconds write_timeout)
    : fd_(fd), write_timeout_(write_timeout) {
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL, 0) | O_NONBLOCK);
  AddressOf(fd_, true, address_, port_);
  if (tls) {
    ssl_ = SSL_new(tls);
    // Without its session a TLS connection is never served, least of all in the clear.
    if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1) tls_failed_ = true;
  }
}

Connection::~Connection() {
  if (ssl_) SSL_free(ssl_);
  ::close(fd_);
}

bool Connection::Wait(short events, Deadline until) {
  while (true) {
    int timeout_ms = -1;
    if (until != kNoDeadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        timed_out_ = true;
        return false;
      }
      // Rounded up: a poll that wakes early only polls again.
      timeout_ms = static_cast<int>(std::min<int64_t>(left.count() + 1, 60'000));
    }
    pollfd p{fd_, events, 0};
    const int n = ::poll(&p, 1, timeout_ms);
    if (n > 0) return true;  // ready, or hung up: the next call says which
    if (n < 0 && errno != EINTR) return false;
  }
}

bool Connection::Accept(Deadline until) {
  if (tls_failed_) return false;
  if (!ssl_) return true;
  while (true) {
    const int r = SSL_accept(ssl_);
    if (r == 1) return true;
    const int error = SSL_get_error(ssl_, r);
    if (error == SSL_ERROR_WANT_READ) {
      if (!Wait(POLLIN, until)) return false;
    } else if (error == SSL_ERROR_WANT_WRITE) {
      if (!Wait(POLLOUT, until)) return false;
    } else {
      return false;
    }
  }
}

bool Connection::WaitForRequest(Deadline until) {
  if (buffer_begin_ < buffer_end_ || (ssl_ && SSL_pending(ssl_) > 0)) return true;
  return Wait(POLLIN, until);
}

ssize_t Connection::ReadSome(char* out, size_t size) {
  const int chunk = static_cast<int>(std::min<size_t>(size, 1 << 20));
  while (true) {
    if (ssl_) {
      const int r = SSL_read(ssl_, out, chunk);
      if (r > 0) return r;
      const int error = SSL_get_error(ssl_, r);
      if (error == SSL_ERROR_ZERO_RETURN) return 0;
      if (error == SSL_ERROR_WANT_READ) {
        if (!Wait(POLLIN, deadline_)) return -1;
      } else if (error == SSL_ERROR_WANT_WRITE) {
        if (!Wait(POLLOUT, deadline_)) return -1;
      } else {
        return -1;
      }
      continue;
    }
    const ssize_t r = ::recv(fd_, out, static_cast<size_t>(chunk), 0);
    if (r >= 0) return r;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    if (!Wait(POLLIN, deadline_)) return -1;
  }
}

void Connection::StartHeaders(Deadline deadline, size_t budget) {
  deadline_ = deadline;
  budget_ = budget;
  timed_out_ = over_budget_ = false;
}

void Connection::StartBody(Deadline deadline) {
  deadline_ = deadline;
  budget_ = SIZE_MAX;
}

ssize_t Connection::read(char* ptr, size_t size) {
  if (size == 0) return 0;
  if (budget_ == 0) {
    over_budget_ = true;
    return -1;
  }
  size = std::min(size, budget_);
  const ssize_t n = ReadBuffered(ptr, size);
  if (n > 0 && budget_ != SIZE_MAX) budget_ -= static_cast<size_t>(n);
  return n;
}

ssize_t Connection::ReadBuffered(char* ptr, size_t size) {
  if (buffer_begin_ == buffer_end_) {
    // A large read goes straight to the caller; a small one (a line's byte) fills the buffer.
    if (size >= buffer_.size()) return ReadSome(ptr, size);
    const ssize_t n = ReadSome(buffer_.data(), buffer_.size());
    if (n <= 0) return n;
    buffer_begin_ = 0;
    buffer_end_ = static_cast<size_t>(n);
  }
  const size_t n = std::min(size, buffer_end_ - buffer_begin_);
  std::memcpy(ptr, buffer_.data() + buffer_begin_, n);
  buffer_begin_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t Connection::write(const char* ptr, size_t size) {
  const Deadline until = std::chrono::steady_clock::now() + write_timeout_;
  const int chunk = static_cast<int>(std::min<size_t>(size, 1 << 20));
  while (true) {
    if (ssl_) {
      const int r = SSL_write(ssl_, ptr, chunk);
      if (r > 0) return r;
      const int error = SSL_get_error(ssl_, r);
      if (error == SSL_ERROR_WANT_WRITE) {
        if (!Wait(POLLOUT, until)) return -1;
      } else if (error == SSL_ERROR_WANT_READ) {
        if (!Wait(POLLIN, until)) return -1;
      } else {
        return -1;
      }
      continue;
    }
    const ssize_t r = ::send(fd_, ptr, static_cast<size_t>(chunk), MSG_NOSIGNAL);
    if (r >= 0) return r;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    if (!Wait(POLLOUT, until)) return -1;
  }
}

bool Connection::is_readable() const {
  if (buffer_begin_ < buffer_end_ || (ssl_ && SSL_pending(ssl_) > 0)) return true;
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

bool Connection::is_writable() const {
  pollfd p{fd_, POLLOUT, 0};
  return ::poll(&p, 1, static_cast<int>(write_timeout_.count())) > 0 && !(p.revents & (POLLERR | POLLHUP));
}

void Connection::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = address_;
  port = port_;
}

void Connection::get_local_ip_and_port(std::string& ip, int& port) const {
  AddressOf(fd_, false, ip, port);
}

void Connection::Linger(Deadline until) {
  if (ssl_) SSL_shutdown(ssl_);  // one try: a close_notify if the socket takes it now
  ::shutdown(fd_, SHUT_WR);
  char discard[4096];
  while (Wait(POLLIN, until)) {
    const ssize_t n = ::recv(fd_, discard, sizeof discard, 0);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) return;
  }
}

void Connection::SendNow(std::string_view bytes) {
  if (ssl_ || tls_failed_) return;  // no TLS session yet: nothing can be said in it
  [[maybe_unused]] const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(fd_, SHUT_WR);
  // What the client has sent already is dropped, so that closing ends with a FIN (and the
  // answer arrives) rather than a reset. Without waiting: the next bytes are not waited for.
  char discard[4096];
  while (::recv(fd_, discard, sizeof discard, MSG_DONTWAIT) > 0) {
  }
}

void Connection::Shut() { ::shutdown(fd_, SHUT_RDWR); }

}  // namespace custodian::server
