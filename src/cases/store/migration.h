// A schema as the ordered list of migrations that build it, and how one is applied. The store
// runs them (Database::Migrate) without knowing what they build; the case store's own list is
// cases/migrations.h. A migration is never edited once released: a change is a new migration.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace soci {
class session;
}

namespace custodian::cases {

struct Migration {
  int version;
  std::string_view description;
  std::vector<std::string_view> statements;
  // Work SQL cannot do (hashing, sealing), run after the statements in the same transaction.
  std::function<Status(soci::session&)> then = nullptr;
  // Tables whose personal values the migration rewrote: their old bytes are cleared from the
  // database's free space after it (Database::Migrate).
  std::vector<std::string_view> scrub = {};
};

// A schema: its migrations, in version order.
using Schema = std::vector<Migration>;

// The table that records which migrations a store has (made before the first one).
inline constexpr std::string_view kSchemaMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
    "description TEXT NOT NULL, applied_at BIGINT NOT NULL)";

// Applies `m` inside the caller's transaction: its statements, its work, its row in
// schema_migrations.
Status ApplyMigration(soci::session& sql, const Migration& m);
// Builds the whole of `schema` in an empty store inside the caller's transaction.
Status ApplyAllMigrations(soci::session& sql, const Schema& schema);

}  // namespace custodian::cases
