// The disclosure log's leaf (spec/report.md): what the transparency report counts, and nothing
// that names anyone. A leaf is appended when a request is received (with the policy's
// recommendation), each time a person sets its outcome, for each production and for each
// notice sent; national security letters never enter the log. Values and pure functions:
// safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace custodian::ledger {

enum class DisclosureKind { kReceived, kDecision, kProduction, kNotice };
inline constexpr std::string_view kDisclosureKindNames[] = {"received", "decision", "production",
                                                            "notice"};

// The outcomes a person sets (kind decision); a received leaf's outcome is the policy's
// recommended action instead, a production's "produced" (or "aborted": staff ended that
// production, the one whose manifest it names, before its package was made) and a notice's
// "notified".
inline constexpr std::string_view kOutcomeApproved = "approved";
inline constexpr std::string_view kOutcomePushedBack = "pushed_back";
inline constexpr std::string_view kOutcomeRejected = "rejected";
inline constexpr std::string_view kOutcomePreserved = "preserved";
// The requester withdrew the request (a decision leaf too: the request's outcome is set).
inline constexpr std::string_view kOutcomeWithdrawn = "withdrawn";
inline constexpr std::string_view kOutcomeProduced = "produced";
inline constexpr std::string_view kOutcomeAborted = "aborted";
inline constexpr std::string_view kOutcomeNotified = "notified";

struct DisclosureLeaf {
  std::string case_pseudonym;  // 32 lower-case hex digits: a keyed hash of the case id
  DisclosureKind kind = DisclosureKind::kReceived;
  Date received;  // the request's receipt date (UTC)
  Date date;      // the leaf's own date (UTC)
  std::string country;       // ISO 3166-1 alpha-2 of the requester
  std::string agency_type;   // federal, state, local, foreign, private
  std::string process_type;  // spec's process types
  bool emergency = false;
  bool preservation = false;
  std::vector<std::string> categories;  // distinct, sorted
  int64_t targets = 0;                  // distinct targets of the request
  std::string outcome;
  bool narrowed = false;       // the scope is narrower than the request's
  bool nondisclosure = false;  // a nondisclosure order applies
  // Productions only: accounts with data in the record, and the SHA-256 of its manifest.
  std::optional<int64_t> accounts_with_data;
  std::optional<std::string> manifest_sha256;

  bool operator==(const DisclosureLeaf&) const = default;
};

// The leaf's bytes: one JSON object with the keys in the order above (production fields only
// for productions), no white space.
std::string DisclosureLeafBytes(const DisclosureLeaf& leaf);

// Reads leaf bytes strictly (the form DisclosureLeafBytes writes, any key order): every field
// present with its type, no other; InvalidArgument naming the field ("/targets: …").
Result<DisclosureLeaf> ParseDisclosureLeaf(std::string_view bytes);

}  // namespace custodian::ledger
