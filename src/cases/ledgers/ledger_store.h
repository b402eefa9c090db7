// The two Merkle logs (audit and disclosures) as the case store keeps them: the leaves in
// their own tables (audit, disclosures), every node of the tree in ledger_nodes, each log's
// size and compact range in ledger_state, and the signed tree heads in tree_heads. An append
// happens in the transaction of the action it records, so that the two commit together; the
// update of the log's state row locks it, so that appends on one PostgreSQL database are
// serialized across servers. A LedgerTx lives only inside Database::Transaction's callback.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/store/database.h"
#include "ledger/compact_range.h"
#include "ledger/merkle.h"
#include "ledger/tree_head.h"

namespace custodian::cases {

inline constexpr std::string_view kAuditLog = "audit";
inline constexpr std::string_view kDisclosureLog = "disclosures";

class LedgerTx {
 public:
  explicit LedgerTx(soci::session& sql) : sql_(sql) {}

  // Takes the log's next index (locking the log until the transaction ends), asks
  // `leaf_hash_at` for the hash of the leaf at that index (a leaf may name its own place),
  // folds it into the tree and stores the nodes it completes. Returns the index (0-based).
  Result<uint64_t> Append(std::string_view log,
                          const std::function<ledger::Digest(uint64_t index)>& leaf_hash_at);

  // Locks the log's state row until the transaction ends: appends and head signing on one
  // PostgreSQL database queue here, whichever server they come from.
  void Lock(std::string_view log);

  // The log's size and root as of this transaction.
  Result<ledger::CompactRange> Range(std::string_view log);
  // Reads stored nodes; for proofs within the log's current size.
  ledger::NodeReader Nodes(std::string_view log);

  Status StoreHead(const ledger::SignedTreeHead& head);
  // Heads of `log` of at least `from_size` leaves, by size, at most `limit` of them (all when
  // none is given); Corruption when a stored one is malformed.
  Result<std::vector<ledger::SignedTreeHead>> Heads(std::string_view log, uint64_t from_size = 0,
                                                    std::optional<size_t> limit = {});
  std::optional<ledger::SignedTreeHead> LatestHead(std::string_view log);
  Result<ledger::SignedTreeHead> HeadOfSize(std::string_view log, uint64_t size);

 private:
  soci::session& sql_;
};

// Lower-case hex of a digest and back (the store keeps nodes as hex text).
std::string DigestHex(const ledger::Digest& d);
Result<ledger::Digest> DigestFromHex(std::string_view hex);

}  // namespace custodian::cases
