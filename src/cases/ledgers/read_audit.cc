#include "cases/ledgers/read_audit.h"

#include <nlohmann/json.hpp>

#include "cases/ledgers/audit_log.h"

namespace custodian::cases {

Status LedgerReadAudit::RecordRead(const vault::Grant& grant, const std::string& what) {
  AuditSubject subject;
  // A read of one account's data is erased with the account.
  if (grant.scope.accounts.size() == 1) subject.account = std::to_string(grant.scope.accounts[0]);
  const std::string detail = nlohmann::json{{"read", what}}.dump();
  return db_.Transaction([&](soci::session& sql) {
    return AppendAudit(sql, clock_.Now(), actor_, grant.scope.case_id, "vault_read", detail, subject)
        .status();
  });
}

}  // namespace custodian::cases
