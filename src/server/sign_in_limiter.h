// Sign-in attempts (a password, a code, a ticket) per client address in the last minute,
// counted in the case store, so that every server of one store (several `custodian serve`
// behind a load balancer, on one PostgreSQL database) holds the same limit: an address that
// spreads its attempts over the servers gets no more of them. The store keeps a keyed tag of
// the address, never the address. Thread-safe.
#pragma once

#include <string>

#include <httplib.h>

#include "cases/store/database.h"
#include "core/time.h"

namespace custodian::server {

class SignInLimiter {
 public:
  // `scope` keeps apart limits counted separately (staff's sign-in, requesters').
  SignInLimiter(cases::Database& db, std::string scope, int per_minute)
      : db_(db), scope_(std::move(scope)), per_minute_(per_minute) {}

  // True, and the attempt counted, while the address is within its limit; otherwise the
  // answer is 429 (or, when the store fails, its problem) and false.
  bool Admit(const httplib::Request& req, httplib::Response& res, Timestamp now);
  // The same, for `address` (what Admit reads from the request).
  Result<bool> Admit(const std::string& address, Timestamp now);

 private:
  cases::Database& db_;
  const std::string scope_;
  const int per_minute_;
};

}  // namespace custodian::server
