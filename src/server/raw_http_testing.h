// Test helpers that speak HTTP over raw sockets, as a hostile client does: a connection from a
// chosen loopback address (Linux routes all of 127.0.0.0/8 to loopback), bytes sent as they
// come, and an answer read until the server closes, with a guard against a server that never
// answers. And the process's peak resident memory, for what a refused body must not cost.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <string_view>

namespace custodian::server {

// A socket connected from `from` (an address of 127.0.0.0/8) to 127.0.0.1:port; -1 on failure.
// `guard` bounds each read and write, so that a test meets a server that never answers.
inline int ConnectFrom(const char* from, int port, std::chrono::seconds guard = std::chrono::seconds(60)) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval tv{static_cast<time_t>(guard.count()), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, from, &local.sin_addr);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends all of `bytes`; false once the server has stopped taking them (closed or reset).
inline bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// What the server sends until it closes the connection (or the guard passes).
inline std::string ReadUntilClosed(int fd) {
  std::string out;
  char buf[4096];
  while (true) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

// One answer on a connection kept open: its headers, then as many bytes as its Content-Length
// says ("" when the server closed or the guard passed first).
inline std::string ReadAnswer(int fd) {
  std::string out;
  char c;
  while (out.find("\r\n\r\n") == std::string::npos) {
    if (::recv(fd, &c, 1, 0) != 1) return "";
    out += c;
  }
  size_t length = 0;
  const size_t at = out.find("\r\nContent-Length: ");
  if (at != std::string::npos) length = std::stoul(out.substr(at + 18));
  std::string body(length, '\0');
  for (size_t got = 0; got < length;) {
    const ssize_t n = ::recv(fd, body.data() + got, length - got, 0);
    if (n <= 0) return "";
    got += static_cast<size_t>(n);
  }
  return out + body;
}
// The value of header `name` in an answer ("" when it has none).
inline std::string HeaderOf(const std::string& answer, const std::string& name) {
  const size_t at = answer.find("\r\n" + name + ": ");
  if (at == std::string::npos || at > answer.find("\r\n\r\n")) return "";
  const size_t start = at + 4 + name.size();
  return answer.substr(start, answer.find("\r\n", start) - start);
}

// An answer's status code ("HTTP/1.1 413 …" → 413), or 0 when there is none.
inline int StatusOf(const std::string& answer) {
  if (!answer.starts_with("HTTP/1.1 ") || answer.size() < 12) return 0;
  return std::stoi(answer.substr(9, 3));
}
// An answer's body: what follows its headers.
inline std::string BodyOf(const std::string& answer) {
  const size_t end = answer.find("\r\n\r\n");
  return end == std::string::npos ? "" : answer.substr(end + 4);
}

// The process's peak resident memory in KiB (/proc/self/status VmHWM), and its reset.
inline long PeakResidentKib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
  }
  return -1;
}
inline void ResetPeakResident() { std::ofstream("/proc/self/clear_refs") << "5"; }

}  // namespace custodian::server
