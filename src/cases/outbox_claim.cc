#include "cases/outbox_claim.h"

namespace custodian::cases {

bool ClaimDue(soci::session& sql, std::string_view table,
              const std::vector<std::pair<std::string_view, std::string>>& key, Timestamp now) {
  std::string query = "UPDATE " + std::string(table) +
                      " SET next_attempt_at = :until WHERE state = 'pending' AND next_attempt_at <= :now";
  for (const auto& [column, value] : key) query += " AND " + std::string(column) + " = :" + std::string(column);
  const long long until = now.micros + kClaimMicros, at = now.micros;
  soci::statement claim(sql);
  claim.exchange(soci::use(until));
  claim.exchange(soci::use(at));
  for (const auto& [column, value] : key) claim.exchange(soci::use(value));
  claim.alloc();
  claim.prepare(query);
  claim.define_and_bind();
  claim.execute(true);
  return claim.get_affected_rows() == 1;
}

}  // namespace custodian::cases
