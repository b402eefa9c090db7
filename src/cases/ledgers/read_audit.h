// Vault reads recorded in the audit log: the vault calls RecordRead before any data leaves
// (vault/grant.h), and the entry is committed — durable — before it returns. What was read
// (accounts, addresses) goes into the entry's erasable detail, never into its leaf.
// Thread-safe: the store serializes its transactions.
#pragma once

#include <string>

#include "cases/store/database.h"
#include "core/clock.h"
#include "vault/grant.h"

namespace custodian::cases {

class LedgerReadAudit : public vault::ReadAudit {
 public:
  // `actor`: who reads (the production's operator, a server's user).
  LedgerReadAudit(Database& db, Clock& clock, std::string actor)
      : db_(db), clock_(clock), actor_(std::move(actor)) {}

  Status RecordRead(const vault::Grant& grant, const std::string& what) override;

 private:
  Database& db_;
  Clock& clock_;
  const std::string actor_;
};

}  // namespace custodian::cases
