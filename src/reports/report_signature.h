// A report's own signature (docs/verifying.md, Reports): the ledger key's Ed25519 signature
// over the report's canonical bytes, so that a copy with any figure changed fails to verify
// and the operator cannot disown a figure it published. The canonical bytes are
//   "custodian-report v1\n" followed by RFC 8785 (JCS) of the report's JSON form without its
//   "signature" field
// — for a report (ASCII keys, integers only) that is its compact serialization with the keys
// of every object sorted, strings UTF-8 as is: Python's json.dumps(report, sort_keys=True,
// separators=(',', ':'), ensure_ascii=False). The prefix keeps the bytes apart from anything
// else the ledger key signs (tree heads begin "custodian-tree-head v1\n"). Pure functions:
// safe from any thread.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cases/ledgers/signing_keys.h"
#include "core/status.h"
#include "ledger/public_keys.h"
#include "reports/report.h"

namespace custodian::reports {

inline constexpr std::string_view kReportSignaturePrefix = "custodian-report v1\n";

// The bytes the signature covers, from a report's JSON form (its "signature" left out).
// The report must hold valid UTF-8 and no fractional number (ParseReport has checked both).
std::string ReportSignedBytes(const nlohmann::json& report);

// The signature of `report` (ReportToJson's form) by `signer`, the ledger key.
ReportSignature SignReport(const nlohmann::json& report, const cases::Signer& signer);

// Ok when `signature` is that of `report` by the key of `keys` it names; NotFound when it
// names none of them ("the report is signed by key …, which is not among the ledger keys");
// InvalidArgument when the signature does not verify with it.
Status VerifyReportSignature(const nlohmann::json& report, const ReportSignature& signature,
                             std::span<const ledger::TrustedKey> keys);

// {"key_id", "value" (base64)}.
nlohmann::ordered_json ReportSignatureToJson(const ReportSignature& signature);

}  // namespace custodian::reports
