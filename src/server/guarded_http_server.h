// httplib's HTTP server with the guards a server facing the Internet needs, which httplib 0.11
// lacks: a deadline for a request's line and headers and one for its body, so that a client
// sending a byte now and then holds a worker only so long; a bound on the connections one
// client address holds at once, so that a few slow clients cannot take every worker; a body
// admitted or refused from its headers, before it is read; and TLS done here, under the same
// deadlines, from PEM files. Routes, handlers and error handlers are httplib's as ever.
// Thread-safe as httplib::Server is: handlers run on its workers, Shutdown from any thread.
#pragma once

#include <httplib.h>
#include <openssl/ssl.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "core/status.h"
#include "server/connection_limits.h"

namespace custodian::server {

class Connection;

// A request's line and headers, at most: beyond, the request is refused (431) unread.
inline constexpr size_t kMaxHeaderBytes = 64 << 10;

// Whether a request announces a body (RFC 9112 6.3: without Content-Length or
// Transfer-Encoding it has none).
bool AnnouncesBody(const httplib::Request& req);

class GuardedHttpServer : public httplib::Server {
 public:
  // TLS when both PEM files are given (a certificate chain and its private key): TLS 1.2 or
  // later. InvalidArgument when they do not load.
  static Result<std::unique_ptr<GuardedHttpServer>> Create(const ConnectionLimits& limits,
                                                           const std::string& tls_certificate,
                                                           const std::string& tls_private_key);
  ~GuardedHttpServer() override;

  // Decides from a request's headers, before its body is read, whether the body is read:
  // Unhandled to read it, Handled with the answer in `res` to refuse it unread (the
  // connection then closes after the answer). Also answers `Expect: 100-continue`.
  void set_admission(HandlerWithResponse admission);
  // Headers every answer carries, the 429 sent before a request is read included. Call before
  // serving.
  void set_answer_headers(httplib::Headers headers);
  // Stops listening and cuts every open connection; Wait on the listening thread then returns.
  void Shutdown();
  // Connections open from `address` now (the figure the per-address bound holds down).
  size_t ConnectionsFrom(const std::string& address) const;

  // About the connection of the request this thread serves, for handlers:
  // it ends after this answer (a body was left unread, or is not wanted);
  static void CloseAfterAnswer(httplib::Response& res);
  // a read of this request ran past its deadline;
  static bool TimedOut();
  // its line and headers ran past kMaxHeaderBytes.
  static bool HeadersTooLarge();

 private:
  GuardedHttpServer(const ConnectionLimits& limits, SSL_CTX* tls);
  bool process_and_close_socket(socket_t sock) override;
  // Counts the connection against its address; false when the bound or a stop refuses it.
  // At the bound, a connection of that address idle between requests is closed to make room:
  // a browser keeps several open after a page loads, and HTTP lets a server close an idle
  // one (RFC 9112, 9.6); the browser opens another when it needs it.
  bool Admit(Connection& connection);
  void Release(Connection& connection);
  // Stops counting the connection against its address (it is serving its last request).
  void Uncount(Connection& connection);
  // Waits for the connection's next request; false when none came by `until`, or when the
  // connection was closed meanwhile to make room for another from its address.
  bool AwaitRequest(Connection& connection, std::chrono::steady_clock::time_point until);

  const ConnectionLimits limits_;
  SSL_CTX* const tls_;  // owned; null for plain HTTP
  HandlerWithResponse admission_;
  httplib::Headers answer_headers_;
  mutable std::mutex mu_;
  bool stopping_ = false;
  std::map<std::string, size_t> per_address_;
  std::set<Connection*> open_;
  std::set<Connection*> idle_;     // waiting for their next request
  // Closed to make room, or serving their last request: no longer counted for their address.
  std::set<Connection*> uncounted_;
};

}  // namespace custodian::server
