// Which requester sees which case (docs/portal.md, "Who sees a request"), and the colleagues
// a requester shares its requests with.
#include <soci/soci.h>

#include "cases/case_index.h"
#include "cases/case_store.h"
#include "cases/store/sql_rows.h"

namespace custodian::cases {

bool CaseTx::Sent(const CaseRecord& c, const RequesterScope& scope) {
  return c.agency_id == scope.agency_id && c.submitted_by == scope.account_id;
}

bool CaseTx::Sees(const CaseRecord& c, const RequesterScope& scope) {
  return Sent(c, scope) || Sees(c, scope, ReachOf(scope, c.id));
}

bool CaseTx::Sees(const CaseRecord& c, const RequesterScope& scope, const RequesterReach& reach) {
  if (Sent(c, scope)) return true;
  if (!scope.account_id || c.agency_id != scope.agency_id) return false;
  if (!c.submitted_by && c.entry == Entry::kStaff) return reach.named.contains(c.id);
  return reach.shared.contains(c.id);
}

RequesterReach CaseTx::ReachOf(const RequesterScope& scope, const std::optional<std::string>& case_id) {
  RequesterReach out;
  if (!scope.account_id) return out;
  const std::string one = case_id.value_or("");
  const int by_case = case_id.has_value();
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT case_id FROM case_shares WHERE account_id = :a AND (:by_case = 0 OR case_id = :c)",
       soci::use(*scope.account_id, "a"), soci::use(by_case, "by_case"), soci::use(one, "c"));
  for (const soci::row& r : rows) out.shared.insert(Text(r, 0));
  if (scope.email) out.named = CasesNamingRequester(sql_, KeysOf(sql_), *scope.email, case_id);
  return out;
}

std::vector<ShareRecord> CaseTx::Shares(const std::string& case_id) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT case_id, account_id, shared_by, shared_at FROM case_shares "
                       "WHERE case_id = :c ORDER BY shared_at, account_id",
       soci::use(case_id));
  std::vector<ShareRecord> out;
  for (const soci::row& r : rows) out.push_back({Text(r, 0), Text(r, 1), Text(r, 2), Timestamp{Int(r, 3)}});
  return out;
}

Status CaseTx::InsertShare(const ShareRecord& s) {
  const long long at = s.shared_at.micros;
  sql_ << "INSERT INTO case_shares (case_id, account_id, shared_by, shared_at) VALUES (:c, :a, :b, :t)",
      soci::use(s.case_id), soci::use(s.account_id), soci::use(s.shared_by), soci::use(at);
  return Status::Ok();
}

Status CaseTx::DeleteShare(const std::string& case_id, const std::string& account_id) {
  soci::statement st = (sql_.prepare << "DELETE FROM case_shares WHERE case_id = :c AND account_id = :a",
                        soci::use(case_id), soci::use(account_id));
  st.execute(true);
  if (st.get_affected_rows() == 0) return Status::NotFound("the request is not shared with that account");
  return Status::Ok();
}

}  // namespace custodian::cases
