#include "cases/database.h"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <chrono>

#include "cases/migrations.h"

namespace custodian::cases {
namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// SOCI's connect string for SQLite: the path quoted, a busy timeout for concurrent writers.
std::string SqliteConnect(const std::string& path) {
  std::string quoted;
  for (char c : path) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return "db=\"" + quoted + "\" timeout=30 shared_cache=false";
}

// A libpq URI ("postgresql://user@host:port/db?sslmode=require") as the key=value string
// libpq also reads: SOCI 4.0 re-splits its connect string at '=' and spaces, and a URI passed
// whole reaches the server mangled ("db" becomes "db="). libpq parses the URI itself.
Result<std::string> KeyValueConnInfo(const std::string& uri) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &error);
  if (!options) {
    // libpq's own message, as for every error of the store.
    std::string message = error ? error : "out of memory";
    if (error) PQfreemem(error);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Status::InvalidArgument("case store: " + message);
  }
  std::string out;
  for (const PQconninfoOption* o = options; o->keyword; ++o) {
    if (!o->val) continue;
    std::string value;
    for (const char* c = o->val; *c; ++c) {
      if (*c == '\\' || *c == '\'') value += '\\';
      value += *c;
    }
    out += (out.empty() ? "" : " ") + std::string(o->keyword) + "='" + value + "'";
  }
  PQconninfoFree(options);
  return out;
}

}  // namespace

Database::Database(Backend backend, std::unique_ptr<soci::session> session)
    : backend_(backend), session_(std::move(session)) {}

Database::~Database() = default;

Result<std::unique_ptr<Database>> Database::Open(const std::string& url) {
  std::unique_ptr<Database> db;
  try {
    if (url.starts_with("sqlite:")) {
      auto session = std::make_unique<soci::session>(soci::sqlite3, SqliteConnect(url.substr(7)));
      *session << "PRAGMA foreign_keys = ON";
      *session << "PRAGMA journal_mode = WAL";
      *session << "PRAGMA synchronous = FULL";
      db.reset(new Database(Backend::kSqlite, std::move(session)));
    } else if (url.starts_with("postgresql:") || url.starts_with("postgres:")) {
      // libpq's "postgresql://…" URIs, or "postgresql:" and a "key=value" string.
      std::string conninfo = url.substr(url.find(':') + 1);
      if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
        auto parsed = KeyValueConnInfo(url);
        if (!parsed.ok()) return parsed.status();
        conninfo = *parsed;
      }
      auto session = std::make_unique<soci::session>(soci::postgresql, conninfo);
      // libpq prints the server's NOTICEs on standard error ("relation … already exists,
      // skipping" on every open): a command's output is its own; warnings still show.
      *session << "SET client_min_messages = warning";
      db.reset(new Database(Backend::kPostgres, std::move(session)));
    } else {
      return Status::InvalidArgument(
          "case store: expected sqlite:PATH or postgresql://… (or postgresql:CONNINFO)");
    }
  } catch (const soci::soci_error& e) {
    // Connection strings may carry a password: the message is the backend's alone.
    return Status::IoError("case store: cannot connect: " + e.get_error_message());
  }
  if (Status s = db->Migrate(); !s.ok()) return s;
  return db;
}

Status Database::Transaction(const std::function<Status(soci::session&)>& work) {
  std::lock_guard lock(mu_);
  try {
    soci::transaction tx(*session_);
    Status s = work(*session_);
    if (s.ok()) {
      tx.commit();
    } else {
      tx.rollback();
    }
    return s;
  } catch (const soci::soci_error& e) {
    return Status::IoError("case store: " + e.get_error_message());
  }
}

Status Database::Migrate() {
  std::lock_guard lock(mu_);
  try {
    soci::session& sql = *session_;
    sql << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
           "description TEXT NOT NULL, applied_at BIGINT NOT NULL)";
    int current = 0;
    soci::indicator ind;
    sql << "SELECT MAX(version) FROM schema_migrations", soci::into(current, ind);
    if (ind == soci::i_null) current = 0;
    const auto& all = Migrations();
    if (!all.empty() && current > all.back().version) {
      return Status::FailedPrecondition(
          "case store: its schema (version " + std::to_string(current) +
          ") is newer than this custodian knows (" + std::to_string(all.back().version) +
          "): upgrade custodian");
    }
    for (const Migration& m : all) {
      if (m.version <= current) continue;
      // Each migration applies whole or not at all (both backends have transactional DDL).
      soci::transaction tx(sql);
      for (std::string_view statement : m.statements) sql << std::string(statement);
      if (m.then) {
        if (Status s = m.then(sql); !s.ok()) return s;  // the transaction rolls back
      }
      const std::string description(m.description);
      const long long at = NowMicros();
      sql << "INSERT INTO schema_migrations (version, description, applied_at) "
             "VALUES (:v, :d, :t)",
          soci::use(m.version), soci::use(description), soci::use(at);
      tx.commit();
      current = m.version;
    }
    schema_version_ = current;
    return Status::Ok();
  } catch (const soci::soci_error& e) {
    return Status::IoError("case store: migration failed: " + e.get_error_message());
  }
}

long long NextCounter(soci::session& sql, const std::string& name) {
  sql << "UPDATE counters SET value = value + 1 WHERE name = :n", soci::use(name);
  long long value = 0;
  soci::indicator ind;
  sql << "SELECT value FROM counters WHERE name = :n", soci::use(name), soci::into(value, ind);
  if (!sql.got_data() || ind == soci::i_null) {
    value = 1;
    sql << "INSERT INTO counters (name, value) VALUES (:n, :v)", soci::use(name), soci::use(value);
  }
  return value;
}

}  // namespace custodian::cases
