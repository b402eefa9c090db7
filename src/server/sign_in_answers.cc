#include "server/sign_in_answers.h"

#include "server/answers.h"
#include "server/totp.h"

namespace custodian::server {

nlohmann::ordered_json TotpEnrolmentJson(std::string_view label, std::string_view secret) {
  return {{"secret", Base32(secret)},
          {"otpauth_uri", OtpauthUri(label, secret)},
          {"algorithm", "SHA256"},
          {"digits", 6},
          {"period", kTotpStepSeconds}};
}

void BadTicket(httplib::Response& res) {
  SendProblem(res, {401, "invalid-ticket", "The enrolment ticket is not valid",
                    "It is unknown, expired or used: sign in again for another.", "/ticket"});
}

std::string SessionCookie(std::string_view name, std::string_view value, std::string_view path, int64_t max_age_seconds,
                          bool tls) {
  std::string cookie = std::string(name) + "=" + std::string(value) + "; Path=" + std::string(path) +
                       "; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_seconds);
  if (tls) cookie += "; Secure";
  return cookie;
}

}  // namespace custodian::server
