// Errors as HTTP answers: RFC 9457 problem documents (application/problem+json) with type,
// title, status, detail and, when one field is at fault, its JSON pointer. Details of server
// failures are not sent (they go to the server's log), and no detail echoes a request's values.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace custodian::server {

struct Problem {
  int status = 500;
  std::string type;  // a short slug: "invalid-request", "conflict", …
  std::string title;
  std::string detail;
  std::string field;  // JSON pointer, or empty

  nlohmann::ordered_json ToJson() const;
};

// The problem for a failed Status: InvalidArgument 400, NotFound 404, PermissionDenied 403,
// FailedPrecondition 409, anything else 500 (its message withheld).
Problem ProblemOf(const Status& s);

}  // namespace custodian::server
