// The JSON bodies of the API's changes, read strictly: a JSON object with only the fields the
// endpoint knows, each of its type; InvalidArgument names the field by its JSON pointer and
// never repeats a value. Pure functions: safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <set>

#include "cases/workflow.h"
#include "core/status.h"
#include "server/user_store.h"

namespace custodian::server {

struct LoginBody {
  std::string username;
  std::string password;
  std::string totp;  // empty when not given
};

Result<LoginBody> ParseLoginBody(std::string_view body);
// {"decision": "approve"|"pushback"|"reject", "note", "scope", "confirm_investigation"}
Result<cases::Review> ParseReviewBody(std::string_view body);
// {"phone", "agency_id", "note"}
Result<cases::Callback> ParseCallbackBody(std::string_view body);
// {"until": "YYYY-MM-DD" | null}: the order's last day, or none stated.
Result<std::optional<Date>> ParseNondisclosureBody(std::string_view body);
// {"note"}, or an empty body.
Result<std::optional<std::string>> ParseCloseBody(std::string_view body);
// {"reason"}, or an empty body: why the requester withdraws the request.
Result<std::optional<std::string>> ParseWithdrawBody(std::string_view body);
// {"reason"}: why a production is aborted (required).
Result<std::string> ParseAbortBody(std::string_view body);
// {"email": "ADDRESS" | null}: where a staff user's alerts are mailed, or nowhere.
Result<std::optional<std::string>> ParseEmailBody(std::string_view body);
// {"ticket"}: an enrolment ticket (the second-factor-required answer's).
Result<std::string> ParseTicketBody(std::string_view body);
// {"ticket", "totp"}: a code from the secret being enrolled.
struct TotpConfirmBody {
  std::string ticket;
  std::string totp;
};
Result<TotpConfirmBody> ParseTotpConfirmBody(std::string_view body);
// {"current", "new"}: a user's own password change.
struct PasswordChangeBody {
  std::string current;
  std::string password;
};
Result<PasswordChangeBody> ParsePasswordChangeBody(std::string_view body);
// {"name", "roles", "email"?}: a staff user an admin adds.
struct NewUserBody {
  std::string name;
  std::set<Role> roles;
  std::optional<std::string> email;
};
Result<NewUserBody> ParseNewUserBody(std::string_view body);
// {"roles": [ROLE, …]}: a staff user's roles (at least one).
Result<std::set<Role>> ParseRolesBody(std::string_view body);
// {"kind": "service"|"requester"|"external_auditor", "name", "account"?}: a requester's names
// its account (required), the others none.
struct NewTokenBody {
  TokenKind kind = TokenKind::kService;
  std::string name;
  std::optional<std::string> account;
};
Result<NewTokenBody> ParseNewTokenBody(std::string_view body);
// {"email", "name", "password"}: a requester registering on the portal.
struct RegistrationBody {
  std::string email;
  std::string name;
  std::string password;
};
Result<RegistrationBody> ParseRegistrationBody(std::string_view body);
// {"token", "password"}: a confirmation link's token, and the password registered with it.
struct ConfirmationBody {
  std::string token;
  std::string password;
};
Result<ConfirmationBody> ParseConfirmationBody(std::string_view body);
// {"ticket", "code"} (or "totp", as staff's names it): the portal's second-factor confirmation.
Result<TotpConfirmBody> ParsePortalTotpConfirmBody(std::string_view body);
// {"email", "password", "totp"?}: a requester's sign-in (LoginBody's username is the address).
Result<LoginBody> ParsePortalSignInBody(std::string_view body);
// {"request": DOCUMENT, "attestation_sha256": HEX}: a requester's request document and the
// SHA-256 of the attestation it makes with it (GET /api/v1/portal/attestation). The document
// is returned as sent, its keys in their order.
struct AttestedRequestBody {
  std::string document;
  std::string attestation_sha256;
};
Result<AttestedRequestBody> ParseAttestedRequestBody(std::string_view body);
// {"email"}: the colleague a requester shares a request with (required).
Result<std::string> ParseShareBody(std::string_view body);
// {"assignee": NAME | null}: whom a case is assigned to, or no one.
Result<std::optional<std::string>> ParseAssignBody(std::string_view body);
// {"text"}: an internal comment (required; its length is the workflow's to check).
Result<std::string> ParseCommentBody(std::string_view body);
// {"q"}: a search of the cases (1 to 256 bytes of text, not blank): in a body, never in an
// address, where proxies and logs would keep the account or address searched for.
Result<std::string> ParseSearchBody(std::string_view body);
// {"days"}: how long a hold is extended by, a whole number (its range is the standards').
Result<int64_t> ParseExtendBody(std::string_view body);

}  // namespace custodian::server
