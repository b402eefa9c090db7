// The case store's connection: SQLite (a file in the instance, the embedded default) or
// PostgreSQL (a server), through SOCI, with the schema brought up to date on open. SQL is
// written once for both. SOCI reports errors by exception; Run turns them into Status, with
// the backend's message only (never the statement's bound values, which may be personal).
// Thread-safe: one statement sequence at a time, under the database's lock.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"

namespace soci {
class session;
}

namespace custodian::cases {

enum class Backend { kSqlite, kPostgres };

class Database {
 public:
  // `url`: "sqlite:PATH" or "postgresql://…" / "postgresql:CONNINFO" (libpq's forms).
  static Result<std::unique_ptr<Database>> Open(const std::string& url);
  ~Database();

  Backend backend() const { return backend_; }
  // The schema version now in place (after Open: the latest).
  int schema_version() const { return schema_version_; }

  // Runs `work` in one transaction, committed when it returns ok and rolled back otherwise
  // (or when it throws). Calls do not nest.
  Status Transaction(const std::function<Status(soci::session&)>& work);

 private:
  Database(Backend backend, std::unique_ptr<soci::session> session);
  Status Migrate();

  const Backend backend_;
  std::mutex mu_;
  std::unique_ptr<soci::session> session_;  // GUARDED_BY(mu_)
  int schema_version_ = 0;
};

// The next value of counter `name` (1 for a new one), inside the caller's transaction. The
// update locks the counter's row, so that concurrent servers on one PostgreSQL database
// never draw the same value.
long long NextCounter(soci::session& sql, const std::string& name);

}  // namespace custodian::cases
