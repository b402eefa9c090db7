// A transparency report made now from the instance's ledgers, signed: what `custodian report
// make` and GET /api/v1/reports publish (docs/reports.md).
#pragma once

#include <string>

#include "cases/ledgers/ledgers.h"
#include "cases/ledgers/signing_keys.h"
#include "cases/store/database.h"
#include "core/status.h"
#include "core/time.h"
#include "policy/standards.h"
#include "reports/report.h"

namespace custodian::reports {

// Signs (or reuses) the current heads of the disclosure log and the audit log (`actor` is
// recorded if the ledger key is made now), reads the leaves up to them, counts the report
// (CountReport, report_counts.h) and signs it with the ledger key (report_signature.h).
// InvalidArgument when `from` is not before `to`; Corruption when the stored leaves do not
// make the roots just signed (the store was changed behind custodian's back).
Result<Report> MakeReport(cases::Database& db, cases::Ledgers& ledgers, cases::SigningKeys& keys,
                          const Standards& standards, Date from, Date to,
                          const std::string& actor);

}  // namespace custodian::reports
