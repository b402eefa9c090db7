// A strict JSON (RFC 8259) reader for documents that come from outside: request documents,
// agency registries, HTTP bodies. Unlike a lenient parser it refuses duplicate keys (two
// readers could disagree on which one counts), ill-formed UTF-8, nesting deeper than a
// limit, and trailing data; it records where every value starts, so that semantic errors
// can name a line and column; and when it fails it says where, as a JSON pointer and as a
// line and column. Pure function: safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/json_depth.h"
#include "core/status.h"

namespace custodian {

struct TextPosition {
  size_t line = 1;    // 1-based
  size_t column = 1;  // 1-based, in code points
};

struct JsonDocument {
  nlohmann::json root;
  // JSON pointer (see AppendPointerToken) -> where that value starts in the text.
  std::unordered_map<std::string, TextPosition> positions;

  TextPosition PositionOf(const std::string& pointer) const;
};

struct JsonSyntaxError {
  std::string pointer;    // the value being read when the text broke ("" for the root)
  TextPosition position;  // where it broke
  std::string what;       // e.g. "unterminated string"
};

struct JsonLimits {
  size_t max_depth = kMaxJsonDepth;  // deeper nesting is refused
  bool record_positions = false;  // fill JsonDocument::positions (costs a map entry a value)
};

// Parses `text` (a leading UTF-8 byte order mark is skipped). Returns true and fills `doc`,
// or returns false and fills `error`.
bool ParseJson(std::string_view text, JsonDocument& doc, JsonSyntaxError& error,
               const JsonLimits& limits = {});

// The value `text` holds, read by ParseJson with the default limits, or InvalidArgument
// saying where it broke: "/proof/2: not valid JSON at 1:40: unterminated string".
Result<nlohmann::json> ParseJsonValue(std::string_view text);

// Appends "/" and `key` to a JSON pointer, escaped per RFC 6901 and made safe to print in
// one line of a message: control characters become \u00XX and a key longer than 64 code
// points is cut with "…".
void AppendPointerToken(std::string& pointer, std::string_view key);
void AppendPointerIndex(std::string& pointer, size_t index);

// "/" for the root pointer "", the pointer itself otherwise: how messages show a path.
inline std::string DisplayPointer(const std::string& pointer) {
  return pointer.empty() ? "/" : pointer;
}

// "a string", "a number", "an object", …: how messages name a JSON value's type.
std::string_view JsonTypeName(const nlohmann::json& value);

}  // namespace custodian
