#include "reports/make_report.h"

#include <tuple>

#include <nlohmann/json.hpp>

#include "cases/ledgers/ledger_store.h"
#include "reports/report_counts.h"
#include "reports/report_json.h"
#include "reports/report_signature.h"

namespace custodian::reports {

Result<Report> MakeReport(cases::Database& db, cases::Ledgers& ledgers, cases::SigningKeys& keys,
                          const Standards& standards, Date from, Date to,
                          const std::string& actor) {
  if (!(from < to)) {
    return Status::InvalidArgument("period: the end (" + FormatDate(to) +
                                   ") is not after the start (" + FormatDate(from) + ")");
  }
  // The disclosure log's head first: signing the very first head makes the ledger key, an
  // action the audit log then holds before its own head is signed.
  auto disclosures = ledgers.SignHead(cases::kDisclosureLog, actor);
  if (!disclosures.ok()) return disclosures.status();
  auto audit = ledgers.SignHead(cases::kAuditLog, actor);
  if (!audit.ok()) return audit.status();
  auto leaves = ReadReportLeaves(db, disclosures->size, audit->size);
  if (!leaves.ok()) return leaves.status();
  for (const auto& [log, made, signed_root] :
       {std::tuple{cases::kDisclosureLog, leaves->disclosures_root, disclosures->root},
        std::tuple{cases::kAuditLog, leaves->audit_root, audit->root}}) {
    if (made != signed_root) {
      return Status::Corruption(std::string(log) +
                                ": the stored leaves do not make the root just signed; the "
                                "store was changed outside custodian");
    }
  }
  Report report = CountReport(*leaves, {from, to}, standards);
  report.tree_head = *disclosures;
  report.audit_tree_head = *audit;
  // The key that signed the heads signs the report (the heads' signing made it if need be).
  auto signer = keys.Active(cases::kLedgerKey, actor);
  if (!signer.ok()) return signer.status();
  report.signature = SignReport(nlohmann::json::parse(ReportToJson(report).dump()), *signer);
  return report;
}

}  // namespace custodian::reports
