// What staff's sign-in (session_routes.cc) and requesters' (requester_routes.cc) answer
// alike: attempts limited per client address, the second factor's enrolment, a ticket that
// opens nothing, and the session's cookie. Thread-safe.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/time.h"

namespace custodian::server {

// Sign-in attempts (a password, a code, a ticket) per client address in the last minute.
class LoginLimiter {
 public:
  explicit LoginLimiter(int per_minute) : per_minute_(per_minute) {}
  // True, and the attempt counted, while the address is within its limit; otherwise the
  // answer is 429 and false.
  bool Admit(const httplib::Request& req, httplib::Response& res, Timestamp now);

 private:
  const int per_minute_;
  std::mutex mu_;
  std::map<std::string, std::deque<int64_t>> attempts_;
};

// The secret for an authenticator app: base32, its otpauth URI labelled `label`, and the
// algorithm, digits and period the URI says.
nlohmann::ordered_json TotpEnrolmentJson(std::string_view label, std::string_view secret);

// 401: an enrolment ticket unknown, expired or used, or its account changed.
void BadTicket(httplib::Response& res);

// The Set-Cookie value of a session: HttpOnly, SameSite=Strict, for `path`, until it expires
// (none: ended now), Secure under TLS.
std::string SessionCookie(std::string_view name, std::string_view value, std::string_view path, int64_t max_age_seconds,
                          bool tls);

}  // namespace custodian::server
