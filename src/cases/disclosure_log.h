// The disclosure log's leaves for a case (spec/report.md): built from the case, its latest
// request and decision, and appended in the transaction of the step they record. National
// security letters never enter this log (their number may be published only in bands, which
// the report takes from the audit log).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cases/case_store.h"
#include "ledger/disclosure_leaf.h"
#include "vault/crypto.h"

namespace custodian::cases {

// What a production adds to its leaf.
struct ProductionFacts {
  int64_t accounts_with_data = 0;
  std::string manifest_sha256;
};

// The case's pseudonym in the log: 32 hex digits of a keyed BLAKE2b of its id, the same for
// every leaf of the case and meaningless without the instance's key.
std::string CasePseudonym(const vault::SecretKey& key, const std::string& case_id);

// False for a national security letter, whose steps never enter the log.
bool InDisclosureLog(const CaseRecord& c);

// Appends the case's leaf of `kind` with `outcome` (on `today`, UTC); nothing for a national
// security letter. Returns the leaf's index, or nothing when none was appended.
Result<std::optional<uint64_t>> Disclose(CaseTx& tx, const CaseRecord& c,
                                         ledger::DisclosureKind kind, std::string_view outcome,
                                         Date today, const vault::SecretKey& pseudonym_key,
                                         const std::optional<ProductionFacts>& production = {});

}  // namespace custodian::cases
