// The audit log's leaf: who did what, when, to which case — and a hash of the detail, not the
// detail itself. The detail may hold personal data and is kept beside the log, where it can
// be erased when an account is deleted; the leaf still proves that an entry existed and, while
// the detail is kept, that it was not changed. A national security letter's entries also carry
// the process type and the number of targets, which the transparency report counts in bands
// (spec/report.md). Values and pure functions: safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace custodian::ledger {

struct AuditLeaf {
  uint64_t seq = 0;  // 1-based; the leaf's index in the log is seq - 1
  int64_t at_micros = 0;
  std::string actor;
  std::optional<std::string> case_id;
  std::string action;
  std::optional<std::string> process_type;
  std::optional<int64_t> targets;
  std::string detail_sha256;  // lower-case hex of SHA-256 of the detail's bytes
};

// The leaf's bytes in the log: one JSON object, keys in a fixed order, no white space:
// {"v":1,"seq":…,"at":…,"actor":…,"case":…|null,"action":…,"process_type":…|null,
//  "targets":…|null,"detail_sha256":…}
std::string AuditLeafBytes(const AuditLeaf& leaf);

}  // namespace custodian::ledger
