// How the API server is set up (its address, TLS, limits) and the services it answers from,
// which it borrows: what the server and each resource's routes (routes.h) take.
#pragma once

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

}  // namespace custodian::server
