// The case store's connection: SQLite (a file in the instance, the embedded default) or
// PostgreSQL (a server), through SOCI, with the schema it is given (store/migration.h; the
// case store's is cases/migrations.h) brought up to date on open. SQL is
// written once for both. SOCI reports errors by exception; Run turns them into Status, with
// the backend's message only (never the statement's bound values, which may be personal).
// Every store has an identity (a random store id, made by the migration that added it):
// an instance records the id of its store and refuses any other (instance/instance_store.h).
// Every store has its own keys too (store_keys.h), wrapped by the instance's master key:
// opening a store unwraps them, and the code that runs inside its transactions seals and
// tags with them (KeysOf).
// A SQLite store's file, and its -wal and -shm, are the user's alone (mode 0600).
// Thread-safe: one statement sequence at a time, under the database's lock.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <optional>
#include <string>
#include <vector>

#include "cases/store/migration.h"
#include "cases/store/store_keys.h"
#include "core/status.h"
#include "vault/crypto.h"

namespace soci {
class session;
}

namespace custodian::cases {

enum class Backend { kSqlite, kPostgres };

// What a store holds before it is migrated: whether it is one at all, and which.
struct StoreInspection {
  bool has_tables = false;  // any table at all (a store is moved only into an empty database)
  bool has_schema = false;  // custodian's schema (schema_migrations)
  std::optional<std::string> store_id;  // none before the migration that made identities
};

// What the code inside a transaction throws when a store's bytes fail their checks (a sealed
// value that does not open) or it runs without the store's keys; the transaction returns
// its status.
class StoreError : public std::runtime_error {
 public:
  explicit StoreError(Status status) : std::runtime_error(status.message()), status_(std::move(status)) {}
  const Status& status() const { return status_; }

 private:
  Status status_;
};

class Database {
 public:
  // Connects and brings `schema` up to date: Connect, then Migrate.
  // `url`: "sqlite:PATH" or "postgresql://…" / "postgresql:CONNINFO" (libpq's forms).
  static Result<std::unique_ptr<Database>> Open(const std::string& url,
                                                const vault::SecretKey& master,
                                                const Schema& schema);
  // Connects without touching the schema. A SQLite file that is missing is made (empty, mode
  // 0600) when `create_file`, and is NotFound otherwise.
  static Result<std::unique_ptr<Database>> Connect(const std::string& url, bool create_file = true);
  // The store as `url` names it for a message: a SQLite path, or PostgreSQL's host, port,
  // database and user (never a password).
  static std::string Describe(const std::string& url);
  ~Database();

  // What the store holds now (call before Migrate to decide whether to).
  Result<StoreInspection> Inspect();
  // Applies the migrations of `schema` the store lacks (a new store's keys are made and
  // wrapped by `master`), then reads the store's identity and unwraps its keys.
  // FailedPrecondition for a store newer than this binary; InvalidArgument for keys another
  // master key wrapped. `up_to` stops after that version, reading nothing (tests build older
  // stores with it).
  Status Migrate(const Schema& schema, const vault::SecretKey& master,
                 std::optional<int> up_to = std::nullopt);
  // Builds `schema` in an empty store and runs `fill` (which copies rows into it) in one
  // transaction, then reads it as Migrate does.
  Status Fill(const Schema& schema, const vault::SecretKey& master,
              const std::function<Status(soci::session&)>& fill);

  Backend backend() const { return backend_; }
  // The schema version now in place (after Migrate: the latest).
  int schema_version() const { return schema_version_; }
  // The store's identity (after Migrate).
  const std::string& store_id() const { return store_id_; }
  // The master key the store was opened with (after Migrate).
  const vault::SecretKey& master() const { return master_; }

  // Runs `work` in one transaction, committed when it returns ok and rolled back otherwise
  // (or when it throws). Calls do not nest.
  Status Transaction(const std::function<Status(soci::session&)>& work);

 private:
  Database(Backend backend, std::unique_ptr<soci::session> session);
  // Reads the identity and unwraps the keys of the store the session holds.
  Status LoadIdentityAndKeys(const vault::SecretKey& master);
  // After a migration that rewrote personal values: the old bytes leave the database's free
  // space (SQLite: VACUUM and an emptied WAL; PostgreSQL: VACUUM FULL of the tables).
  Status Scrub(const std::vector<std::string_view>& tables);

  const Backend backend_;
  std::mutex mu_;
  std::unique_ptr<soci::session> session_;  // GUARDED_BY(mu_)
  int schema_version_ = 0;
  std::string store_id_;
  vault::SecretKey master_;
  std::unique_ptr<StoreKeys> keys_;
};

// The keys of the store whose transaction (or migration) `sql` runs in; throws StoreError
// (Internal) outside one, or before the store's keys were loaded.
const StoreKeys& KeysOf(soci::session& sql);
// The master key of the store whose migration `sql` runs in (the migration that makes the
// store's keys wraps them with it); throws StoreError (Internal) outside one.
const vault::SecretKey& MasterOf(soci::session& sql);

// The tables of the store the session is connected to (the backend's catalogue), sorted.
std::vector<std::string> StoreTables(soci::session& sql, Backend backend);

// The next value of counter `name` (1 for a new one), inside the caller's transaction. The
// update locks the counter's row, so that concurrent servers on one PostgreSQL database
// never draw the same value.
long long NextCounter(soci::session& sql, const std::string& name);

}  // namespace custodian::cases
