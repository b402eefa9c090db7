#include "cases/store/migration.h"

#include <soci/soci.h>

#include <string>

#include "core/clock.h"

namespace custodian::cases {

Status ApplyMigration(soci::session& sql, const Migration& m) {
  for (std::string_view statement : m.statements) sql << std::string(statement);
  if (m.then) {
    if (Status s = m.then(sql); !s.ok()) return s;
  }
  const std::string description(m.description);
  const long long at = SystemClock().Now().micros;
  sql << "INSERT INTO schema_migrations (version, description, applied_at) "
         "VALUES (:v, :d, :t)",
      soci::use(m.version), soci::use(description), soci::use(at);
  return Status::Ok();
}

Status ApplyAllMigrations(soci::session& sql, const Schema& schema) {
  sql << std::string(kSchemaMigrationsTable);
  for (const Migration& m : schema) {
    if (Status s = ApplyMigration(sql, m); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace custodian::cases
