// One client's connection as the HTTP server reads and writes it, plain TCP or TLS over it: an
// httplib::Stream whose every read waits at most until the connection's deadline, which the
// server moves as a request goes from its headers to its body, so that a client sending a byte
// now and then is cut off however it paces them; every write waits at most the write timeout.
// Used by the one worker thread that serves it; Shut() may be called from any thread.
#pragma once

#include <httplib.h>
#include <openssl/ssl.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace custodian::server {

using Deadline = std::chrono::steady_clock::time_point;
inline constexpr Deadline kNoDeadline = Deadline::max();

class Connection : public httplib::Stream {
 public:
  // Owns `fd` (made non-blocking) and closes it. With `tls`, the connection speaks TLS under
  // that context once Accept has done the handshake.
  Connection(int fd, SSL_CTX* tls, std::chrono::milliseconds write_timeout);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The client's IP address, as text ("127.0.0.2", "::1").
  const std::string& address() const { return address_; }

  // The TLS handshake, done by `until`; false when it fails or takes longer. True for plain TCP.
  bool Accept(Deadline until);
  // True when a request's first bytes have come by `until` (the wait between requests).
  bool WaitForRequest(Deadline until);
  // A request's line and headers come next: reads give up at `deadline` or once `budget`
  // bytes have been read. timed_out() and over_budget() say whether one did.
  void StartHeaders(Deadline deadline, size_t budget);
  // Its body comes next: reads give up at `deadline`, however many bytes they take.
  void StartBody(Deadline deadline);
  bool timed_out() const { return timed_out_; }
  bool over_budget() const { return over_budget_; }
  // Ends the connection gracefully after an answer that left a body unread: TLS's
  // close_notify, the write side shut, and what the client still sends read and dropped until
  // it closes or `until` passes, so that the answer is not lost to a reset.
  void Linger(Deadline until);
  // Writes `bytes` if the socket takes them at once (an answer before any request was read),
  // and ends the connection.
  void SendNow(std::string_view bytes);
  // Wakes the connection's reads and writes for good, from any thread: the server is stopping.
  void Shut();

  // httplib::Stream.
  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }

 private:
  // Polls for `events` until `until`; false (timed_out_ set when it was the time) otherwise.
  bool Wait(short events, Deadline until);
  // One read from the socket into `out`, by the deadline: >0 bytes, 0 at the end, -1 failed.
  ssize_t ReadSome(char* out, size_t size);
  // A read served from the buffer, refilled by ReadSome when empty.
  ssize_t ReadBuffered(char* ptr, size_t size);

  const int fd_;
  SSL* ssl_ = nullptr;
  bool tls_failed_ = false;  // TLS was asked for and its session could not be made
  const std::chrono::milliseconds write_timeout_;
  std::string address_;
  int port_ = 0;
  Deadline deadline_ = kNoDeadline;
  bool timed_out_ = false;
  size_t budget_ = SIZE_MAX;  // bytes read() may still give
  bool over_budget_ = false;
  // httplib reads request lines a byte at a time: bytes come from the socket a buffer at a time.
  std::array<char, 4096> buffer_;
  size_t buffer_begin_ = 0, buffer_end_ = 0;
};

}  // namespace custodian::server
