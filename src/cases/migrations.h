// The case store's schema, as the ordered list of migrations that build it. A migration is
// never edited once released: a change is a new migration. SQL common to SQLite and
// PostgreSQL: TEXT, INTEGER, BIGINT (times in microseconds since the epoch, UTC).
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
  // Work SQL cannot do (hashing), run after the statements in the same transaction.
  std::function<Status(soci::session&)> then = nullptr;
};

const std::vector<Migration>& Migrations();

}  // namespace custodian::cases
