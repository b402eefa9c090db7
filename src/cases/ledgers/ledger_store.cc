#include "cases/ledgers/ledger_store.h"

#include <sodium.h>

#include "cases/store/sql_rows.h"
#include "core/base64.h"

namespace custodian::cases {

std::string DigestHex(const ledger::Digest& d) { return HexEncode(d.data(), d.size()); }

Result<ledger::Digest> DigestFromHex(std::string_view hex) {
  ledger::Digest d{};
  size_t n = 0;
  if (hex.size() != 2 * d.size() ||
      sodium_hex2bin(d.data(), d.size(), hex.data(), hex.size(), nullptr, &n, nullptr) != 0 ||
      n != d.size()) {
    return Status::Corruption("ledger: a stored hash is not 64 hex digits");
  }
  return d;
}

namespace {

std::string FrontierText(const ledger::CompactRange& range) {
  std::string out;
  for (const ledger::Digest& d : range.roots()) out += DigestHex(d);
  return out;
}

}  // namespace

void LedgerTx::Lock(std::string_view log) {
  const std::string name(log);
  sql_ << "UPDATE ledger_state SET size = size WHERE log = :l", soci::use(name);
}

Result<ledger::CompactRange> LedgerTx::Range(std::string_view log) {
  const std::string name(log);
  long long size = 0;
  std::string frontier;
  soci::indicator ind = soci::i_ok;
  sql_ << "SELECT size, frontier FROM ledger_state WHERE log = :l", soci::use(name),
      soci::into(size), soci::into(frontier, ind);
  if (!sql_.got_data()) return Status::Corruption("ledger: no state for log " + name);
  if (ind == soci::i_null) frontier.clear();
  // The frontier is the compact range, one hash per binary digit 1 of the size.
  std::vector<ledger::Digest> roots;
  for (size_t i = 0; i < frontier.size(); i += 64) {
    auto d = DigestFromHex(std::string_view(frontier).substr(i, 64));
    if (!d.ok()) return d.status();
    roots.push_back(*d);
  }
  if (roots.size() != static_cast<size_t>(__builtin_popcountll(static_cast<uint64_t>(size)))) {
    return Status::Corruption("ledger: the state of log " + name + " does not match its size");
  }
  size_t next = 0;
  return ledger::CompactRange::Load(static_cast<uint64_t>(size), [&](int, uint64_t) {
    return Result<ledger::Digest>(roots[next++]);
  });
}

Result<uint64_t> LedgerTx::Append(std::string_view log,
                                  const std::function<ledger::Digest(uint64_t)>& leaf_hash_at) {
  const std::string name(log);
  Lock(log);
  auto range = Range(log);
  if (!range.ok()) return range.status();
  const uint64_t index = range->size();
  range->Append(leaf_hash_at(index), [&](int level, uint64_t idx, const ledger::Digest& hash) {
    const long long i = static_cast<long long>(idx);
    const std::string hex = DigestHex(hash);
    sql_ << "INSERT INTO ledger_nodes (log, level, idx, hash) VALUES (:l, :v, :i, :h)",
        soci::use(name), soci::use(level), soci::use(i), soci::use(hex);
  });
  const long long size = static_cast<long long>(range->size());
  const std::string frontier = FrontierText(*range);
  sql_ << "UPDATE ledger_state SET size = :s, frontier = :f WHERE log = :l", soci::use(size),
      soci::use(frontier), soci::use(name);
  return index;
}

ledger::NodeReader LedgerTx::Nodes(std::string_view log) {
  return [this, name = std::string(log)](int level, uint64_t index) -> Result<ledger::Digest> {
    const long long i = static_cast<long long>(index);
    std::string hex;
    sql_ << "SELECT hash FROM ledger_nodes WHERE log = :l AND level = :v AND idx = :i",
        soci::use(name), soci::use(level), soci::use(i), soci::into(hex);
    if (!sql_.got_data()) {
      return Status::Corruption("ledger: node " + std::to_string(level) + "/" +
                                std::to_string(index) + " of log " + name + " is missing");
    }
    return DigestFromHex(hex);
  };
}

Status LedgerTx::StoreHead(const ledger::SignedTreeHead& h) {
  const long long size = static_cast<long long>(h.size);
  const std::string root = Base64Encode(std::span<const uint8_t>(h.root));
  const std::string signature = Base64Encode(std::span<const uint8_t>(h.signature));
  sql_ << "INSERT INTO tree_heads (log, size, root, timestamp, key_id, signature) "
          "VALUES (:l, :s, :r, :t, :k, :g)",
      soci::use(h.log), soci::use(size), soci::use(root), soci::use(h.timestamp),
      soci::use(h.key_id), soci::use(signature);
  return Status::Ok();
}

namespace {

Result<ledger::SignedTreeHead> HeadOf(const soci::row& r) {
  nlohmann::json j = {{"log", Text(r, 0)},       {"size", static_cast<uint64_t>(Int(r, 1))},
                      {"root", Text(r, 2)},      {"timestamp", Text(r, 3)},
                      {"key_id", Text(r, 4)},    {"signature", Text(r, 5)}};
  auto head = ledger::TreeHeadFromJson(j);
  if (!head.ok()) return Status::Corruption("ledger: a stored tree head is malformed (" +
                                            head.status().message() + ")");
  return head;
}

constexpr char kHeadColumns[] = "log, size, root, timestamp, key_id, signature";

}  // namespace

Result<std::vector<ledger::SignedTreeHead>> LedgerTx::Heads(std::string_view log,
                                                            uint64_t from_size,
                                                            std::optional<size_t> limit) {
  const std::string name(log);
  const long long from = static_cast<long long>(from_size);
  // A number of our own, not the caller's text: written into the statement.
  const std::string limit_clause = limit ? " LIMIT " + std::to_string(*limit) : "";
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kHeadColumns
                    << " FROM tree_heads WHERE log = :l AND size >= :f ORDER BY size"
                    << limit_clause,
       soci::use(name), soci::use(from));
  std::vector<ledger::SignedTreeHead> out;
  for (const soci::row& r : rows) {
    auto h = HeadOf(r);
    if (!h.ok()) return h.status();
    out.push_back(*h);
  }
  return out;
}

std::optional<ledger::SignedTreeHead> LedgerTx::LatestHead(std::string_view log) {
  const std::string name(log);
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kHeadColumns
                    << " FROM tree_heads WHERE log = :l ORDER BY size DESC LIMIT 1",
       soci::use(name));
  for (const soci::row& r : rows) {
    if (auto h = HeadOf(r); h.ok()) return *h;
  }
  return std::nullopt;
}

Result<ledger::SignedTreeHead> LedgerTx::HeadOfSize(std::string_view log, uint64_t size) {
  const std::string name(log);
  const long long s = static_cast<long long>(size);
  soci::rowset<soci::row> rows = (sql_.prepare << "SELECT " << kHeadColumns
                                               << " FROM tree_heads WHERE log = :l AND size = :s",
                                  soci::use(name), soci::use(s));
  for (const soci::row& r : rows) return HeadOf(r);
  return Status::NotFound("no signed head of log " + name + " at size " + std::to_string(size));
}

}  // namespace custodian::cases
