// A transparency report (spec/report.md; the definitions: docs/reports.md): the requests
// received in a period, counted from the disclosure log's leaves up to a signed tree head, and
// the national security letters received in it, in bands only, from the audit log's leaves up
// to another. A Report holds exact counts; the renderers (report_json.h, report_csv.h,
// report_html.h) publish the by-country counts below the threshold as "<N". A report is signed
// with the ledger key (report_signature.h), and may carry the disclosure leaves it was counted
// from ([reports] publish_leaves), so that anyone can recount it.
// Values, and functions that run their own transactions on the case store: safe from any
// thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/ledgers/ledgers.h"
#include "cases/ledgers/signing_keys.h"
#include "cases/store/database.h"
#include "core/status.h"
#include "core/time.h"
#include "ledger/audit_leaf.h"
#include "ledger/disclosure_leaf.h"
#include "ledger/tree_head.h"
#include "policy/standards.h"

namespace custodian::reports {

// [from, to): a request belongs to the period of its receipt date.
struct ReportPeriod {
  Date from;
  Date to;
};

struct ReportTotals {
  int64_t requests = 0;
  int64_t accounts_specified = 0;  // the distinct targets of the requests, summed
  int64_t with_data_produced = 0;
  int64_t produced_narrowed = 0;  // of with_data_produced: produced under a narrowed scope
  int64_t no_data = 0;            // approved, produced, and no production held data
  int64_t pushed_back = 0;
  int64_t rejected = 0;
  int64_t withdrawn = 0;  // by the requester, unless pushed back and not decided again since
  int64_t preservation = 0;
  int64_t emergency = 0;
  int64_t under_nondisclosure = 0;
  int64_t user_notified = 0;
  bool operator==(const ReportTotals&) const = default;
};

struct CountryCounts {
  std::string country;  // as the leaves say: ISO 3166-1 alpha-2
  int64_t requests = 0;
  int64_t accounts_specified = 0;
  int64_t with_data_produced = 0;
  bool operator==(const CountryCounts&) const = default;
};

// A row of by_process_type or by_agency_type.
struct TypeCounts {
  std::string type;
  int64_t requests = 0;
  int64_t with_data_produced = 0;
  bool operator==(const TypeCounts&) const = default;
};

// The requests received in one calendar month ("2026-03") of the period: the timeline.
struct MonthCounts {
  std::string month;
  int64_t requests = 0;
  bool operator==(const MonthCounts&) const = default;
};

// National security letters may be published only in bands ("0-249", "250-499", …).
struct NationalSecurityBands {
  std::string letters;
  std::string accounts;
  bool operator==(const NationalSecurityBands&) const = default;
};

// The ledger key's signature over a report's canonical bytes (report_signature.h).
struct ReportSignature {
  std::string key_id;  // ledger::KeyId of the ledger key that signed, as a tree head names it
  ledger::Ed25519Signature value{};
  bool operator==(const ReportSignature&) const = default;
};

struct Report {
  ReportPeriod period;
  ReportTotals totals;
  std::vector<CountryCounts> by_country;    // by country code
  std::vector<TypeCounts> by_process_type;  // by type name
  std::vector<TypeCounts> by_agency_type;   // by type name
  std::vector<MonthCounts> by_month;        // every month the period touches, in order
  NationalSecurityBands national_security;
  int64_t suppressed_below = 0;  // the standards' threshold for by-country counts
  // [reports] publish_leaves: `leaves` holds every disclosure leaf up to tree_head, and
  // nothing is suppressed (suppressed_below is 0).
  bool leaves_published = false;
  ledger::SignedTreeHead tree_head;        // the disclosure log's: the counts are as of it
  ledger::SignedTreeHead audit_tree_head;  // the audit log's: the bands are as of it
  std::vector<std::string> leaves;  // the leaves' bytes, in log order, when published
  std::optional<ReportSignature> signature;  // none until MakeReport signs it
};

// The counts of the totals, by name, in spec/report.md's order, with a label for readers:
// the one list the writers and the reader of reports walk.
struct TotalsField {
  std::string_view name;
  std::string_view label;
  int64_t ReportTotals::*count;
};
inline constexpr TotalsField kTotalsFields[] = {
    {"requests", "Requests received", &ReportTotals::requests},
    {"accounts_specified", "Accounts specified in them", &ReportTotals::accounts_specified},
    {"with_data_produced", "Requests where data was produced", &ReportTotals::with_data_produced},
    {"produced_narrowed", "of which under a narrowed scope", &ReportTotals::produced_narrowed},
    {"no_data", "Approved, but no data was found", &ReportTotals::no_data},
    {"pushed_back", "Pushed back", &ReportTotals::pushed_back},
    {"rejected", "Rejected", &ReportTotals::rejected},
    {"withdrawn", "Withdrawn by the requester", &ReportTotals::withdrawn},
    {"preservation", "Preservation requests", &ReportTotals::preservation},
    {"emergency", "Emergency requests", &ReportTotals::emergency},
    {"under_nondisclosure", "Under a nondisclosure order", &ReportTotals::under_nondisclosure},
    {"user_notified", "Requests where the user was notified", &ReportTotals::user_notified},
};

struct CountryField {
  std::string_view name;
  int64_t CountryCounts::*count;
};
inline constexpr CountryField kCountryFields[] = {
    {"requests", &CountryCounts::requests},
    {"accounts_specified", &CountryCounts::accounts_specified},
    {"with_data_produced", &CountryCounts::with_data_produced},
};

struct TypeField {
  std::string_view name;
  int64_t TypeCounts::*count;
};
inline constexpr TypeField kTypeFields[] = {
    {"requests", &TypeCounts::requests},
    {"with_data_produced", &TypeCounts::with_data_produced},
};

// What a report is counted from: the first leaves of each log, and the roots they make, so
// that a caller can hold them against the heads it counts as of.
struct ReportLeaves {
  std::vector<ledger::DisclosureLeaf> disclosures;  // in log order
  std::vector<std::string> disclosure_bytes;        // the same leaves' bytes, as hashed
  ledger::Digest disclosures_root{};
  // The audit log's leaves that carry a process type (the submissions), in log order.
  std::vector<ledger::AuditLeaf> typed_audit;
  ledger::Digest audit_root{};
};

// Reads the first `disclosures_size` leaves of the disclosure log and the first `audit_size`
// of the audit log (fewer when a log holds fewer: the roots then say so), in one transaction.
// Corruption when a stored disclosure leaf does not parse.
Result<ReportLeaves> ReadReportLeaves(cases::Database& db, uint64_t disclosures_size,
                                      uint64_t audit_size);

}  // namespace custodian::reports
