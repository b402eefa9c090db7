#include "reports/report.h"

#include <soci/soci.h>

#include <algorithm>
#include <climits>

#include "cases/ledgers/audit_log.h"
#include "cases/ledgers/ledger_store.h"
#include "cases/store/sql_rows.h"
#include "ledger/compact_range.h"

namespace custodian::reports {

Result<ReportLeaves> ReadReportLeaves(cases::Database& db, uint64_t disclosures_size,
                                      uint64_t audit_size) {
  // A size from a report may be anything; beyond what a column holds, it is "all".
  const auto bound = [](uint64_t size) {
    return static_cast<long long>(std::min<uint64_t>(size, LLONG_MAX));
  };
  ReportLeaves out;
  Status s = db.Transaction([&](soci::session& sql) -> Status {
    ledger::CompactRange disclosures;
    const long long d = bound(disclosures_size);
    soci::rowset<soci::row> leaves =
        (sql.prepare << "SELECT seq, leaf FROM disclosures WHERE seq <= :n ORDER BY seq",
         soci::use(d));
    for (const soci::row& r : leaves) {
      const std::string bytes = cases::Text(r, 1);
      auto leaf = ledger::ParseDisclosureLeaf(bytes);
      if (!leaf.ok()) {
        return Status::Corruption("disclosures: the leaf of entry " + std::to_string(cases::Int(r, 0)) +
                                  " does not parse (" + leaf.status().message() + ")");
      }
      disclosures.Append(ledger::LeafHash(bytes));
      out.disclosures.push_back(std::move(leaf).value());
      out.disclosure_bytes.push_back(bytes);
    }
    out.disclosures_root = disclosures.Root();

    ledger::CompactRange audit;
    const long long a = bound(audit_size);
    soci::rowset<soci::row> entries =
        (sql.prepare << "SELECT " << cases::kAuditLeafColumns
                     << " FROM audit WHERE seq <= :n ORDER BY seq",
         soci::use(a));
    for (const soci::row& r : entries) {
      ledger::AuditLeaf leaf = cases::AuditLeafOfRow(r);
      audit.Append(ledger::LeafHash(ledger::AuditLeafBytes(leaf)));
      if (leaf.process_type) out.typed_audit.push_back(std::move(leaf));
    }
    out.audit_root = audit.Root();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace custodian::reports
