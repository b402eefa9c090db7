#include "reports/report_verify.h"

#include <algorithm>

#include "cases/ledgers/ledger_store.h"
#include "core/base64.h"
#include "core/json_reader.h"
#include "ledger/merkle.h"
#include "reports/report.h"
#include "reports/report_counts.h"
#include "reports/report_json.h"
#include "reports/report_signature.h"

namespace custodian::reports {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

std::string Base64Of(const ledger::Digest& d) { return Base64Encode(std::span<const uint8_t>(d)); }
std::string Quoted(const std::string& s) { return json(s).dump(); }

// Walks the recomputed report and the published one side by side and lists every value that
// differs, and every row one has and the other has not. ParseReport has already refused
// fields that do not belong.
void Compare(const ordered_json& recomputed, const json& reported, const std::string& at,
             std::vector<ReportDifference>& out) {
  if (recomputed.is_object() && reported.is_object()) {
    for (const auto& [key, value] : recomputed.items()) {
      std::string pointer = at;
      AppendPointerToken(pointer, key);
      Compare(value, reported.at(key), pointer, out);
    }
    return;
  }
  if (recomputed.is_array() && reported.is_array()) {
    for (size_t i = 0; i < std::max(recomputed.size(), reported.size()); ++i) {
      std::string pointer = at;
      AppendPointerIndex(pointer, i);
      if (i >= reported.size()) {
        out.push_back({pointer, "no such row", recomputed[i].dump()});
      } else if (i >= recomputed.size()) {
        out.push_back({pointer, reported[i].dump(), "no such row"});
      } else {
        Compare(recomputed[i], reported[i], pointer, out);
      }
    }
    return;
  }
  // Scalars, compared as written: 3 and "<3" differ, 3 and 3.0 cannot both pass ParseReport.
  if (recomputed.dump() != reported.dump()) out.push_back({at, reported.dump(), recomputed.dump()});
}

// Holds one of the report's heads (at `at`) against the instance: the key that signed it, the
// signature, its consistency with the log's latest signed head, and the root of the stored
// leaves that were counted.
Status CheckHead(const ledger::SignedTreeHead& head, std::string_view log, const std::string& at,
                 const ledger::Digest& counted_root,
                 const std::vector<cases::PublicSigningKey>& keys, cases::Ledgers& ledgers,
                 std::vector<ReportDifference>& out) {
  const auto differ = [&](const char* field, std::string reported, std::string recomputed) {
    out.push_back({at + "/" + field, std::move(reported), std::move(recomputed)});
  };
  if (head.log != log) differ("log", Quoted(head.log), Quoted(std::string(log)));
  auto key = std::find_if(keys.begin(), keys.end(),
                          [&](const cases::PublicSigningKey& k) { return k.key_id == head.key_id; });
  if (key == keys.end()) {
    differ("key_id", Quoted(head.key_id), "no ledger key of this instance has this id");
  } else if (Status s = ledger::Verify(head, key->public_key); !s.ok()) {
    differ("signature", Quoted(Base64Encode(std::span<const uint8_t>(head.signature))),
           "does not verify with ledger key " + key->key_id + " (" + s.message() + ")");
  }

  const std::string size = std::to_string(head.size);
  bool size_holds = false;  // the instance signed a head of this size
  bool root_differs = false;
  auto latest = ledgers.LatestHead(log);
  if (latest.status().IsNotFound()) {
    differ("size", size, "this instance has signed no head of its " + std::string(log) + " log");
  } else if (!latest.ok()) {
    return latest.status();
  } else if (head.size > latest->size) {
    differ("size", size, "the latest signed head has " + std::to_string(latest->size) + " leaves");
  } else if (head.size == 0) {
    size_holds = true;
    root_differs = head.root != ledger::EmptyRoot();
    if (root_differs) differ("root", Quoted(Base64Of(head.root)), Quoted(Base64Of(ledger::EmptyRoot())));
  } else {
    auto proof = ledgers.Consistency(log, head.size, latest->size);
    if (proof.status().IsNotFound()) {
      differ("size", size, "no head of " + size + " leaves was signed");
    } else if (!proof.ok()) {
      return proof.status();
    } else {
      size_holds = true;
      root_differs =
          !ledger::VerifyConsistency(head.size, latest->size, head.root, latest->root, *proof).ok();
      if (root_differs) {
        differ("root", Quoted(Base64Of(head.root)),
               "not consistent with the latest signed head (" + std::to_string(latest->size) +
                   " leaves, root " + Base64Of(latest->root) + ")");
      }
    }
  }
  // The counts were recomputed from the stored leaves: they must be the ones the head names.
  if (size_holds && !root_differs && counted_root != head.root) {
    differ("root", Quoted(Base64Of(head.root)),
           "the stored log's first " + size + " leaves make " + Base64Of(counted_root) +
               " (the store was changed outside custodian)");
  }
  return Status::Ok();
}

}  // namespace

void CompareReports(const ordered_json& recomputed, const json& reported,
                    std::vector<ReportDifference>& out) {
  Compare(recomputed, reported, "", out);
}

void CheckReportSignature(const json& report, const ReportSignature& signature,
                          std::span<const ledger::TrustedKey> keys, std::string_view whose,
                          std::vector<ReportDifference>& out) {
  const Status s = VerifyReportSignature(report, signature, keys);
  if (s.IsNotFound()) {
    out.push_back({"/signature/key_id", Quoted(signature.key_id),
                   "no ledger key " + std::string(whose) + " has this id"});
  } else if (!s.ok()) {
    out.push_back({"/signature/value", Quoted(Base64Encode(std::span<const uint8_t>(signature.value))),
                   "does not verify with ledger key " + signature.key_id +
                       ": the report is not the one that was signed"});
  }
}

Result<ReportCheck> VerifyReport(const json& report, cases::Database& db, cases::Ledgers& ledgers,
                                 cases::SigningKeys& keys, const Standards& standards) {
  auto basis = ParseReport(report);
  if (!basis.ok()) return basis.status();
  auto ledger_keys = keys.Keys(cases::kLedgerKey);
  if (!ledger_keys.ok()) return ledger_keys.status();
  auto leaves = ReadReportLeaves(db, basis->tree_head.size, basis->audit_tree_head.size);
  if (!leaves.ok()) return leaves.status();

  ReportCheck check;
  // The counts, as MakeReport would publish them from these leaves; the period and the heads
  // are the report's own, checked below. Whether it publishes its leaves is the report's own
  // statement too (signed: a report made before the standards changed still holds).
  CountSettings settings = CountSettingsOf(standards);
  settings.publish_leaves = basis->leaves_published;
  Report recounted = CountReport(*leaves, basis->period, settings);
  ordered_json recomputed = ReportToJson(recounted);
  for (const char* given : {"period", "tree_head", "audit_tree_head"}) recomputed.erase(given);
  CompareReports(recomputed, report, check.differences);

  if (Status s = CheckHead(basis->tree_head, cases::kDisclosureLog, "/tree_head",
                           leaves->disclosures_root, *ledger_keys, ledgers, check.differences);
      !s.ok()) {
    return s;
  }
  if (Status s = CheckHead(basis->audit_tree_head, cases::kAuditLog, "/audit_tree_head",
                           leaves->audit_root, *ledger_keys, ledgers, check.differences);
      !s.ok()) {
    return s;
  }
  std::vector<ledger::TrustedKey> trusted;
  for (const cases::PublicSigningKey& k : *ledger_keys) trusted.push_back({k.key_id, k.public_key});
  CheckReportSignature(report, basis->signature, trusted, "of this instance", check.differences);
  return check;
}

}  // namespace custodian::reports
