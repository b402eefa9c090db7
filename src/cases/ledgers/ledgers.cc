#include "cases/ledgers/ledgers.h"

#include <soci/soci.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "cases/ledgers/audit_detail.h"
#include "cases/ledgers/audit_log.h"
#include "cases/ledgers/ledger_store.h"
#include "cases/store/sealed_columns.h"
#include "cases/store/sql_rows.h"
#include "core/sha256.h"
#include "ledger/audit_leaf.h"
#include "ledger/compact_range.h"

namespace custodian::cases {

Status CheckLogName(std::string_view log) {
  if (log == kAuditLog || log == kDisclosureLog) return Status::Ok();
  return Status::InvalidArgument("log: audit or disclosures");
}

Result<std::string> LeafBytes(soci::session& sql, std::string_view log, uint64_t index) {
  const long long seq = static_cast<long long>(index) + 1;
  if (log == kAuditLog) {
    soci::rowset<soci::row> rows = (sql.prepare << "SELECT " << kAuditLeafColumns
                                                << " FROM audit WHERE seq = :s",
                                    soci::use(seq));
    for (const soci::row& r : rows) return ledger::AuditLeafBytes(AuditLeafOfRow(r));
  } else {
    std::string leaf;
    sql << "SELECT leaf FROM disclosures WHERE seq = :s", soci::use(seq), soci::into(leaf);
    if (sql.got_data()) return leaf;
  }
  return Status::NotFound("log " + std::string(log) + " has no leaf " + std::to_string(index));
}

Ledgers::Ledgers(Database& db, SigningKeys& keys, Clock& clock)
    : db_(db), keys_(keys), clock_(clock) {}

Result<ledger::SignedTreeHead> Ledgers::SignHead(std::string_view log, const std::string& actor) {
  if (Status s = CheckLogName(log); !s.ok()) return s;
  auto signer = keys_.Active(kLedgerKey, actor);
  if (!signer.ok()) return signer.status();
  Result<ledger::SignedTreeHead> out = Status::Internal("unset");
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    LedgerTx tx(sql);
    // No append slips between reading the root and storing the head.
    const std::string name(log);
    tx.Lock(log);
    auto range = tx.Range(log);
    if (!range.ok()) return range.status();
    if (auto latest = tx.LatestHead(log); latest && latest->size == range->size()) {
      out = *latest;
      return Status::Ok();
    }
    ledger::SignedTreeHead head;
    head.log = name;
    head.size = range->size();
    head.root = range->Root();
    head.timestamp = FormatDateTime(Timestamp{clock_.Now().micros / kMicrosPerSecond * kMicrosPerSecond});
    out = ledger::Sign(head, signer->secret());
    if (!out.ok()) return out.status();
    return tx.StoreHead(*out);
  });
  if (!s.ok()) return s;
  return out;
}

Result<ledger::SignedTreeHead> Ledgers::LatestHead(std::string_view log) {
  if (Status s = CheckLogName(log); !s.ok()) return s;
  Result<ledger::SignedTreeHead> out = Status::NotFound("no tree head of log " + std::string(log) +
                                                        " has been signed yet");
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    if (auto latest = LedgerTx(sql).LatestHead(log)) out = *latest;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<LeafProof> Ledgers::Prove(std::string_view log, uint64_t index, std::optional<uint64_t> size) {
  if (Status s = CheckLogName(log); !s.ok()) return s;
  Result<LeafProof> out = Status::Internal("unset");
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    LedgerTx tx(sql);
    LeafProof p;
    p.log = std::string(log);
    p.index = index;
    if (size) {
      auto head = tx.HeadOfSize(log, *size);
      if (!head.ok()) return head.status();
      p.head = *head;
    } else {
      auto latest = tx.LatestHead(log);
      if (!latest) return Status::NotFound("no tree head of log " + p.log + " has been signed yet");
      p.head = *latest;
    }
    if (index >= p.head.size) {
      return Status::InvalidArgument("index: " + std::to_string(index) + " is not below the head's size " +
                                     std::to_string(p.head.size));
    }
    auto leaf = LeafBytes(sql, log, index);
    if (!leaf.ok()) return leaf.status();
    p.leaf = *leaf;
    auto proof = ledger::InclusionProof(index, p.head.size, tx.Nodes(log));
    if (!proof.ok()) return proof.status();
    p.proof = *proof;
    out = std::move(p);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<ledger::Digest>> Ledgers::Consistency(std::string_view log, uint64_t size1,
                                                         uint64_t size2) {
  if (Status s = CheckLogName(log); !s.ok()) return s;
  Result<std::vector<ledger::Digest>> out = Status::Internal("unset");
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    LedgerTx tx(sql);
    for (uint64_t size : {size1, size2}) {
      if (auto head = tx.HeadOfSize(log, size); !head.ok()) return head.status();
    }
    out = ledger::ConsistencyProof(size1, size2, tx.Nodes(log));
    return out.status();
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<ledger::SignedTreeHead>> Ledgers::Heads(std::string_view log,
                                                           uint64_t from_size, size_t limit) {
  if (Status s = CheckLogName(log); !s.ok()) return s;
  Result<std::vector<ledger::SignedTreeHead>> out = Status::Internal("unset");
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    out = LedgerTx(sql).Heads(log, from_size, limit);
    return out.status();
  });
  if (!s.ok()) return s;
  return out;
}

Result<LogPage> Ledgers::ProveEntries(std::string_view log, uint64_t start, uint64_t count,
                                      const std::string& reader) {
  if (Status s = CheckLogName(log); !s.ok()) return s;
  Result<LogPage> out = Status::Internal("unset");
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    LedgerTx tx(sql);
    LogPage page;
    auto latest = tx.LatestHead(log);
    if (!latest) return Status::NotFound("no tree head of log " + std::string(log) + " has been signed yet");
    page.head = *latest;
    const uint64_t size = page.head.size;
    const uint64_t end = start >= size ? start : start + std::min(count, size - start);
    std::unordered_map<long long, std::string> details;
    if (log == kAuditLog) {
      const long long first_seq = static_cast<long long>(start) + 1;
      const long long last_seq = static_cast<long long>(end);
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT seq, detail FROM audit_details WHERE seq >= :a AND seq <= :b",
           soci::use(first_seq), soci::use(last_seq));
      for (const soci::row& r : rows) {
        const long long seq = Int(r, 0);
        details[seq] = Opened(sql, "audit_details.detail", std::to_string(seq), Text(r, 1));
      }
    }
    const ledger::NodeReader nodes = tx.Nodes(log);
    for (uint64_t index = start; index < end; ++index) {
      ProvenEntry entry;
      entry.index = index;
      auto leaf = LeafBytes(sql, log, index);
      // Below a signed head's size every leaf must be there.
      if (!leaf.ok()) return Status::Corruption(std::string(log) + ": " + leaf.status().message());
      entry.leaf = std::move(leaf).value();
      if (auto d = details.find(static_cast<long long>(index) + 1); d != details.end()) {
        entry.detail = std::move(d->second);
      }
      auto proof = ledger::InclusionProof(index, size, nodes);
      if (!proof.ok()) return proof.status();
      entry.proof = std::move(proof).value();
      page.entries.push_back(std::move(entry));
    }
    // Even an empty page says who looked, and where.
    auto audited = AppendAudit(sql, clock_.Now(), reader, std::nullopt,
                               log == kAuditLog ? "read_audit_log" : "read_disclosure_log",
                               Detail({{"start", start}, {"end", end}, {"head_size", size}}).dump());
    if (!audited.ok()) return audited.status();
    out = std::move(page);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

namespace {

uint64_t NodeKey(int level, uint64_t index) { return (static_cast<uint64_t>(level) << 58) | index; }

// Checks one log: its leaves (given in order by `leaves`), nodes, state and heads.
class LogCheck {
 public:
  LogCheck(soci::session& sql, std::string_view log,
           const std::map<std::string, PublicSigningKey>& keys, LedgerVerification& report)
      : sql_(sql), log_(log), keys_(keys), report_(report) {}

  Status Load() {
    soci::rowset<soci::row> nodes = (sql_.prepare << "SELECT level, idx, hash FROM ledger_nodes WHERE log = :l",
                                     soci::use(log_));
    for (const soci::row& r : nodes) {
      auto d = DigestFromHex(Text(r, 2));
      if (!d.ok()) {
        Problem("a stored node is not a hash");
        continue;
      }
      stored_nodes_[NodeKey(static_cast<int>(Int(r, 0)), static_cast<uint64_t>(Int(r, 1)))] = *d;
    }
    auto heads = LedgerTx(sql_).Heads(log_);
    if (!heads.ok()) {
      Problem(heads.status().message());
    } else {
      heads_ = *heads;
    }
    report_.heads += heads_.size();
    next_head_ = 0;
    CheckHeadsAtSize();  // a head of the empty tree
    return Status::Ok();
  }

  // The leaf stored with sequence number `seq` (1-based), in order.
  void Leaf(long long seq, std::string_view bytes) {
    if (seq != static_cast<long long>(range_.size()) + 1) {
      Problem("entry " + std::to_string(range_.size() + 1) + " is missing (the next stored is " +
              std::to_string(seq) + ")");
    }
    range_.Append(ledger::LeafHash(bytes), [&](int level, uint64_t index, const ledger::Digest& hash) {
      ++expected_nodes_;
      auto it = stored_nodes_.find(NodeKey(level, index));
      if (it == stored_nodes_.end()) {
        Problem("node " + std::to_string(level) + "/" + std::to_string(index) + " is missing");
      } else if (it->second != hash) {
        if (level == 0) {
          Problem("leaf " + std::to_string(index) + " (entry " + std::to_string(index + 1) +
                  ") differs from what was appended");
        } else {
          Problem("node " + std::to_string(level) + "/" + std::to_string(index) +
                  " differs from its leaves");
        }
      }
    });
    CheckHeadsAtSize();
  }

  void Finish() {
    if (stored_nodes_.size() != expected_nodes_) {
      Problem(std::to_string(stored_nodes_.size()) + " nodes are stored where " +
              std::to_string(expected_nodes_) + " belong to the leaves");
    }
    for (; next_head_ < heads_.size(); ++next_head_) {
      Problem("a signed head has " + std::to_string(heads_[next_head_].size) +
              " leaves but the log holds " + std::to_string(range_.size()));
    }
    auto state = LedgerTx(sql_).Range(log_);
    if (!state.ok()) {
      Problem(state.status().message());
    } else if (state->size() != range_.size() || state->Root() != range_.Root()) {
      Problem("the log's state (" + std::to_string(state->size()) +
              " leaves) does not match its stored leaves (" + std::to_string(range_.size()) + ")");
    }
  }

  uint64_t size() const { return range_.size(); }
  void Problem(const std::string& what) { report_.problems.push_back(log_ + ": " + what); }

 private:
  void CheckHeadsAtSize() {
    while (next_head_ < heads_.size() && heads_[next_head_].size <= range_.size()) {
      const ledger::SignedTreeHead& h = heads_[next_head_++];
      const std::string at = "the head of " + std::to_string(h.size) + " leaves";
      if (h.size < range_.size()) continue;  // reported as a gap already
      if (h.root != range_.Root()) Problem(at + " does not match the leaves' root");
      auto key = keys_.find(h.key_id);
      if (key == keys_.end()) {
        Problem(at + " names an unknown key " + h.key_id);
      } else if (Status s = ledger::Verify(h, key->second.public_key); !s.ok()) {
        Problem(at + ": the signature does not verify (" + s.message() + ")");
      }
    }
  }

  soci::session& sql_;
  const std::string log_;
  const std::map<std::string, PublicSigningKey>& keys_;
  LedgerVerification& report_;
  std::unordered_map<uint64_t, ledger::Digest> stored_nodes_;
  std::vector<ledger::SignedTreeHead> heads_;
  size_t next_head_ = 0;
  ledger::CompactRange range_;
  uint64_t expected_nodes_ = 0;
};

}  // namespace

Result<LedgerVerification> Ledgers::Verify() {
  auto keys = keys_.Keys(kLedgerKey);
  if (!keys.ok()) return keys.status();
  std::map<std::string, PublicSigningKey> by_id;
  for (const PublicSigningKey& k : *keys) by_id[k.key_id] = k;
  LedgerVerification report;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    // The audit log: leaves recomputed from the rows, details checked against their hashes
    // (none: a sealed detail that does not open).
    std::unordered_map<long long, std::optional<std::string>> detail_hashes;
    {
      const StoreKeys& keys = KeysOf(sql);
      soci::rowset<soci::row> details = (sql.prepare << "SELECT seq, detail FROM audit_details");
      for (const soci::row& r : details) {
        const long long seq = Int(r, 0);
        auto detail = keys.Open(Text(r, 1), SealContext("audit_details.detail", std::to_string(seq)));
        detail_hashes[seq] = detail.ok() ? std::optional(Sha256Hex(*detail)) : std::nullopt;
      }
    }
    LogCheck audit(sql, kAuditLog, by_id, report);
    if (Status st = audit.Load(); !st.ok()) return st;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " << kAuditLeafColumns << " FROM audit ORDER BY seq");
    for (const soci::row& r : rows) {
      const ledger::AuditLeaf leaf = AuditLeafOfRow(r);
      const long long seq = static_cast<long long>(leaf.seq);
      auto d = detail_hashes.find(seq);
      if (d == detail_hashes.end()) {
        ++report.erased_details;
      } else {
        if (!d->second) {
          audit.Problem("the detail of entry " + std::to_string(seq) + " does not open");
        } else if (*d->second != leaf.detail_sha256) {
          audit.Problem("the detail of entry " + std::to_string(seq) + " was changed");
        }
        detail_hashes.erase(d);
      }
      audit.Leaf(seq, ledger::AuditLeafBytes(leaf));
    }
    for (const auto& [seq, hash] : detail_hashes) {
      audit.Problem("a detail (" + std::to_string(seq) + ") has no entry");
    }
    audit.Finish();
    report.audit_leaves = audit.size();

    LogCheck disclosures(sql, kDisclosureLog, by_id, report);
    if (Status st = disclosures.Load(); !st.ok()) return st;
    soci::rowset<soci::row> leaves = (sql.prepare << "SELECT seq, leaf FROM disclosures ORDER BY seq");
    for (const soci::row& r : leaves) disclosures.Leaf(Int(r, 0), Text(r, 1));
    disclosures.Finish();
    report.disclosure_leaves = disclosures.size();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return report;
}

}  // namespace custodian::cases
