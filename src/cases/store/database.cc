#include "cases/store/database.h"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>


namespace custodian::cases {
namespace {

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

// A SQLite store's file is made before SQLite opens it, mode 0600 whatever the umask: SQLite
// would make it 0644 (less the umask) and gives its -wal and -shm the database's mode. An
// existing file (and its -wal and -shm) looser than that is tightened.
Status PrivateSqliteFile(const std::string& path, bool create_file) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return Status::IoError("case store: " + path + ": " + std::strerror(errno));
    if (!create_file) return Status::NotFound("case store: sqlite:" + path + ": no such file");
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) {
      return Status::IoError("case store: " + path + ": " + std::strerror(errno));
    }
    if (fd >= 0) ::close(fd);
  }
  for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
    if (::stat(file.c_str(), &st) != 0 || (st.st_mode & 077) == 0) continue;
    if (::chmod(file.c_str(), st.st_mode & 0700) != 0) {
      return Status::IoError("case store: " + file + ": cannot make it private (mode 0600): " +
                             std::strerror(errno));
    }
  }
  return Status::Ok();
}

}  // namespace

std::vector<std::string> StoreTables(soci::session& sql, Backend backend) {
  std::vector<std::string> tables;
  const char* query =
      backend == Backend::kSqlite
          ? "SELECT name FROM sqlite_master WHERE type = 'table' AND "
            "name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
          : "SELECT table_name FROM information_schema.tables WHERE "
            "table_schema = current_schema() AND table_type = 'BASE TABLE'";
  soci::rowset<std::string> rows = (sql.prepare << query);
  for (const std::string& name : rows) tables.push_back(name);
  std::sort(tables.begin(), tables.end());
  return tables;
}

Database::Database(Backend backend, std::unique_ptr<soci::session> session)
    : backend_(backend), session_(std::move(session)) {}

Database::~Database() = default;

Result<std::unique_ptr<Database>> Database::Connect(const std::string& url, bool create_file) {
  std::unique_ptr<Database> db;
  try {
    if (url.starts_with("sqlite:")) {
      if (Status s = PrivateSqliteFile(url.substr(7), create_file); !s.ok()) return s;
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
  return db;
}

std::string Database::Describe(const std::string& url) {
  if (url.starts_with("sqlite:")) return url;
  const std::string conninfo = url.starts_with("postgresql://") || url.starts_with("postgres://")
                                   ? url
                                   : url.substr(url.find(':') + 1);
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), nullptr);
  if (!options) return "a PostgreSQL store";
  std::string out;
  for (const PQconninfoOption* o = options; o->keyword; ++o) {
    const std::string keyword = o->keyword;
    if (!o->val || (keyword != "host" && keyword != "hostaddr" && keyword != "port" &&
                    keyword != "dbname" && keyword != "user")) {
      continue;
    }
    out += (out.empty() ? "" : " ") + keyword + "=" + o->val;
  }
  PQconninfoFree(options);
  return "postgresql (" + (out.empty() ? std::string("the defaults") : out) + ")";
}

Result<StoreInspection> Database::Inspect() {
  std::lock_guard lock(mu_);
  try {
    StoreInspection out;
    const std::vector<std::string> tables = StoreTables(*session_, backend_);
    const auto has = [&](const char* name) {
      return std::binary_search(tables.begin(), tables.end(), std::string(name));
    };
    out.has_tables = !tables.empty();
    out.has_schema = has("schema_migrations");
    if (has("store_identity")) {
      std::string id;
      soci::indicator ind = soci::i_null;
      *session_ << "SELECT store_id FROM store_identity", soci::into(id, ind);
      if (session_->got_data() && ind == soci::i_ok) out.store_id = id;
    }
    return out;
  } catch (const soci::soci_error& e) {
    return Status::IoError("case store: " + e.get_error_message());
  }
}

namespace {

// The store each session on this thread is working in, innermost last: what KeysOf and
// MasterOf find while a transaction or a migration runs (copying a store nests two).
struct SessionContext {
  soci::session* session;
  const vault::SecretKey* master;
  const StoreKeys* keys;
};
thread_local std::vector<SessionContext> session_contexts;

class ScopedContext {
 public:
  ScopedContext(soci::session& sql, const vault::SecretKey* master, const StoreKeys* keys) {
    session_contexts.push_back({&sql, master, keys});
  }
  ~ScopedContext() { session_contexts.pop_back(); }
  ScopedContext(const ScopedContext&) = delete;
  ScopedContext& operator=(const ScopedContext&) = delete;
};

const SessionContext& ContextOf(soci::session& sql) {
  for (auto it = session_contexts.rbegin(); it != session_contexts.rend(); ++it) {
    if (it->session == &sql) return *it;
  }
  throw StoreError(Status::Internal("case store: used outside a transaction of its Database"));
}

}  // namespace

const StoreKeys& KeysOf(soci::session& sql) {
  const SessionContext& c = ContextOf(sql);
  if (!c.keys) throw StoreError(Status::Internal("case store: used before its keys were loaded"));
  return *c.keys;
}

const vault::SecretKey& MasterOf(soci::session& sql) {
  const SessionContext& c = ContextOf(sql);
  if (!c.master) throw StoreError(Status::Internal("case store: migrated without a master key"));
  return *c.master;
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& url,
                                                 const vault::SecretKey& master,
                                                 const Schema& schema) {
  auto db = Connect(url);
  if (!db.ok()) return db.status();
  if (Status s = (*db)->Migrate(schema, master); !s.ok()) return s;
  return db;
}

Status Database::Transaction(const std::function<Status(soci::session&)>& work) {
  std::lock_guard lock(mu_);
  try {
    ScopedContext context(*session_, keys_ ? &master_ : nullptr, keys_.get());
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
  } catch (const StoreError& e) {
    return e.status();  // the transaction rolled back
  }
}

Status Database::Migrate(const Schema& schema, const vault::SecretKey& master,
                         std::optional<int> up_to) {
  std::vector<std::string_view> to_scrub;
  {
    std::lock_guard lock(mu_);
    try {
      soci::session& sql = *session_;
      ScopedContext context(sql, &master, nullptr);
      sql << std::string(kSchemaMigrationsTable);
      int current = 0;
      soci::indicator ind;
      sql << "SELECT MAX(version) FROM schema_migrations", soci::into(current, ind);
      if (ind == soci::i_null) current = 0;
      if (!schema.empty() && current > schema.back().version) {
        return Status::FailedPrecondition(
            "case store: its schema (version " + std::to_string(current) +
            ") is newer than this custodian knows (" + std::to_string(schema.back().version) +
            "): upgrade custodian");
      }
      for (const Migration& m : schema) {
        if (m.version <= current || (up_to && m.version > *up_to)) continue;
        // Each migration applies whole or not at all (both backends have transactional DDL).
        soci::transaction tx(sql);
        if (Status s = ApplyMigration(sql, m); !s.ok()) return s;  // the transaction rolls back
        tx.commit();
        current = m.version;
        to_scrub.insert(to_scrub.end(), m.scrub.begin(), m.scrub.end());
      }
      schema_version_ = current;
    } catch (const soci::soci_error& e) {
      return Status::IoError("case store: migration failed: " + e.get_error_message());
    } catch (const StoreError& e) {
      return e.status();
    }
  }
  if (!to_scrub.empty()) {
    if (Status s = Scrub(to_scrub); !s.ok()) return s;
  }
  if (up_to) return Status::Ok();
  return LoadIdentityAndKeys(master);
}

Status Database::Fill(const Schema& schema, const vault::SecretKey& master,
                      const std::function<Status(soci::session&)>& fill) {
  {
    std::lock_guard lock(mu_);
    try {
      soci::session& sql = *session_;
      ScopedContext context(sql, &master, nullptr);
      soci::transaction tx(sql);
      if (Status s = ApplyAllMigrations(sql, schema); !s.ok()) return s;
      if (Status s = fill(sql); !s.ok()) return s;
      tx.commit();
      schema_version_ = schema.empty() ? 0 : schema.back().version;
    } catch (const soci::soci_error& e) {
      return Status::IoError("case store: " + e.get_error_message());
    } catch (const StoreError& e) {
      return e.status();
    }
  }
  return LoadIdentityAndKeys(master);
}

Status Database::LoadIdentityAndKeys(const vault::SecretKey& master) {
  std::lock_guard lock(mu_);
  try {
    soci::session& sql = *session_;
    soci::indicator ind = soci::i_null;
    sql << "SELECT store_id FROM store_identity", soci::into(store_id_, ind);
    if (!sql.got_data() || ind != soci::i_ok) {
      return Status::Corruption("case store: it records no identity (store_identity is empty)");
    }
    auto keys = StoreKeys::Load(sql, master);
    if (!keys.ok()) return keys.status();
    keys_ = std::make_unique<StoreKeys>(std::move(keys).value());
    master_ = master;
    return Status::Ok();
  } catch (const soci::soci_error& e) {
    return Status::IoError("case store: " + e.get_error_message());
  }
}

Status Database::Scrub(const std::vector<std::string_view>& tables) {
  std::lock_guard lock(mu_);
  try {
    soci::session& sql = *session_;
    if (backend_ == Backend::kSqlite) {
      // The free pages and the WAL's old frames held the values in clear.
      sql << "PRAGMA wal_checkpoint(TRUNCATE)";
      sql << "VACUUM";
      sql << "PRAGMA wal_checkpoint(TRUNCATE)";
    } else {
      for (std::string_view table : tables) sql << "VACUUM FULL " + std::string(table);
    }
    return Status::Ok();
  } catch (const soci::soci_error& e) {
    return Status::IoError("case store: its personal values are sealed now, but their old "
                           "bytes could not be cleared from its free space (run VACUUM on it): " +
                           e.get_error_message());
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
