// Fuzzes what a caller of the HTTP API controls in its JSON bodies: sign-in, review (with a
// narrowed scope checked against an authorized one, and a pushback's letter), callback, nondisclosure, close, abort,
// assignment, comment, search and hold extension bodies, the first sign-in's and the admin
// pages' (a ticket, a code, a password change, a new user and its roles, a new token), the
// portal's (a confirmation, a colleague's address, a request with its attestation), and a
// staff user's e-mail address (whatever the address checker passes goes into
// SMTP envelopes and mail headers: never a control character, a space or a second @), deep
// ones among them (each meets the depth limit before a parser builds it). Any
// crash, sanitizer report or broken invariant is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cases/narrowing.h"
#include "core/email_address.h"
#include "server/api_bodies.h"

namespace {

const custodian::AuthorizedScope& Authorized() {
  static const custodian::AuthorizedScope scope = [] {
    custodian::AuthorizedScope s;
    s.targets = {{"account_id", "1000042"}, {"email", "Ana@Example.net"}, {"ip", "203.0.113.7:443"}};
    s.categories.Add(custodian::Category::kBasicSubscriber);
    s.categories.Add(custodian::Category::kAccessLog);
    s.window = custodian::Window{custodian::ParseDateTime("2026-01-01T00:00:00Z").value(),
                                 custodian::ParseDateTime("2026-03-01T00:00:00Z").value()};
    return s;
  }();
  return scope;
}

// A refusal must name the field at fault by its JSON pointer.
void CheckRefusal(const custodian::Status& s) {
  if (s.ok()) return;
  if (!s.IsInvalidArgument() || s.message().empty() || s.message()[0] != '/') std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  CheckRefusal(custodian::server::ParseLoginBody(body).status());
  CheckRefusal(custodian::server::ParseCallbackBody(body).status());
  CheckRefusal(custodian::server::ParseCloseBody(body).status());
  CheckRefusal(custodian::server::ParseNondisclosureBody(body).status());
  CheckRefusal(custodian::server::ParseAbortBody(body).status());
  CheckRefusal(custodian::server::ParseAssignBody(body).status());
  CheckRefusal(custodian::server::ParseCommentBody(body).status());
  CheckRefusal(custodian::server::ParseSearchBody(body).status());
  CheckRefusal(custodian::server::ParseExtendBody(body).status());
  CheckRefusal(custodian::server::ParseTicketBody(body).status());
  CheckRefusal(custodian::server::ParseTotpConfirmBody(body).status());
  CheckRefusal(custodian::server::ParsePasswordChangeBody(body).status());
  CheckRefusal(custodian::server::ParseNewTokenBody(body).status());
  CheckRefusal(custodian::server::ParseRolesBody(body).status());
  CheckRefusal(custodian::server::ParseConfirmationBody(body).status());
  CheckRefusal(custodian::server::ParseShareBody(body).status());
  auto attested = custodian::server::ParseAttestedRequestBody(body);
  CheckRefusal(attested.status());
  // What passes holds a JSON object and a SHA-256 in lower-case hex, and nothing was invented.
  if (attested.ok() && (attested->document.empty() || attested->document.front() != '{' ||
                        attested->attestation_sha256.size() != 64 ||
                        attested->attestation_sha256.find_first_not_of("0123456789abcdef") != std::string::npos)) {
    std::abort();
  }
  auto user = custodian::server::ParseNewUserBody(body);
  CheckRefusal(user.status());
  if (user.ok() && user->roles.empty()) std::abort();  // at least one role passes
  auto email = custodian::server::ParseEmailBody(body);
  CheckRefusal(email.status());
  if (email.ok() && *email && custodian::CheckEmailAddress(**email, "/email").ok()) {
    const std::string& address = **email;
    if (address.empty() || address.size() > 254 || address.find('@') != address.rfind('@')) std::abort();
    for (char c : address) {
      if (c <= ' ' || c >= 127 || c == '<' || c == '>' || c == ',' || c == '"') std::abort();
    }
  }
  auto review = custodian::server::ParseReviewBody(body);
  CheckRefusal(review.status());
  // A letter that parses is a string the body held: never made up where there was none.
  if (review.ok() && review->letter && body.find("\"letter\"") == std::string_view::npos &&
      body.find("\\u") == std::string_view::npos) {
    std::abort();
  }
  if (review.ok() && review->narrowed_scope) {
    auto narrowed = custodian::cases::NarrowedScope(*review->narrowed_scope, Authorized());
    CheckRefusal(narrowed.status());
    // What passes is within the authorized scope, and passes again unchanged.
    if (narrowed.ok()) {
      auto again = custodian::cases::NarrowedScope(*narrowed, Authorized());
      if (!again.ok() || *again != *narrowed) std::abort();
    }
  }
  return 0;
}
