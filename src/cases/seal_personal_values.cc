#include "cases/seal_personal_values.h"

#include <soci/soci.h>

#include <vector>

#include "cases/store/database.h"
#include "cases/store/sealed_columns.h"
#include "cases/store/sql_rows.h"
#include "cases/store/store_keys.h"

namespace custodian::cases {
namespace {

// One table's rows: the columns that name the row, and the values to seal in place.
struct Rows {
  std::vector<std::vector<std::string>> keys;
  std::vector<std::vector<std::optional<std::string>>> values;
};

Rows Read(soci::session& sql, const std::string& query, size_t key_columns, size_t value_columns) {
  Rows out;
  soci::rowset<soci::row> rows = (sql.prepare << query);
  for (const soci::row& r : rows) {
    std::vector<std::string> key;
    for (size_t i = 0; i < key_columns; ++i) {
      key.push_back(r.get_properties(i).get_data_type() == soci::dt_string ? Text(r, i)
                                                                           : std::to_string(Int(r, i)));
    }
    std::vector<std::optional<std::string>> values;
    for (size_t i = key_columns; i < key_columns + value_columns; ++i) {
      if (IsNull(r, i)) {
        values.push_back(std::nullopt);
      } else {
        values.push_back(r.get_properties(i).get_data_type() == soci::dt_string ? Text(r, i)
                                                                                : std::to_string(Int(r, i)));
      }
    }
    out.keys.push_back(std::move(key));
    out.values.push_back(std::move(values));
  }
  return out;
}

std::string Joined(const std::vector<std::string>& key) {
  std::string out;
  for (const std::string& k : key) out += (out.empty() ? "" : " ") + k;
  return out;
}

// Seals `columns` of `table` in every row, the row named by `key_columns` (in that order);
// `sealed_into` names, per column, where the sealed value goes (the column itself when empty).
void SealTable(soci::session& sql, const StoreKeys& keys, const std::string& table,
               const std::vector<std::string>& key_columns, const std::vector<std::string>& columns,
               const std::vector<std::string>& sealed_into) {
  std::string select = "SELECT ", where;
  for (size_t i = 0; i < key_columns.size(); ++i) {
    select += (i ? ", " : "") + key_columns[i];
    where += (i ? " AND " : "") + key_columns[i] + " = :k" + std::to_string(i);
  }
  for (const std::string& c : columns) select += ", " + c;
  const Rows rows = Read(sql, select + " FROM " + table, key_columns.size(), columns.size());
  for (size_t r = 0; r < rows.keys.size(); ++r) {
    const std::string row = Joined(rows.keys[r]);
    for (size_t c = 0; c < columns.size(); ++c) {
      const std::optional<std::string>& plain = rows.values[r][c];
      if (!plain) continue;
      const std::string target = sealed_into[c].empty() ? columns[c] : sealed_into[c];
      const std::string sealed = keys.Seal(*plain, SealContext(table + "." + columns[c], row));
      soci::statement st(sql);
      st.exchange(soci::use(sealed));
      std::vector<std::string> key = rows.keys[r];
      for (std::string& k : key) st.exchange(soci::use(k));
      st.alloc();
      st.prepare("UPDATE " + table + " SET " + target + " = :v WHERE " + where);
      st.define_and_bind();
      st.execute(true);
    }
  }
}

}  // namespace

Status SealPersonalValues(soci::session& sql) {
  auto keys = StoreKeys::Load(sql, MasterOf(sql));
  if (!keys.ok()) return keys.status();
  SealTable(sql, *keys, "requests", {"case_id", "version"}, {"document"}, {""});
  SealTable(sql, *keys, "decisions", {"case_id", "seq"}, {"document"}, {""});
  SealTable(sql, *keys, "cases", {"id"}, {"review_note", "review_scope"}, {"", ""});
  SealTable(sql, *keys, "verifications", {"case_id", "seq"}, {"note"}, {""});
  SealTable(sql, *keys, "holds", {"id"}, {"account"}, {"sealed_account"});
  sql << "ALTER TABLE holds DROP COLUMN account";
  SealTable(sql, *keys, "notices", {"id"}, {"account", "payload"}, {"", ""});
  SealTable(sql, *keys, "attachments", {"case_id", "sha256"}, {"name"}, {""});
  SealTable(sql, *keys, "audit_details", {"seq"}, {"detail"}, {""});
  // Lookups compare keyed tags from now on.
  const Rows fingerprints = Read(sql, "SELECT id, fingerprint FROM cases", 1, 1);
  for (size_t r = 0; r < fingerprints.keys.size(); ++r) {
    const std::string tag = keys->Tag(kFingerprintTag, fingerprints.values[r][0].value_or(""));
    const std::string& id = fingerprints.keys[r][0];
    sql << "UPDATE cases SET fingerprint = :f WHERE id = :i", soci::use(tag), soci::use(id);
  }
  const Rows accounts =
      Read(sql, "SELECT seq, account FROM audit_details WHERE account IS NOT NULL", 1, 1);
  for (size_t r = 0; r < accounts.keys.size(); ++r) {
    const std::string tag = keys->Tag(kAccountTag, *accounts.values[r][0]);
    const long long seq = std::stoll(accounts.keys[r][0]);
    sql << "UPDATE audit_details SET account = :a WHERE seq = :s", soci::use(tag), soci::use(seq);
  }
  return Status::Ok();
}

}  // namespace custodian::cases
