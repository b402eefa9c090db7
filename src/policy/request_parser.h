// Reads a request document (spec/legal-request.schema.json) with custodian's own validator.
// The document's size is checked first (over 1 MiB: refused unread), then every string's
// length before anything else looks at it, then types, enums, patterns and formats. Every
// problem is reported with its JSON pointer; messages never repeat the document's values.
// Pure function: safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "policy/request.h"

namespace custodian {

inline constexpr size_t kMaxRequestBytes = 1 << 20;

struct RequestProblem {
  std::string pointer;  // "/process/issued_on"; "/" for the document itself
  std::string message;  // "not a date (YYYY-MM-DD)"
  std::string ToString() const { return pointer + ": " + message; }
};

struct ParsedRequest {
  std::vector<RequestProblem> problems;  // empty when `request` is valid
  Request request;
  bool ok() const { return problems.empty(); }
};

ParsedRequest ParseRequest(std::string_view document);

}  // namespace custodian
