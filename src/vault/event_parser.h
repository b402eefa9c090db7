// Reads access events from NDJSON lines (spec/records.md). Each line stands alone: a bad
// line gets a reason that names the field and never repeats its value. Not thread-safe: one
// parser per thread (it reuses simdjson's buffers).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "vault/access_event.h"

namespace custodian::vault {

inline constexpr size_t kMaxLineBytes = 8192;

class EventParser {
 public:
  EventParser();
  ~EventParser();

  // Parses one line (without its newline). `line` must be followed in memory by at least
  // kLinePadding readable bytes (any content), which lets simdjson read ahead safely.
  // On failure the status message is the reason, e.g. "ip: not an IP address".
  Status Parse(std::string_view line, AccessEvent& out);

  static constexpr size_t kLinePadding = 64;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace custodian::vault
