// The case store's schema, as the ordered list of migrations that build it (the store runs
// them: store/migration.h). A migration is never edited once released: a change is a new
// migration. SQL common to SQLite and PostgreSQL: TEXT, INTEGER, BIGINT (times in
// microseconds since the epoch, UTC).
#pragma once

#include "cases/store/migration.h"

namespace custodian::cases {

const Schema& Migrations();

}  // namespace custodian::cases
