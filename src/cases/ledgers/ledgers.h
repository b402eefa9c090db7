// The instance's two Merkle logs over the case store: signing their tree heads, proving a
// leaf's inclusion and one head's consistency with another, and verifying everything stored
// (docs/ledger.md). Appends are not here: they happen inside the transactions of the actions
// they record (audit_log.h, disclosure_log.h).
// Thread-safe: the store serializes its transactions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/ledgers/signing_keys.h"
#include "cases/store/database.h"
#include "core/clock.h"
#include "ledger/merkle.h"
#include "ledger/tree_head.h"

namespace custodian::cases {

// A leaf of a log with its inclusion proof in the tree of a signed head.
struct LeafProof {
  std::string log;
  uint64_t index = 0;
  std::string leaf;  // the leaf's bytes
  ledger::SignedTreeHead head;
  std::vector<ledger::Digest> proof;
};

// An entry of a log with its inclusion proof (and, in the audit log, its detail).
struct ProvenEntry {
  uint64_t index = 0;                 // the leaf's index: the entry's seq - 1
  std::string leaf;                   // the leaf's bytes (ledger/audit_leaf.h, disclosure_leaf.h)
  std::optional<std::string> detail;  // audit: JSON, as stored; none once erased with its account
  std::vector<ledger::Digest> proof;  // in the tree of the page's head
};

// A run of entries of one log, proved against one signed head.
struct LogPage {
  ledger::SignedTreeHead head;
  std::vector<ProvenEntry> entries;
};

// What `ledger verify` found: counts, and every problem (empty when all holds).
struct LedgerVerification {
  uint64_t audit_leaves = 0;
  uint64_t disclosure_leaves = 0;
  uint64_t heads = 0;
  uint64_t erased_details = 0;  // audit entries whose detail was erased with an account
  std::vector<std::string> problems;
  bool ok() const { return problems.empty(); }
};

class Ledgers {
 public:
  Ledgers(Database& db, SigningKeys& keys, Clock& clock);

  // Signs and stores a head for the log's current size, unless the latest head already has
  // that size (then it is returned). `actor` is recorded if the signing key is made now.
  Result<ledger::SignedTreeHead> SignHead(std::string_view log, const std::string& actor);
  // The latest signed head, NotFound when none was signed yet.
  Result<ledger::SignedTreeHead> LatestHead(std::string_view log);
  // Leaf `index` and its proof in the tree of the signed head of `size` leaves (the latest
  // signed head when none is given).
  Result<LeafProof> Prove(std::string_view log, uint64_t index, std::optional<uint64_t> size = {});
  // The consistency proof between the signed heads of `size1` and `size2` leaves; NotFound
  // when either size is not that of a signed head.
  Result<std::vector<ledger::Digest>> Consistency(std::string_view log, uint64_t size1,
                                                  uint64_t size2);
  // The signed heads of at least `from_size` leaves, by size, at most `limit` of them.
  Result<std::vector<ledger::SignedTreeHead>> Heads(std::string_view log, uint64_t from_size,
                                                    size_t limit);
  // The entries [start, start + count) of `log` that its latest signed head holds (fewer, or
  // none, past its size), each with its proof against that head and, in the audit log, its
  // detail. The reading is itself audited as `reader` (read_audit_log, read_disclosure_log),
  // in the same transaction: nothing is returned unrecorded. NotFound when no head of the log
  // was signed yet.
  Result<LogPage> ProveEntries(std::string_view log, uint64_t start, uint64_t count,
                               const std::string& reader);
  // Recomputes both trees from the stored leaves and checks the stored nodes, the logs'
  // states, every stored head's root and signature, and every kept detail's hash.
  Result<LedgerVerification> Verify();

 private:
  Database& db_;
  SigningKeys& keys_;
  Clock& clock_;
};

// The bytes of leaf `index` of `log` as stored; NotFound beyond the log.
Result<std::string> LeafBytes(soci::session& sql, std::string_view log, uint64_t index);
Status CheckLogName(std::string_view log);

}  // namespace custodian::cases
