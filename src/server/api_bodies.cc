#include "server/api_bodies.h"

#include <algorithm>
#include <initializer_list>

#include <nlohmann/json.hpp>

#include "cases/case_index.h"
#include "core/json_depth.h"
#include "core/unicode.h"

namespace custodian::server {
namespace {

using json = nlohmann::json;

Result<json> Object(std::string_view body, std::initializer_list<std::string_view> known) {
  // Before the parser: what it builds is copied and dumped, recursively.
  if (Status s = CheckJsonDepth(body); !s.ok()) return s;
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidArgument("/: the body is not a JSON object");
  }
  for (const auto& [key, value] : doc.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return Status::InvalidArgument("/" + key + ": not a field of this request");
    }
  }
  return doc;
}

// A string field; nullopt when absent or null.
Result<std::optional<std::string>> String(const json& doc, const char* key, bool required) {
  if (!doc.contains(key) || doc[key].is_null()) {
    if (required) return Status::InvalidArgument(std::string("/") + key + ": required");
    return std::optional<std::string>();
  }
  if (!doc[key].is_string()) return Status::InvalidArgument(std::string("/") + key + ": not a string");
  return std::optional<std::string>(doc[key].get<std::string>());
}

// A required string field.
Result<std::string> Required(const json& doc, const char* key) {
  auto value = String(doc, key, true);
  if (!value.ok()) return value.status();
  return **value;
}

// {"roles": [...]}: one or more role names.
Result<std::set<Role>> Roles(const json& doc) {
  if (!doc.contains("roles")) return Status::InvalidArgument("/roles: required");
  const json& list = doc["roles"];
  if (!list.is_array()) return Status::InvalidArgument("/roles: not an array of roles");
  if (list.empty()) return Status::InvalidArgument("/roles: at least one");
  std::set<Role> roles;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::optional<Role> role = list[i].is_string() ? ParseRole(list[i].get<std::string>()) : std::nullopt;
    if (!role) {
      return Status::InvalidArgument("/roles/" + std::to_string(i) +
                                     ": not a role (intake, reviewer, approver, auditor, admin)");
    }
    roles.insert(*role);
  }
  return roles;
}

}  // namespace

Result<LoginBody> ParseLoginBody(std::string_view body) {
  auto doc = Object(body, {"username", "password", "totp"});
  if (!doc.ok()) return doc.status();
  auto username = String(*doc, "username", true);
  if (!username.ok()) return username.status();
  auto password = String(*doc, "password", true);
  if (!password.ok()) return password.status();
  auto totp = String(*doc, "totp", false);
  if (!totp.ok()) return totp.status();
  return LoginBody{**username, **password, totp->value_or("")};
}

Result<cases::Review> ParseReviewBody(std::string_view body) {
  auto doc = Object(body, {"decision", "note", "letter", "scope", "confirm_investigation"});
  if (!doc.ok()) return doc.status();
  auto decision = String(*doc, "decision", true);
  if (!decision.ok()) return decision.status();
  cases::Review review;
  if (**decision == "approve") {
    review.decision = cases::ReviewDecision::kApprove;
  } else if (**decision == "pushback") {
    review.decision = cases::ReviewDecision::kPushback;
  } else if (**decision == "reject") {
    review.decision = cases::ReviewDecision::kReject;
  } else {
    return Status::InvalidArgument("/decision: approve, pushback or reject");
  }
  auto note = String(*doc, "note", false);
  if (!note.ok()) return note.status();
  review.note = *note;
  // Whether a letter is required or refused, and its length, is the workflow's to say.
  auto letter = String(*doc, "letter", false);
  if (!letter.ok()) return letter.status();
  review.letter = *letter;
  if (doc->contains("scope") && !(*doc)["scope"].is_null()) {
    if (!(*doc)["scope"].is_object()) return Status::InvalidArgument("/scope: not an object");
    review.narrowed_scope = (*doc)["scope"].dump();
  }
  if (doc->contains("confirm_investigation")) {
    if (!(*doc)["confirm_investigation"].is_boolean()) {
      return Status::InvalidArgument("/confirm_investigation: not a boolean");
    }
    review.confirm_investigation = (*doc)["confirm_investigation"].get<bool>();
  }
  return review;
}

Result<cases::Callback> ParseCallbackBody(std::string_view body) {
  auto doc = Object(body, {"phone", "agency_id", "note"});
  if (!doc.ok()) return doc.status();
  auto phone = String(*doc, "phone", true);
  if (!phone.ok()) return phone.status();
  auto agency = String(*doc, "agency_id", false);
  if (!agency.ok()) return agency.status();
  auto note = String(*doc, "note", false);
  if (!note.ok()) return note.status();
  return cases::Callback{**phone, *note, *agency};
}

Result<std::optional<Date>> ParseNondisclosureBody(std::string_view body) {
  auto doc = Object(body, {"until"});
  if (!doc.ok()) return doc.status();
  if (!doc->contains("until")) return Status::InvalidArgument("/until: required (a date, or null)");
  auto until = String(*doc, "until", false);
  if (!until.ok()) return until.status();
  if (!*until) return std::optional<Date>();
  auto date = ParseDate(**until);
  if (!date.ok()) return Status::InvalidArgument("/until: not a date (YYYY-MM-DD)");
  return std::optional<Date>(*date);
}

namespace {

// {"FIELD": text or null}, or an empty body: one optional text.
Result<std::optional<std::string>> OptionalTextBody(std::string_view body, const char* field) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return std::optional<std::string>();
  auto doc = Object(body, {field});
  if (!doc.ok()) return doc.status();
  return String(*doc, field, false);
}

}  // namespace

Result<std::optional<std::string>> ParseCloseBody(std::string_view body) { return OptionalTextBody(body, "note"); }

Result<std::optional<std::string>> ParseWithdrawBody(std::string_view body) {
  return OptionalTextBody(body, "reason");
}

Result<AttestedRequestBody> ParseAttestedRequestBody(std::string_view body) {
  constexpr char kHow[] = "send {\"request\": DOCUMENT, \"attestation_sha256\": …}, the attestation's from "
                          "GET /api/v1/portal/attestation";
  if (Status s = CheckJsonDepth(body); !s.ok()) return s;
  auto doc = nlohmann::ordered_json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return Status::InvalidArgument("/: the body is not a JSON object");
  if (!doc.contains("request") || !doc.contains("attestation_sha256")) {
    return Status::InvalidArgument(std::string(doc.contains("request") ? "/attestation_sha256" : "/request") +
                                   ": required: " + kHow);
  }
  for (const auto& [key, value] : doc.items()) {
    if (key != "request" && key != "attestation_sha256") {
      return Status::InvalidArgument("/" + key + ": not a field of this request (" + kHow + ")");
    }
  }
  if (!doc["request"].is_object()) return Status::InvalidArgument("/request: not a request document (a JSON object)");
  const auto& sha = doc["attestation_sha256"];
  if (!sha.is_string() || sha.get_ref<const std::string&>().size() != 64 ||
      sha.get_ref<const std::string&>().find_first_not_of("0123456789abcdef") != std::string::npos) {
    return Status::InvalidArgument("/attestation_sha256: not a SHA-256 in lower-case hex");
  }
  return AttestedRequestBody{doc["request"].dump(), sha.get<std::string>()};
}

Result<std::string> ParseAbortBody(std::string_view body) {
  auto doc = Object(body, {"reason"});
  if (!doc.ok()) return doc.status();
  auto reason = String(*doc, "reason", true);
  if (!reason.ok()) return reason.status();
  return reason->value_or("");
}

Result<std::optional<std::string>> ParseEmailBody(std::string_view body) {
  auto doc = Object(body, {"email"});
  if (!doc.ok()) return doc.status();
  if (!doc->contains("email")) return Status::InvalidArgument("/email: required (an address, or null)");
  return String(*doc, "email", false);
}

namespace {

// {KEY}: one required string, and nothing else.
Result<std::string> OneString(std::string_view body, const char* key) {
  auto doc = Object(body, {key});
  if (!doc.ok()) return doc.status();
  return Required(*doc, key);
}

// {"ticket", CODE}: an enrolment's ticket and a code from its secret.
Result<TotpConfirmBody> TicketAndCode(std::string_view body, const char* code) {
  auto doc = Object(body, {"ticket", code});
  if (!doc.ok()) return doc.status();
  auto ticket = Required(*doc, "ticket");
  if (!ticket.ok()) return ticket.status();
  auto totp = Required(*doc, code);
  if (!totp.ok()) return totp.status();
  return TotpConfirmBody{*ticket, *totp};
}

}  // namespace

Result<std::string> ParseShareBody(std::string_view body) { return OneString(body, "email"); }

Result<std::string> ParseTicketBody(std::string_view body) { return OneString(body, "ticket"); }

Result<TotpConfirmBody> ParseTotpConfirmBody(std::string_view body) { return TicketAndCode(body, "totp"); }

Result<RegistrationBody> ParseRegistrationBody(std::string_view body) {
  auto doc = Object(body, {"email", "name", "password"});
  if (!doc.ok()) return doc.status();
  RegistrationBody out;
  for (auto [key, field] : {std::pair{"email", &out.email}, {"name", &out.name}, {"password", &out.password}}) {
    auto value = Required(*doc, key);
    if (!value.ok()) return value.status();
    *field = *value;
  }
  return out;
}

Result<ConfirmationBody> ParseConfirmationBody(std::string_view body) {
  auto doc = Object(body, {"token", "password"});
  if (!doc.ok()) return doc.status();
  auto token = Required(*doc, "token");
  if (!token.ok()) return token.status();
  auto password = Required(*doc, "password");
  if (!password.ok()) return password.status();
  return ConfirmationBody{*token, *password};
}

Result<TotpConfirmBody> ParsePortalTotpConfirmBody(std::string_view body) {
  // "totp" as staff's confirmation names it, or "code": one of them.
  auto doc = Object(body, {"ticket", "code", "totp"});
  if (!doc.ok()) return doc.status();
  if (doc->contains("code") && doc->contains("totp")) return Status::InvalidArgument("/totp: give code or totp, not both");
  return TicketAndCode(body, doc->contains("totp") ? "totp" : "code");
}

Result<LoginBody> ParsePortalSignInBody(std::string_view body) {
  auto doc = Object(body, {"email", "password", "totp"});
  if (!doc.ok()) return doc.status();
  auto email = Required(*doc, "email");
  if (!email.ok()) return email.status();
  auto password = Required(*doc, "password");
  if (!password.ok()) return password.status();
  auto totp = String(*doc, "totp", false);
  if (!totp.ok()) return totp.status();
  return LoginBody{*email, *password, totp->value_or("")};
}

Result<PasswordChangeBody> ParsePasswordChangeBody(std::string_view body) {
  auto doc = Object(body, {"current", "new"});
  if (!doc.ok()) return doc.status();
  auto current = Required(*doc, "current");
  if (!current.ok()) return current.status();
  auto password = Required(*doc, "new");
  if (!password.ok()) return password.status();
  return PasswordChangeBody{*current, *password};
}

Result<NewUserBody> ParseNewUserBody(std::string_view body) {
  auto doc = Object(body, {"name", "roles", "email"});
  if (!doc.ok()) return doc.status();
  auto name = Required(*doc, "name");
  if (!name.ok()) return name.status();
  auto roles = Roles(*doc);
  if (!roles.ok()) return roles.status();
  auto email = String(*doc, "email", false);
  if (!email.ok()) return email.status();
  return NewUserBody{*name, *roles, *email};
}

Result<std::set<Role>> ParseRolesBody(std::string_view body) {
  auto doc = Object(body, {"roles"});
  if (!doc.ok()) return doc.status();
  return Roles(*doc);
}

Result<NewTokenBody> ParseNewTokenBody(std::string_view body) {
  auto doc = Object(body, {"kind", "name", "account"});
  if (!doc.ok()) return doc.status();
  auto kind = Required(*doc, "kind");
  if (!kind.ok()) return kind.status();
  NewTokenBody out;
  if (*kind == "service") {
    out.kind = TokenKind::kService;
  } else if (*kind == "requester") {
    out.kind = TokenKind::kRequester;
  } else if (*kind == "external_auditor") {
    out.kind = TokenKind::kExternalAuditor;
  } else {
    return Status::InvalidArgument("/kind: service, requester or external_auditor");
  }
  auto name = Required(*doc, "name");
  if (!name.ok()) return name.status();
  out.name = *name;
  auto account = String(*doc, "account", out.kind == TokenKind::kRequester);
  if (!account.ok()) {
    return Status::InvalidArgument("/account: a requester token acts for a requester account (its id, R-…)");
  }
  // Only a requester's token acts for an account (whose agency and address it carries).
  if (out.kind != TokenKind::kRequester && *account) return Status::InvalidArgument("/account: only a requester token has one");
  out.account = *account;
  return out;
}

Result<std::optional<std::string>> ParseAssignBody(std::string_view body) {
  auto doc = Object(body, {"assignee"});
  if (!doc.ok()) return doc.status();
  if (!doc->contains("assignee")) {
    return Status::InvalidArgument("/assignee: required (a staff user's name, or null)");
  }
  return String(*doc, "assignee", false);
}

Result<std::string> ParseCommentBody(std::string_view body) {
  auto doc = Object(body, {"text"});
  if (!doc.ok()) return doc.status();
  auto text = String(*doc, "text", true);
  if (!text.ok()) return text.status();
  return **text;
}

Result<std::string> ParseSearchBody(std::string_view body) {
  auto doc = Object(body, {"q"});
  if (!doc.ok()) return doc.status();
  auto q = Required(*doc, "q");
  if (!q.ok()) return q.status();
  if (TrimmedLength(*q) == 0 || q->size() > cases::kMaxSearchBytes || !IsValidUtf8(*q)) {
    return Status::InvalidArgument("/q: 1 to " + std::to_string(cases::kMaxSearchBytes) +
                                   " bytes of text, not blank");
  }
  return *q;
}

Result<int64_t> ParseExtendBody(std::string_view body) {
  auto doc = Object(body, {"days"});
  if (!doc.ok()) return doc.status();
  const auto days = doc->find("days");
  if (days == doc->end()) return Status::InvalidArgument("/days: required");
  if (!days->is_number_integer()) return Status::InvalidArgument("/days: not a whole number");
  return days->get<int64_t>();
}

}  // namespace custodian::server
