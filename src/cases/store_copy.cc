#include "cases/store_copy.h"

#include <soci/soci.h>

#include <cstdio>
#include <optional>
#include <vector>

#include "cases/ledgers/audit_log.h"
#include "cases/ledgers/ledger_store.h"
#include "cases/migrations.h"
#include "cases/store/sql_rows.h"
#include "core/base64.h"
#include "ledger/compact_range.h"

namespace custodian::cases {
namespace {

// Tables the copy makes for itself: its own identity, and the migrations that built it.
bool CopiesItself(const std::string& table) {
  return table == "store_identity" || table == "schema_migrations";
}

// A value as text, which both backends take for any column of the schema (SQLite converts it
// by the column's affinity, PostgreSQL by the parameter's inferred type); none for null.
Result<std::optional<std::string>> ValueText(const soci::row& r, size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::optional<std::string>();
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_string:
      return std::optional(r.get<std::string>(i));
    case soci::dt_integer:
    case soci::dt_long_long:
    case soci::dt_unsigned_long_long:
      return std::optional(std::to_string(Int(r, i)));
    case soci::dt_double: {
      char text[40];
      std::snprintf(text, sizeof text, "%.17g", r.get<double>(i));
      return std::optional(std::string(text));
    }
    default:
      return Status::Internal("case store: column " + r.get_properties(i).get_name() +
                              " has a type the copy does not know");
  }
}

// Copies every row of `table`; returns how many.
Result<uint64_t> CopyTable(soci::session& from, soci::session& to, const std::string& table) {
  to << "DELETE FROM " + table;  // rows the migrations seeded (counters, the logs' states)
  soci::rowset<soci::row> rows = (from.prepare << "SELECT * FROM " + table);
  std::optional<soci::statement> insert;
  std::vector<std::string> values;
  std::vector<soci::indicator> indicators;
  uint64_t copied = 0;
  for (const soci::row& r : rows) {
    if (!insert) {
      // The statement is prepared once, on the first row's columns (both stores were built by
      // the same migrations).
      values.resize(r.size());
      indicators.resize(r.size());
      std::string columns, parameters;
      for (size_t i = 0; i < r.size(); ++i) {
        columns += (i ? ", " : "") + r.get_properties(i).get_name();
        parameters += (i ? ", :v" : ":v") + std::to_string(i);
      }
      insert.emplace(to);
      for (size_t i = 0; i < r.size(); ++i) insert->exchange(soci::use(values[i], indicators[i]));
      insert->alloc();
      insert->prepare("INSERT INTO " + table + " (" + columns + ") VALUES (" + parameters + ")");
      insert->define_and_bind();
    }
    for (size_t i = 0; i < r.size(); ++i) {
      auto value = ValueText(r, i);
      if (!value.ok()) return value.status();
      indicators[i] = value->has_value() ? soci::i_ok : soci::i_null;
      values[i] = value->value_or("");
    }
    insert->execute(true);
    ++copied;
  }
  return copied;
}

// The log's size and root recomputed from the leaves stored in `sql`.
Result<ledger::CompactRange> RecomputedLog(soci::session& sql, std::string_view log) {
  ledger::CompactRange range;
  const bool audit = log == kAuditLog;
  const std::string query = audit ? "SELECT " + std::string(kAuditLeafColumns) +
                                        " FROM audit ORDER BY seq"
                                  : "SELECT seq, leaf FROM disclosures ORDER BY seq";
  soci::rowset<soci::row> rows = (sql.prepare << query);
  for (const soci::row& r : rows) {
    if (Int(r, 0) != static_cast<long long>(range.size()) + 1) {
      return Status::Corruption("case store: the copy's " + std::string(log) +
                                " log misses leaf " + std::to_string(range.size() + 1));
    }
    range.Append(ledger::LeafHash(audit ? ledger::AuditLeafBytes(AuditLeafOfRow(r)) : Text(r, 1)));
  }
  return range;
}

// Checks that the copy's log, recomputed from its leaves, has the source's size and root.
Result<CopiedLog> CheckLog(soci::session& from, soci::session& to, std::string_view log) {
  auto source = LedgerTx(from).Range(log);
  if (!source.ok()) return source.status();
  auto copy = RecomputedLog(to, log);
  if (!copy.ok()) return copy.status();
  auto stored = LedgerTx(to).Range(log);
  if (!stored.ok()) return stored.status();
  const std::string root = DigestHex(source->Root());
  if (copy->size() != source->size() || DigestHex(copy->Root()) != root ||
      stored->size() != source->size() || DigestHex(stored->Root()) != root) {
    return Status::Corruption("case store: the copy's " + std::string(log) + " log (" +
                              std::to_string(copy->size()) + " leaves, root " +
                              DigestHex(copy->Root()) + ") is not the source's (" +
                              std::to_string(source->size()) + " leaves, root " + root + ")");
  }
  return CopiedLog{source->size(), Base64Encode(std::span<const uint8_t>(source->Root()))};
}

}  // namespace

Result<StoreCopy> CopyStore(Database& source, Database& target) {
  auto found = target.Inspect();
  if (!found.ok()) return found.status();
  if (found->has_tables) {
    return Status::FailedPrecondition("case store: the target is not empty (it holds tables); "
                                      "a store is moved only into an empty database");
  }
  StoreCopy out;
  out.from_store = source.store_id();
  Status s = source.Transaction([&](soci::session& from) -> Status {
    // One snapshot of the source, on PostgreSQL too (SQLite's read transaction is one).
    if (source.backend() == Backend::kPostgres) {
      from << "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ";
    }
    const std::vector<std::string> tables = StoreTables(from, source.backend());
    // The copy's rows are the source's, its keys too (wrapped by the same master key).
    return target.Fill(Migrations(), source.master(), [&](soci::session& to) -> Status {
      if (StoreTables(to, target.backend()) != tables) {
        return Status::FailedPrecondition(
            "case store: the source's tables are not those of this custodian's schema");
      }
      for (const std::string& table : tables) {
        if (CopiesItself(table)) continue;
        auto rows = CopyTable(from, to, table);
        if (!rows.ok()) return rows.status();
        out.rows += *rows;
        ++out.tables;
      }
      auto audit = CheckLog(from, to, kAuditLog);
      if (!audit.ok()) return audit.status();
      auto disclosures = CheckLog(from, to, kDisclosureLog);
      if (!disclosures.ok()) return disclosures.status();
      out.audit = *audit;
      out.disclosures = *disclosures;
      return Status::Ok();
    });
  });
  if (!s.ok()) return s;
  out.to_store = target.store_id();
  return out;
}

}  // namespace custodian::cases
