// What staff's sign-in (session_routes.cc) and requesters' (requester_routes.cc) answer
// alike (besides the attempts each address may make: sign_in_limiter.h): the second factor's
// enrolment, a ticket that opens nothing, and the session's cookie. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace custodian::server {

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
