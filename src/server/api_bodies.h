// The JSON bodies of the API's changes, read strictly: a JSON object with only the fields the
// endpoint knows, each of its type; InvalidArgument names the field by its JSON pointer and
// never repeats a value. Pure functions: safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cases/workflow.h"
#include "core/status.h"

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
// {"reason"}: why a production is aborted (required).
Result<std::string> ParseAbortBody(std::string_view body);

}  // namespace custodian::server
