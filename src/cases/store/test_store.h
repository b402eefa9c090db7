// Case stores for tests: a fresh one per test on each backend: SQLite in a temp file, and a
// database of its own on the PostgreSQL server CUSTODIAN_TEST_POSTGRES names (scripts/test.sh
// starts one with scripts/with-postgres.sh). Without that server the PostgreSQL tests are
// skipped, except under CI, where they fail.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include "cases/store/database.h"

namespace custodian::cases {

// Both, always: the tests are listed when they are built, the server is there when they run.
inline std::vector<Backend> TestBackends() { return {Backend::kSqlite, Backend::kPostgres}; }

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "sqlite" : "postgres";
}

// One store, and what it needs removed afterwards.
class TestStore {
 public:
  explicit TestStore(Backend backend) : backend_(backend) {}
  ~TestStore() { Drop(); }

  // The store's URL; the same URL opens the same store again.
  std::string Url() {
    if (!url_.empty()) return url_;
    static std::atomic<int> n{0};
    const std::string name = "custodian_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
    if (backend_ == Backend::kSqlite) {
      dir_ = std::filesystem::temp_directory_path() / name;
      // A store left by a killed process of the same pid is not this test's.
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
      url_ = "sqlite:" + (dir_ / "cases.db").string();
    } else {
      const char* server = std::getenv("CUSTODIAN_TEST_POSTGRES");
      soci::session admin(soci::postgresql, server);
      admin << "CREATE DATABASE " + name;
      database_ = name;
      url_ = std::string("postgresql:") + server + " dbname=" + name;  // the last dbname wins
    }
    return url_;
  }

  // Runs `sql` through the backend's own command-line client (sqlite3, psql), as someone with
  // access to the store but not to custodian would; true when it succeeded.
  bool ExecuteOutside(const std::string& sql) {
    const auto quote = [](const std::string& s) {
      std::string q = "'";
      for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
      return q + "'";
    };
    const std::string command =
        backend_ == Backend::kSqlite
            ? "sqlite3 " + quote(Connection()) + " " + quote(sql)
            : "psql -q -v ON_ERROR_STOP=1 " + quote(Connection()) + " -c " + quote(sql);
    return std::system((command + " > /dev/null").c_str()) == 0;
  }

  // The PostgreSQL database made for the store (after Url()); empty for SQLite.
  const std::string& database() const { return database_; }
  // What libpq takes for the store ("host=… dbname=…"), or the SQLite file's path.
  std::string Connection() {
    const std::string url = Url();
    return url.substr(backend_ == Backend::kSqlite ? 7 : 11);
  }

  // The master key that wraps the store's keys (an instance's, when the store is one's).
  const vault::SecretKey& master() const { return master_; }

  // The store, brought up to `schema` (the case store's: cases/migrations.h).
  std::unique_ptr<Database> Open(const Schema& schema) {
    auto db = Database::Open(Url(), master_, schema);
    EXPECT_TRUE(db.ok()) << db.status().message();
    return db.ok() ? std::move(db).value() : nullptr;
  }

 private:
  void Drop() {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    if (!database_.empty()) {
      try {
        soci::session admin(soci::postgresql, std::getenv("CUSTODIAN_TEST_POSTGRES"));
        admin << "DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)";
      } catch (const soci::soci_error&) {
      }
    }
  }

  Backend backend_;
  vault::SecretKey master_ = vault::SecretKey::Random();  // wraps the store's keys
  std::string url_;
  std::filesystem::path dir_;
  std::string database_;
};

// A PostgreSQL test without a server is skipped, except under CI, where it fails.
#define CUSTODIAN_REQUIRE_BACKEND(backend)                                                      \
  do {                                                                                          \
    if ((backend) == ::custodian::cases::Backend::kPostgres &&                                  \
        !std::getenv("CUSTODIAN_TEST_POSTGRES")) {                                              \
      if (std::getenv("CI")) {                                                                  \
        FAIL() << "CI runs the store's tests against PostgreSQL too: run them through "         \
                  "scripts/with-postgres.sh (scripts/test.sh does)";                            \
      }                                                                                         \
      GTEST_SKIP() << "no PostgreSQL server: run through scripts/with-postgres.sh";             \
    }                                                                                           \
  } while (0)

}  // namespace custodian::cases
