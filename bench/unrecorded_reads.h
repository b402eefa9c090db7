// The audit the benchmarks give the vault's reads: they measure the vault, not an audit
// ledger, so nothing is recorded (in custodian, the case workflow's ledger append precedes
// every read).
#pragma once

#include <string>

#include "vault/grant.h"

namespace custodian::bench {

class UnrecordedReads : public vault::ReadAudit {
 public:
  Status RecordRead(const vault::Grant&, const std::string&) override { return Status::Ok(); }
};

}  // namespace custodian::bench
