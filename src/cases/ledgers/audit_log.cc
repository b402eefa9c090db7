#include "cases/ledgers/audit_log.h"

#include <soci/soci.h>

#include "cases/ledgers/ledger_store.h"
#include "cases/store/sealed_columns.h"
#include "cases/store/sql_rows.h"
#include "core/sha256.h"
#include "ledger/merkle.h"

namespace custodian::cases {

ledger::AuditLeaf AuditLeafOfRow(const soci::row& r) {
  ledger::AuditLeaf leaf;
  leaf.seq = static_cast<uint64_t>(Int(r, 0));
  leaf.at_micros = Int(r, 1);
  leaf.actor = Text(r, 2);
  leaf.case_id = OptText(r, 3);
  leaf.action = Text(r, 4);
  leaf.process_type = OptText(r, 5);
  leaf.targets = OptInt(r, 6);
  leaf.detail_sha256 = Text(r, 7);
  return leaf;
}

Result<long long> AppendAudit(soci::session& sql, Timestamp at, const std::string& actor,
                              const std::optional<std::string>& case_id,
                              const std::string& action, const std::string& detail,
                              const AuditSubject& subject) {
  ledger::AuditLeaf leaf{0, at.micros, actor, case_id, action, subject.process_type,
                         subject.targets, Sha256Hex(detail)};
  auto index = LedgerTx(sql).Append(kAuditLog, [&](uint64_t i) {
    leaf.seq = i + 1;
    return ledger::LeafHash(ledger::AuditLeafBytes(leaf));
  });
  if (!index.ok()) return index.status();
  const long long seq = static_cast<long long>(leaf.seq);
  const long long micros = at.micros;
  Nullable<std::string> c(case_id), process(subject.process_type);
  // The detail is sealed for its entry; the account it concerns is kept as a keyed tag, which
  // erasure looks up.
  const std::string sealed_detail = Sealed(sql, "audit_details.detail", std::to_string(seq), detail);
  Nullable<std::string> account(subject.account ? std::optional(Tagged(sql, kAccountTag, *subject.account))
                                                : std::nullopt);
  Nullable<long long> targets(subject.targets ? std::optional<long long>(*subject.targets)
                                              : std::nullopt);
  sql << "INSERT INTO audit (seq, at, actor, case_id, action, process_type, targets, "
         "detail_sha256) VALUES (:s, :t, :a, :c, :x, :p, :n, :h)",
      soci::use(seq), soci::use(micros), soci::use(actor), soci::use(c.value, c.ind),
      soci::use(action), soci::use(process.value, process.ind),
      soci::use(targets.value, targets.ind), soci::use(leaf.detail_sha256);
  sql << "INSERT INTO audit_details (seq, detail, account) VALUES (:s, :d, :a)", soci::use(seq),
      soci::use(sealed_detail), soci::use(account.value, account.ind);
  return seq;
}

Result<long long> EraseAuditDetails(soci::session& sql, const std::string& account) {
  const std::string tag = Tagged(sql, kAccountTag, account);
  long long n = 0;
  sql << "SELECT COUNT(*) FROM audit_details WHERE account = :a", soci::use(tag), soci::into(n);
  sql << "DELETE FROM audit_details WHERE account = :a", soci::use(tag);
  return n;
}

Status BackfillAuditLog(soci::session& sql) {
  struct Row {
    long long seq;
    std::string detail;
  };
  std::vector<Row> rows;
  {
    soci::rowset<soci::row> rs =
        (sql.prepare << "SELECT d.seq, d.detail FROM audit_details d ORDER BY d.seq");
    for (const soci::row& r : rs) rows.push_back({Int(r, 0), Text(r, 1)});
  }
  LedgerTx ledger(sql);
  for (const Row& row : rows) {
    const std::string sha = Sha256Hex(row.detail);
    sql << "UPDATE audit SET detail_sha256 = :h WHERE seq = :s", soci::use(sha), soci::use(row.seq);
    ledger::AuditLeaf leaf;
    bool found = false;
    soci::rowset<soci::row> rs = (sql.prepare << "SELECT " << kAuditLeafColumns
                                              << " FROM audit WHERE seq = :s",
                                  soci::use(row.seq));
    for (const soci::row& r : rs) {
      leaf = AuditLeafOfRow(r);
      found = true;
    }
    if (!found) return Status::Corruption("audit: a detail without its entry (" + std::to_string(row.seq) + ")");
    auto index = ledger.Append(kAuditLog, [&](uint64_t) {
      return ledger::LeafHash(ledger::AuditLeafBytes(leaf));
    });
    if (!index.ok()) return index.status();
    if (static_cast<long long>(*index) + 1 != row.seq) {
      return Status::Corruption("audit: the entries before the ledger are not numbered 1, 2, …");
    }
  }
  return Status::Ok();
}

}  // namespace custodian::cases
