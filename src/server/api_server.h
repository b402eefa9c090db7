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

#include "cases/ledgers/ledgers.h"
#include "cases/ledgers/signing_keys.h"
#include "cases/package_store.h"
#include "cases/workflow.h"
#include "core/clock.h"
#include "server/connection_limits.h"
#include "server/mail_transport.h"
#include "server/production_jobs.h"
#include "server/requester_store.h"
#include "server/user_store.h"
#include "vault/vault.h"

namespace custodian::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (see ApiServer::port)
  std::string tls_certificate;  // PEM files; both or neither
  std::string tls_private_key;
  // Each endpoint that takes a body has its limit, checked against Content-Length before the
  // body is read and while it is read: a sign-in 8 KiB, a step's fields 64 KiB, a request
  // document 1 MiB, a process document 20 MiB, and these two.
  size_t max_ingest_bytes = 64 << 20;
  size_t max_body_bytes = 2 << 20;  // the agency registry and the standards an admin installs
  int login_attempts_per_minute = 10;  // per client address
  ConnectionLimits connections;  // deadlines, workers, connections per client address
  // A demo instance (`custodian demo`): the session says `demo`, and the console that second
  // factors are off.
  bool demo = false;
};

// What the server answers from. It borrows them all: they must outlive it.
struct ServerServices {
  cases::Workflow& workflow;
  UserStore& users;
  vault::Vault& vault;
  cases::Ledgers& ledgers;
  cases::SigningKeys& signing_keys;
  Clock& clock;
  cases::PackageStore& packages;  // the productions' packages, for download
  // Productions run in the server (POST /api/v1/cases/{id}/productions); none: refused.
  ProductionJobs* productions = nullptr;
  // Requesters' accounts on the portal; none: registration and requester sessions refused.
  RequesterStore* requesters = nullptr;
  // What mails a requester's confirmation link ([mail], with [alerts] console_url for the
  // portal's address); none: registration refused.
  MailTransport* mail = nullptr;
};

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

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopback(const std::string& host);

}  // namespace custodian::server
