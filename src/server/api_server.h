// The HTTP API under /api/v1 (docs/api.md; OpenAPI at /api/openapi.json): staff sign in with
// a password and a TOTP code and get a session cookie (HttpOnly, SameSite=Strict, Secure
// under TLS) whose changes carry a CSRF token; services and requesters present bearer tokens.
// The ledgers' signed heads and consistency proofs and the public keys are open to anyone.
// Every answer is JSON; every error an RFC 9457 problem document.
// Thread-safe: requests are served from a pool of threads over the thread-safe workflow,
// user store, vault, ledgers and signing keys.
#pragma once

#include <memory>
#include <string>

#include "server/server_services.h"

namespace custodian::server {

class ApiServer {
 public:
  // InvalidArgument for a listening address other than loopback without TLS, or TLS files
  // that do not load; IoError when the address cannot be bound.
  static Result<std::unique_ptr<ApiServer>> Start(const ServerServices& services,
                                                  const ServerOptions& options);
  ~ApiServer();

  int port() const;
  // Connections open from a client address now (what ConnectionLimits::max_per_address bounds).
  size_t ConnectionsFrom(const std::string& address) const;
  // Serves until Stop; returns when stopped.
  void Wait();
  void Stop();

 private:
  struct Impl;
  explicit ApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace custodian::server
