// The case store's schema, as the ordered list of migrations that build it. A migration is
// never edited once released: a change is a new migration. SQL common to SQLite and
// PostgreSQL: TEXT, INTEGER, BIGINT (times in microseconds since the epoch, UTC).
#pragma once

#include <string_view>
#include <vector>

namespace custodian::cases {

struct Migration {
  int version;
  std::string_view description;
  std::vector<std::string_view> statements;
};

const std::vector<Migration>& Migrations();

}  // namespace custodian::cases
