#include "server/api_bodies.h"

#include <algorithm>
#include <initializer_list>

#include <nlohmann/json.hpp>

#include "core/json_depth.h"

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
  auto doc = Object(body, {"decision", "note", "scope", "confirm_investigation"});
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

Result<std::optional<std::string>> ParseCloseBody(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return std::optional<std::string>();
  auto doc = Object(body, {"note"});
  if (!doc.ok()) return doc.status();
  return String(*doc, "note", false);
}

Result<std::string> ParseAbortBody(std::string_view body) {
  auto doc = Object(body, {"reason"});
  if (!doc.ok()) return doc.status();
  auto reason = String(*doc, "reason", true);
  if (!reason.ok()) return reason.status();
  return reason->value_or("");
}

}  // namespace custodian::server
