// The audit log: every action by anyone (staff, requesters, services, the CLI), each a row of
// the audit table and a leaf of the audit Merkle log, appended in the transaction of the
// action itself. The detail (JSON, possibly personal) is kept in audit_details, sealed
// (sealed_columns.h), committed to by its SHA-256 in the leaf, and erased with the account it
// concerns (kept beside it as a keyed tag).
#pragma once

#include <optional>
#include <string>

#include "cases/store/database.h"
#include "core/time.h"
#include "ledger/audit_leaf.h"

namespace soci {
class row;
}

namespace custodian::cases {

// What an entry may say beyond actor, time, case, action and detail.
struct AuditSubject {
  std::optional<std::string> account{};       // the account the detail concerns (erasure)
  std::optional<std::string> process_type{};  // for the report's national security bands
  std::optional<int64_t> targets{};
};

struct AuditEntry {
  long long seq = 0;
  Timestamp at;
  std::string actor;
  std::optional<std::string> case_id;
  std::string action;
  std::string detail;  // JSON; "" once erased
};

// Appends the entry (row, detail, leaf) inside the caller's transaction; returns its seq.
Result<long long> AppendAudit(soci::session& sql, Timestamp at, const std::string& actor,
                              const std::optional<std::string>& case_id,
                              const std::string& action, const std::string& detail,
                              const AuditSubject& subject = {});

// Erases the details of every entry that concerns `account`; the entries stay. Returns how
// many were erased.
Result<long long> EraseAuditDetails(soci::session& sql, const std::string& account);

// The leaf an audit row stands for (and how `ledger verify` recomputes it).
ledger::AuditLeaf AuditLeafOfRow(const soci::row& r);
// The columns AuditLeafOfRow reads, in its order.
inline constexpr char kAuditLeafColumns[] =
    "seq, at, actor, case_id, action, process_type, targets, detail_sha256";

// Migration 5: folds the audit rows written before the ledger existed into the log.
Status BackfillAuditLog(soci::session& sql);

}  // namespace custodian::cases
